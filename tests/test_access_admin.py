"""Every admin URL against every persona (tests/access_matrix.py), and the admin's writes by the wrong persona.
The suite fails when the admin site has a route that the matrix does not cover."""
import json
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.test import Client
from django.urls import resolve

from annotation.models import ReviewEvent, ReviewPolicy, ReviewTask, TrainingExample, TrainingRun
from learning import admin as learning_admin
from learning.models import Course, Enrollment, PrivacyAudit
from tests.access_matrix import (
    ADMIN_MATRIX, COURSE_A_TEACHERS, LOGIN, MISSING_ID, PERSONAS, REVIEW, REVIEW_ACTIONS, RUNS, STAFF, VERSIONS,
    Redirect,
    admin_routes, answer, build_world, client_for,
)
from tutor.models import ApiToken, Conversation, Message, ModelVersion

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at its end. Each test runs in a
    savepoint of it (pytest-django's django_db), so whatever a test writes is gone before the next one."""
    from conftest import make_personas

    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world(make_personas())
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def client_as(world):
    """A fresh client signed in as the persona. Each persona signs in once for the module: signing in is most
    of what one page test costs."""
    keys = {persona: client_for(world, persona).cookies[settings.SESSION_COOKIE_NAME].value
            for persona in PERSONAS if persona != "anonymous"}

    def client(persona: str) -> Client:
        signed_in = Client()
        if persona in keys:
            signed_in.cookies[settings.SESSION_COOKIE_NAME] = keys[persona]
        return signed_in

    return client


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", sorted(ADMIN_MATRIX))
def test_admin_page_access(world, client_as, case, persona):
    spec = ADMIN_MATRIX[case]
    path = spec.path(world)
    response = client_as(persona).get(path)
    assert answer(response) == spec.expected(persona, urlsplit(path).path), (case, persona, response.content[:300])


def _route_of(path: str) -> str:
    return resolve(urlsplit(path).path).route


def test_every_admin_route_is_in_the_access_matrix(world):
    covered = {_route_of(case.path(world)) for case in ADMIN_MATRIX.values()}
    uncovered = admin_routes() - covered
    assert not uncovered, f"admin routes missing from tests/access_matrix.py: {sorted(uncovered)}"


def test_only_the_no_such_page_case_reaches_the_admins_catch_all(world):
    """A mistyped path in the matrix would land on the catch-all (404 for staff) and cover nothing it names."""
    catch_all = _route_of("/admin/no-such-page/")
    assert [name for name, case in ADMIN_MATRIX.items() if _route_of(case.path(world)) == catch_all] == [
        "no such admin page"]


def test_the_route_walk_sees_unnamed_and_custom_admin_routes():
    assert {
        "admin/(?P<url>.*)$", "admin/auth/user/<path:object_id>/", "admin/r/<path:content_type_id>/<path:object_id>/",
        "admin/annotation/reviewtask/<int:task_id>/claim/",
    } <= admin_routes()


# --- writes by the wrong persona change nothing -----------------------------------------------------------


def refused(persona: str, staff_answer: int = 403) -> int | Redirect:
    """What the admin answers a persona who may not do this: staff ``staff_answer``, the rest the login page."""
    return staff_answer if persona in STAFF else LOGIN


def _rows(world) -> dict:
    return {model.__name__: sorted(model.objects.values_list("pk", flat=True))
            for model in (Conversation, Message, ApiToken, Course, Enrollment, ReviewPolicy, User, Group)}


DELETABLE = {
    # object -> (delete page, model whose row goes, personas who may delete it)
    "conversation": (lambda w: f"/admin/tutor/conversation/{w.unflagged_answer.conversation_id}/delete/",
                     "Conversation", {"admin"}),
    "message": (lambda w: f"/admin/tutor/message/{w.unflagged_answer.pk}/delete/", "Message", {"admin"}),
    "API token": (lambda w: f"/admin/tutor/apitoken/{w.api_token.pk}/delete/", "ApiToken", {"admin"}),
    "course": (lambda w: f"/admin/learning/course/{w.course_b.pk}/delete/", "Course", {"admin"}),
    "course content": (lambda w: f"/admin/learning/coursecontent/{w.course_a.pk}/delete/", "Course", set()),
    "course AI settings": (lambda w: f"/admin/learning/courseaisettings/{w.course_a.pk}/delete/", "Course", set()),
    "review policy": (lambda w: f"/admin/annotation/reviewpolicy/{w.review_policy.pk}/delete/", "ReviewPolicy",
                      {"admin"}),
    "user": (lambda w: f"/admin/auth/user/{w.student3.pk}/delete/", "User", {"admin"}),
    "group": (lambda w: f"/admin/auth/group/{w.group.pk}/delete/", "Group", {"admin"}),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("target", sorted(DELETABLE))
def test_only_the_allowed_persona_deletes_through_the_admin(world, client_as, target, persona):
    build_path, model, allowed = DELETABLE[target]
    before = _rows(world)
    response = client_as(persona).post(build_path(world), {"post": "yes"})
    after = _rows(world)
    if persona in allowed:
        assert response.status_code == 302 and len(after[model]) < len(before[model])
        return
    assert answer(response) == refused(persona), (target, persona)
    assert after == before


CHANGELIST_ACTIONS = {
    # changelist -> the selected object's id
    "/admin/tutor/conversation/": lambda w: w.unflagged_answer.conversation_id,
    "/admin/tutor/message/": lambda w: w.unflagged_answer.pk,
    "/admin/tutor/apitoken/": lambda w: w.api_token.pk,
    "/admin/learning/course/": lambda w: w.course_b.pk,
    "/admin/annotation/reviewpolicy/": lambda w: w.review_policy.pk,
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("changelist", sorted(CHANGELIST_ACTIONS))
def test_only_superusers_delete_selected_chat_and_course_records(world, client_as, changelist, persona):
    before = _rows(world)
    selected = CHANGELIST_ACTIONS[changelist](world)
    response = client_as(persona).post(
        changelist, {"action": "delete_selected", "_selected_action": [selected], "post": "yes"})
    after = _rows(world)
    if persona == "admin":
        assert response.status_code == 302 and after != before
        return
    assert answer(response) == refused(persona), (changelist, persona)
    assert after == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_superusers_queue_a_recalibration(world, client_as, persona, monkeypatch):
    queued = []
    monkeypatch.setattr(learning_admin.calibrate_course, "delay", queued.append)
    response = client_as(persona).post(
        "/admin/learning/course/", {"action": "recalibrate", "_selected_action": [world.course_a.pk]})
    if persona == "admin":
        assert response.status_code == 302 and queued == [world.course_a.pk]
        return
    assert answer(response) == refused(persona), persona
    assert queued == []


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_superusers_revoke_api_tokens(world, client_as, persona):
    response = client_as(persona).post(
        "/admin/tutor/apitoken/", {"action": "revoke", "_selected_action": [world.api_token.pk]})
    revoked = ApiToken.objects.get(pk=world.api_token.pk).revoked_at is not None
    if persona == "admin":
        assert response.status_code == 302 and revoked
        return
    assert answer(response) == refused(persona), persona
    assert not revoked


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_superusers_edit_a_conversation(world, client_as, persona):
    response = client_as(persona).post(
        f"/admin/tutor/conversation/{world.conversation.pk}/change/",
        {"title": "renamed", "messages-TOTAL_FORMS": "0", "messages-INITIAL_FORMS": "0"})
    title = Conversation.objects.get(pk=world.conversation.pk).title
    if persona == "admin":
        assert response.status_code == 302 and title == "renamed"
        return
    assert answer(response) == refused(persona), persona
    assert title == world.conversation.title


@pytest.mark.parametrize("persona", ["teacher1", "teacher2", "author1"])
def test_model_permissions_do_not_open_students_chats_or_courses_to_staff(world, client_as, persona):
    """Chat records and courses are the administrators' alone: Django's per-model permissions, should a
    superuser grant them, must not let a teacher see every course's conversations or enrol themselves."""
    user = getattr(world, persona)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["tutor", "learning"]))
    client = client_as(persona)
    before = _rows(world)
    for path in ("/admin/tutor/conversation/", f"/admin/tutor/conversation/{world.conversation.pk}/change/",
                 "/admin/tutor/message/", "/admin/tutor/apitoken/", "/admin/learning/course/",
                 f"/admin/learning/course/{world.course_a.pk}/change/", "/admin/learning/course/add/"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/admin/tutor/conversation/{world.conversation.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"/admin/learning/course/{world.course_b.pk}/delete/", {"post": "yes"}).status_code == 403
    enrol_myself = {"slug": "algebra", "title": "Algebra", "content_revision": "0", "knowledge_revision": "0",
                    "enrollments-TOTAL_FORMS": "1", "enrollments-INITIAL_FORMS": "0", "enrollments-0-user": user.pk,
                    "enrollments-0-role": "teacher", "enrollments-0-course": world.course_a.pk}
    assert client.post(f"/admin/learning/course/{world.course_a.pk}/change/", enrol_myself).status_code == 403
    assert _rows(world) == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_superusers_export_a_students_data(world, client_as, persona):
    response = client_as(persona).post(
        "/admin/auth/user/", {"action": "export_student_data", "_selected_action": [world.student1.pk]})
    exported = PrivacyAudit.objects.filter(action="export").count()
    if persona == "admin":
        assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
        assert json.loads(response.content)["account"]["username"] == "student1" and exported == 2
        return
    assert answer(response) == refused(persona), persona
    assert exported == 1  # the world's own record


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_superusers_erase_a_students_data(world, client_as, persona):
    form = {"action": "erase_student_data", "_selected_action": [world.student3.pk]}
    asked = client_as(persona).post("/admin/auth/user/", form)
    response = client_as(persona).post("/admin/auth/user/", {**form, "post": "yes"})
    erased = not User.objects.filter(pk=world.student3.pk).exists()
    if persona == "admin":
        assert asked.status_code == 200 and b"Yes, erase" in asked.content  # the confirmation page first
        assert response.status_code == 302 and erased
        assert PrivacyAudit.objects.filter(action="erase", channel="admin").count() == 1
        return
    assert answer(asked) == answer(response) == refused(persona), persona
    assert not erased and not PrivacyAudit.objects.filter(action="erase").exists()


@pytest.mark.parametrize("persona", ["teacher1", "teacher2", "author1"])
def test_user_permissions_do_not_open_the_privacy_actions_to_staff(world, client_as, persona):
    """A staff account granted every permission on users (so the user list opens to it) still gets neither
    action: they are the superusers' alone."""
    getattr(world, persona).user_permissions.set(Permission.objects.filter(content_type__app_label="auth"))
    client = client_as(persona)
    assert b"erase_student_data" not in client.get("/admin/auth/user/").content
    for action in ("export_student_data", "erase_student_data"):
        response = client.post("/admin/auth/user/", {"action": action, "_selected_action": [world.student3.pk],
                                                     "post": "yes"})
        assert response.status_code == 302 and not response["Content-Type"].startswith("application/json")
    assert User.objects.filter(pk=world.student3.pk).exists()
    assert PrivacyAudit.objects.count() == 1


# --- teacher review, retraining and serving: each action by every persona ---------------------------------

REVIEW_FORMS = {
    "claim": {}, "release": {}, "approve": {}, "correct": {"text": "It is 3/4."}, "reject": {"reason": "Wrong sum."},
    # The task's answer was never held as a draft: the course's teachers are refused and nothing changes.
    "draft_approve": {}, "draft_edit": {"text": "It is 3/4."}, "draft_reject": {"reason": "Wrong sum."},
}
CHANGES_AN_OPEN_TASK = {"claim", "approve", "correct", "reject"}  # release needs a claim first
assert set(REVIEW_FORMS) == set(REVIEW_ACTIONS)


def _review_state(task_id: int) -> tuple:
    return (list(ReviewTask.objects.filter(id=task_id).values()), ReviewEvent.objects.count(),
            TrainingExample.objects.count(), list(Message.objects.values_list("id", "corrected_text", "corrected_at")))


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", REVIEW_ACTIONS)
def test_review_actions_only_by_the_tasks_teachers(world, client_as, persona, action):
    task_id = world.review_task.id
    before = _review_state(task_id)
    response = client_as(persona).post(f"{REVIEW}/{task_id}/{action}/", REVIEW_FORMS[action])
    if persona in COURSE_A_TEACHERS:
        assert response.status_code == 302 and "/login/" not in response["Location"]
        assert (_review_state(task_id) != before) == (action in CHANGES_AN_OPEN_TASK)
        return
    # The other course's teacher and the author: no such task.
    assert answer(response) == refused(persona, staff_answer=404), persona
    assert _review_state(task_id) == before


@pytest.mark.parametrize("persona", COURSE_A_TEACHERS)
@pytest.mark.parametrize("action", REVIEW_ACTIONS)
def test_review_action_on_a_missing_task_is_404(world, client_as, persona, action):
    before = _review_state(world.review_task.id)
    response = client_as(persona).post(f"{REVIEW}/{MISSING_ID}/{action}/", REVIEW_FORMS[action])
    assert response.status_code == 404
    assert _review_state(world.review_task.id) == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_superusers_start_training_runs(world, client_as, persona):
    before = TrainingRun.objects.count()
    response = client_as(persona).post(f"{RUNS}/start/", {"course": world.course_b.id})
    if persona == "admin":
        assert response.status_code == 302 and TrainingRun.objects.count() == before + 1
        return
    assert answer(response) == refused(persona), persona
    assert TrainingRun.objects.count() == before


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", ["activate", "serve_base_model"])
def test_only_superusers_switch_the_serving_version(world, client_as, persona, action):
    before = list(ModelVersion.objects.order_by("id").values_list("status", flat=True))
    target = world.model_versions[1] if action == "activate" else world.model_versions[0]
    response = client_as(persona).post(f"{VERSIONS}/", {"action": action, "_selected_action": [target.id]})
    after = list(ModelVersion.objects.order_by("id").values_list("status", flat=True))
    if persona == "admin":
        assert response.status_code == 302
        # The folder of these versions does not exist: activation is refused, the base model is not.
        assert after == (before if action == "activate" else ["retired", "retired"])
        return
    assert answer(response) == refused(persona), persona
    assert after == before


def test_other_course_teacher_gets_the_same_404_as_for_a_missing_run(world, client_as):
    client = client_as("teacher2")
    for view in ("change/", "loss.svg"):
        theirs, missing = (client.get(f"{RUNS}/{run_id}/{view}") for run_id in (world.training_run.pk, MISSING_ID))
        assert theirs.status_code == missing.status_code == 404
        assert theirs.content == missing.content


def test_a_teachers_retraining_lists_hold_only_their_courses(world, client_as):
    for path in (f"{RUNS}/", f"{VERSIONS}/"):
        assert "Algebra" in client_as("teacher1").get(path).content.decode(), path
        assert "Algebra" not in client_as("teacher2").get(path).content.decode(), path  # not even as a filter


def test_a_teacher_sees_versions_and_runs_without_promotion_rollback_or_start(world, client_as):
    versions = client_as("teacher1").get(f"{VERSIONS}/").content.decode()
    assert "algebra-v1" in versions and "action-checkbox" not in versions and "Serve the" not in versions
    assert "Start a run" not in client_as("teacher1").get(f"{RUNS}/").content.decode()


def test_a_superuser_keeps_promotion_rollback_and_start(world, client_as):
    versions = client_as("admin").get(f"{VERSIONS}/").content.decode()
    assert "Serve the selected version" in versions and "Serve the base model" in versions
    assert "Start a run" in client_as("admin").get(f"{RUNS}/").content.decode()


def test_an_authors_content_list_holds_only_their_courses(world, client_as):
    page = client_as("author1").get("/admin/learning/coursecontent/").content.decode()
    assert "Algebra" in page and "Biology" not in page and "Upload content" in page


# --- LTI: the tool's keys and the mapping of a platform's course, each by every persona ----------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_superusers_rotate_the_tools_key(world, client_as, persona):
    from lti.models import ToolKey

    before = set(ToolKey.objects.values_list("kid", "status"))
    response = client_as(persona).post("/admin/lti/toolkey/rotate/")
    after = set(ToolKey.objects.values_list("kid", "status"))
    if persona == "admin":
        assert response.status_code == 302 and len(after) == len(before) + 1
        assert ToolKey.objects.get(pk=world.tool_key.pk).status == "served"
        return
    assert answer(response) == refused(persona), persona
    assert after == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_superusers_retire_a_served_key(world, client_as, persona):
    from lti.models import ToolKey

    ToolKey.objects.filter(pk=world.tool_key.pk).update(status="served")
    response = client_as(persona).post(
        "/admin/lti/toolkey/", {"action": "retire", "_selected_action": [world.tool_key.pk]})
    status = ToolKey.objects.get(pk=world.tool_key.pk).status
    if persona == "admin":
        assert response.status_code == 302 and status == "retired"
        return
    assert answer(response) == refused(persona), persona
    assert status == "served"


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_superusers_map_a_platform_course(world, client_as, persona):
    """Mapping decides which course a platform's users are enrolled in: a teacher must not point it at theirs."""
    from lti.models import Context

    response = client_as(persona).post(f"/admin/lti/context/{world.lti_context.pk}/change/",
                                       {"course": world.course_b.pk})
    course_id = Context.objects.get(pk=world.lti_context.pk).course_id
    if persona == "admin":
        assert response.status_code == 302 and course_id == world.course_b.pk
        return
    assert answer(response) == refused(persona), persona
    assert course_id == world.course_a.pk
