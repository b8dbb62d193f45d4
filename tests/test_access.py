"""Every HTTP route against every persona. The suite fails when a route exists that the matrix does not cover."""
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "student1", "student2", "student3", "teacher1", "teacher2", "author1", "admin"]
ALL_STUDENTS = {"student1", "student2", "student3"}
EVERYONE_LOGGED_IN = set(PERSONAS) - {"anonymous"}

# route name -> (method, path builder, {persona: expected status}); unlisted personas expect `default`.
MATRIX = {
    "index": ("get", lambda p: "/", {}, 200),
    "api-auth-token": ("post", lambda p: "/api/auth/token", {}, 400),  # empty body: credentials required
    "api-auth-login": ("post", lambda p: "/api/auth/login", {}, 400),
    "api-auth-logout": ("post", lambda p: "/api/auth/logout", {}, 200),
    "api-me": ("get", lambda p: "/api/me", {"anonymous": 401}, 200),
    "api-conversations": (
        "get",
        lambda p: f"/api/courses/{p.course_a.id}/conversations",
        {"anonymous": 401, "student1": 200, "student2": 200},
        404,  # a course you are not a student of looks exactly like one that does not exist
    ),
    "api-course-content": (
        "post",
        lambda p: f"/api/courses/{p.course_a.id}/content",
        {"anonymous": 401, "author1": 400, "admin": 400},  # empty body: an empty file is rejected
        404,  # only the course's authors (and administrators) may upload; everyone else sees no course
    ),
}
ADMIN_ROUTES = {"admin:index": ("/admin/", {"anonymous": 302, "admin": 200, "teacher1": 200, "teacher2": 200, "author1": 200}, 302)}


