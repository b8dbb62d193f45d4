"""Every HTTP route against every persona. The suite fails when a route exists that the matrix does not cover."""
import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

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
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", sorted(STAFF_PAGES))
def test_staff_pages_only_for_their_courses(personas, persona, page):
    build_path, expected, staff_default = STAFF_PAGES[page]
    response = client_for(personas, persona).get(build_path(personas))
    if persona == "anonymous" or not getattr(personas, persona).is_staff:
        assert response.status_code == 302, (page, persona)
    else:
        assert response.status_code == expected.get(persona, staff_default), (page, persona)


def test_an_authors_content_list_holds_only_their_courses(personas):
    page = client_for(personas, "author1").get("/admin/learning/coursecontent/").content.decode()
    assert "Algebra" in page and "Biology" not in page and "Upload content" in page