def client_for(personas, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(getattr(personas, persona))
    return client


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", sorted(MATRIX))
def test_route_access(personas, route, persona):
    method, build_path, expected, default = MATRIX[route]
    response = getattr(client_for(personas, persona), method)(build_path(personas), content_type="application/json")
    assert response.status_code == expected.get(persona, default), (route, persona, response.content[:200])


@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_index_access(personas, persona):
    path, expected, default = ADMIN_ROUTES["admin:index"]
    response = client_for(personas, persona).get(path)
    assert response.status_code == expected.get(persona, default)


def _route_names(resolver: URLResolver, prefix: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the admin site is covered by ADMIN_ROUTES and the admin's own tests
            names |= _route_names(pattern, prefix)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"route {pattern.pattern} has no name, so the access matrix cannot cover it"
            names.add(pattern.name)
    return names


def test_every_route_is_in_the_access_matrix():
    uncovered = _route_names(get_resolver()) - set(MATRIX)
    assert not uncovered, f"routes missing from the access matrix: {sorted(uncovered)}"


# --- the WebSocket, message type by persona -----------------------------------------------------

SOCKET_PERSONAS = [p for p in PERSONAS if p != "anonymous"]  # anonymous handshakes are refused outright


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", SOCKET_PERSONAS)
async def test_ask_in_course_a_only_for_its_students(personas, fake_engine, persona):
    from tutor.tests.wsclient import ask_frame, connect_as, receive_until

    communicator = await connect_as(getattr(personas, persona))
    await communicator.send_json_to(ask_frame(personas.course_a.id))
    reply = await communicator.receive_json_from()
    if persona in ("student1", "student2"):
        assert reply["type"] == "ack"
        await receive_until(communicator, "answer")
    else:
        assert (reply["type"], reply["code"]) == ("error", "course_not_found")
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", SOCKET_PERSONAS)
async def test_history_of_student1s_conversation_only_for_student1(personas, fake_engine, persona):
    from channels.db import database_sync_to_async

    from tutor.models import Conversation
    from tutor.tests.wsclient import connect_as

    conversation = await database_sync_to_async(Conversation.objects.create)(
        student=personas.student1, course=personas.course_a
    )
    communicator = await connect_as(getattr(personas, persona))
    await communicator.send_json_to({"type": "history", "conversation": conversation.id, "after": None})
    reply = await communicator.receive_json_from()
    if persona == "student1":
        assert reply["type"] == "history"
    else:
        assert (reply["type"], reply["code"]) == ("error", "conversation_not_found")
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", SOCKET_PERSONAS)
async def test_next_item_in_course_a_only_for_its_students(personas, persona):
    from channels.db import database_sync_to_async

    from learning.tests.factories import practice_content
    from tutor.tests.wsclient import connect_as

    await database_sync_to_async(practice_content)(personas.course_a)
    communicator = await connect_as(getattr(personas, persona))
    await communicator.send_json_to({"type": "next_item", "course": personas.course_a.id, "mode": "practice"})
    reply = await communicator.receive_json_from()
    if persona in ("student1", "student2"):
        assert reply["type"] == "item"
    else:
        assert (reply["type"], reply["code"]) == ("error", "course_not_found")
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", SOCKET_PERSONAS)
async def test_submit_for_student1s_item_only_by_student1(personas, persona):
    from channels.db import database_sync_to_async

    from learning.models import Attempt, ServedItem
    from learning.tests.factories import practice_content
    from tutor.tests.wsclient import connect_as

    items = await database_sync_to_async(practice_content)(personas.course_a)
    item = items["solve-1"]
    await database_sync_to_async(ServedItem.objects.create)(student=personas.student1, item=item, mode="practice")
    communicator = await connect_as(getattr(personas, persona))
    await communicator.send_json_to({"type": "submit", "item_id": item.id, "response": "1"})
    reply = await communicator.receive_json_from()
    if persona == "student1":
        assert reply["type"] == "graded" and reply["correct"] is True
    else:
        assert (reply["type"], reply["code"]) == ("error", "item_not_open")
    assert await database_sync_to_async(Attempt.objects.count)() == (1 if persona == "student1" else 0)
    await communicator.disconnect()


ADMIN_CHAT_PAGES = ["/admin/tutor/conversation/", "/admin/tutor/message/", "/admin/tutor/apitoken/", "/admin/learning/course/"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path", ADMIN_CHAT_PAGES)
def test_chat_admin_pages_only_for_administrators(personas, persona, path):
    response = client_for(personas, persona).get(path)
    if persona == "admin":
        assert response.status_code == 200
    elif persona == "anonymous" or not getattr(personas, persona).is_staff:
        assert response.status_code == 302  # to the login page
    else:
        assert response.status_code == 403


# --- the authors' and teachers' admin pages ------------------------------------------------------------------

MISSING_ID = 999999
TEACHERS = {"teacher1": 200, "teacher2": 200, "admin": 200}
COURSE_A_TEACHERS = {"teacher1": 200, "admin": 200}
SUPERUSER = {"admin": 200}
REVIEW = "/admin/annotation/reviewtask"
POLICY = "/admin/annotation/reviewpolicy"
RUNS = "/admin/annotation/trainingrun"
VERSIONS = "/admin/tutor/modelversion"

STAFF_PAGES = {
    # path builder -> {persona: status}; anonymous and non-staff students are sent to the login page (302)
    "content list": (lambda p: "/admin/learning/coursecontent/", {"author1": 200, "admin": 200}, 403),
    "upload page, course A": (lambda p: f"/admin/learning/course/{p.course_a.id}/content/",
                              {"author1": 200, "admin": 200}, 404),
    "upload page, missing course": (lambda p: "/admin/learning/course/999999/content/", {}, 404),
    "mastery list": (lambda p: "/admin/learning/coursemastery/", {"teacher1": 200, "teacher2": 200, "admin": 200}, 403),
    "mastery table, course A": (lambda p: f"/admin/learning/coursemastery/{p.course_a.id}/mastery/",
                                {"teacher1": 200, "admin": 200}, 404),
    "heatmap, course A": (lambda p: f"/admin/learning/coursemastery/{p.course_a.id}/heatmap.svg",
                          {"teacher1": 200, "admin": 200}, 404),
    "mastery CSV, course A": (lambda p: f"/admin/learning/coursemastery/{p.course_a.id}/mastery.csv",
                              {"teacher1": 200, "admin": 200}, 404),
    # Teacher review: authors are staff, but review is for the course's teachers only.
    "review list": (lambda p: f"{REVIEW}/", TEACHERS, 403),
    "review page, task in course A": (lambda p: f"{REVIEW}/{p.review_task.id}/change/", COURSE_A_TEACHERS, 404),
    "review history, task in course A": (lambda p: f"{REVIEW}/{p.review_task.id}/history/", COURSE_A_TEACHERS, 404),
    "review page, missing task": (lambda p: f"{REVIEW}/{MISSING_ID}/change/", {}, 404),
    "review history, missing task": (lambda p: f"{REVIEW}/{MISSING_ID}/history/", {}, 404),
    "review workload": (lambda p: f"{REVIEW}/workload/", TEACHERS, 403),
    "router versions": (lambda p: "/admin/annotation/routerversion/", TEACHERS, 403),
    "router reliability page": (lambda p: "/admin/annotation/routerversion/reliability/", TEACHERS, 403),
    "router reliability SVG": (lambda p: "/admin/annotation/routerversion/reliability.svg", TEACHERS, 403),
    "review policies": (lambda p: f"{POLICY}/", SUPERUSER, 403),
    "review policy, add": (lambda p: f"{POLICY}/add/", SUPERUSER, 403),
    "review policy, course A": (lambda p: f"{POLICY}/{p.review_policy.id}/change/", SUPERUSER, 403),
    "review policy history, course A": (lambda p: f"{POLICY}/{p.review_policy.id}/history/", SUPERUSER, 403),
    "review policy delete, course A": (lambda p: f"{POLICY}/{p.review_policy.id}/delete/", SUPERUSER, 403),
    # Retraining and serving versions: superusers only.
    "training runs": (lambda p: f"{RUNS}/", SUPERUSER, 403),
    "training run start": (lambda p: f"{RUNS}/start/", SUPERUSER, 403),
    "training run, course A": (lambda p: f"{RUNS}/{p.training_run.id}/change/", SUPERUSER, 403),
    "training run loss curve, course A": (lambda p: f"{RUNS}/{p.training_run.id}/loss.svg", SUPERUSER, 403),
    "training run, missing": (lambda p: f"{RUNS}/{MISSING_ID}/change/", {"admin": 404}, 403),
    "training run loss curve, missing": (lambda p: f"{RUNS}/{MISSING_ID}/loss.svg", {"admin": 404}, 403),
    "model versions": (lambda p: f"{VERSIONS}/", SUPERUSER, 403),
}


@pytest.fixture
def staff_world(personas):
    """The personas, plus a review task on student1's question in course A, course A's review policy, a
    training run of course A and two model versions of it (the first serving)."""
    from annotation.models import ReviewPolicy, TrainingRun
    from annotation.tests.review_factories import flagged_task
    from tutor.models import ModelVersion

    task = flagged_task(course=personas.course_a, student=personas.student1)
    policy = ReviewPolicy.objects.create(course=personas.course_a, reviews_per_teacher_per_day=5, random_share=0.1)
    run = TrainingRun.objects.create(course=personas.course_a, trigger=TrainingRun.Trigger.ADMIN, losses=[2.0, 1.5])
    versions = [ModelVersion.objects.create(course=personas.course_a, number=n, base_model="tiny", folder=f"a/v{n}",
                                            sha256="0" * 64, status=status)
                for n, status in ((1, "active"), (2, "retired"))]
    return SimpleNamespace(**vars(personas), review_task=task, review_policy=policy, training_run=run,
                           model_versions=versions)


def _is_staff(world, persona: str) -> bool:
    return persona != "anonymous" and getattr(world, persona).is_staff


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", sorted(STAFF_PAGES))
def test_staff_pages_only_for_their_courses(staff_world, persona, page):
    build_path, expected, staff_default = STAFF_PAGES[page]
    response = client_for(staff_world, persona).get(build_path(staff_world))
    if not _is_staff(staff_world, persona):
        assert response.status_code == 302, (page, persona)
    else:
        assert response.status_code == expected.get(persona, staff_default), (page, persona)


# Each review action as a form would post it; success answers with a redirect (to the queue or the task).
REVIEW_ACTIONS = {
    "claim": {}, "release": {}, "approve": {}, "correct": {"text": "It is 3/4."}, "reject": {"reason": "Wrong sum."},
}
CHANGES_AN_OPEN_TASK = {"claim", "approve", "correct", "reject"}  # release needs a claim first


def _review_state(task_id: int) -> tuple:
    from annotation.models import ReviewEvent, ReviewTask, TrainingExample
    from tutor.models import Message

    return (list(ReviewTask.objects.filter(id=task_id).values()), ReviewEvent.objects.count(),
            TrainingExample.objects.count(), list(Message.objects.values_list("id", "corrected_text", "corrected_at")))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", sorted(REVIEW_ACTIONS))
def test_review_actions_only_by_the_tasks_teachers(staff_world, persona, action):
    task_id = staff_world.review_task.id
    before = _review_state(task_id)
    response = client_for(staff_world, persona).post(f"{REVIEW}/{task_id}/{action}/", REVIEW_ACTIONS[action])
    if persona in COURSE_A_TEACHERS:
        assert response.status_code == 302 and "/login/" not in response["Location"]
        assert (_review_state(task_id) != before) == (action in CHANGES_AN_OPEN_TASK)
        return
    if _is_staff(staff_world, persona):
        assert response.status_code == 404, persona  # the other course's teacher, the author: no such task
    else:
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert _review_state(task_id) == before


@pytest.mark.parametrize("persona", sorted(COURSE_A_TEACHERS))
@pytest.mark.parametrize("action", sorted(REVIEW_ACTIONS))
def test_review_action_on_a_missing_task_is_404(staff_world, persona, action):
    before = _review_state(staff_world.review_task.id)
    response = client_for(staff_world, persona).post(f"{REVIEW}/{MISSING_ID}/{action}/", REVIEW_ACTIONS[action])
    assert response.status_code == 404
    assert _review_state(staff_world.review_task.id) == before


def _admin_route_names(resolver: URLResolver, prefix: str) -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            names |= _admin_route_names(pattern, prefix)
        elif pattern.name and pattern.name.startswith(prefix):  # unnamed: Django's redirect to the change page
            names.add(pattern.name)
    return names


def test_every_review_admin_route_is_in_the_access_matrix(staff_world):
    """The teacher-review admin defines its own views, so each of them must be in STAFF_PAGES or the actions."""
    admin_site = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "admin")
    covered = {resolve(build_path(staff_world)).url_name for build_path, _, _ in STAFF_PAGES.values()}
    covered |= {f"annotation_reviewtask_{action}" for action in REVIEW_ACTIONS}
    routes = _admin_route_names(admin_site, "annotation_") | _admin_route_names(admin_site, "tutor_modelversion_")
    uncovered = routes - covered
    assert not uncovered, f"review admin routes missing from the access matrix: {sorted(uncovered)}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_superusers_start_training_runs(staff_world, persona):
    from annotation.models import TrainingRun

    before = TrainingRun.objects.count()
    response = client_for(staff_world, persona).post(f"{RUNS}/start/", {"course": staff_world.course_b.id})
    if persona == "admin":
        assert response.status_code == 302 and TrainingRun.objects.count() == before + 1
        return
    assert response.status_code == (403 if _is_staff(staff_world, persona) else 302), persona
    assert TrainingRun.objects.count() == before


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", ["activate", "serve_base_model"])
def test_only_superusers_switch_the_serving_version(staff_world, persona, action):
    from tutor.models import ModelVersion

    before = list(ModelVersion.objects.order_by("id").values_list("status", flat=True))
    target = staff_world.model_versions[1] if action == "activate" else staff_world.model_versions[0]
    response = client_for(staff_world, persona).post(
        f"{VERSIONS}/", {"action": action, "_selected_action": [target.id]})
    after = list(ModelVersion.objects.order_by("id").values_list("status", flat=True))
    if persona == "admin":
        assert response.status_code == 302
        # The folder of these versions does not exist: activation is refused, the base model is not.
        assert after == (before if action == "activate" else ["retired", "retired"])
        return
    assert response.status_code == (403 if _is_staff(staff_world, persona) else 302), persona
    assert after == before


def test_an_authors_content_list_holds_only_their_courses(personas):
    page = client_for(personas, "author1").get("/admin/learning/coursecontent/").content.decode()
    assert "Algebra" in page and "Biology" not in page and "Upload content" in page
