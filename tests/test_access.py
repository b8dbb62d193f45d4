"""Every HTTP route and every WebSocket client frame type against every persona. The suite fails when a route
or a frame type exists that the matrix does not cover. The admin site has its own matrix: test_access_admin.py."""
from typing import get_args

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from annotation.services import review_correct
from annotation.tests.review_factories import flagged_task
from learning.models import Attempt, ServedItem
from learning.tests.factories import practice_content
from tests.access_matrix import PERSONAS, client_for
from tutor.models import ApiToken, Conversation
from tutor.protocol import CLIENT_FRAMES
from tutor.services import api_token_issue
from tutor.asgi import application
from tutor.tests.wsclient import (
    ORIGIN, TutorSocket, ask_frame, connect_as, open_socket, receive_until, session_cookie_for, token_for,
)

EVERYONE_LOGGED_IN = [p for p in PERSONAS if p != "anonymous"]

# route name -> (method, path builder, {persona: expected status}, status for the unlisted personas)
MATRIX = {
    "index": ("get", lambda p: "/", {}, 200),
    "health": ("get", lambda p: "/healthz", {}, 200),
    "content-format-guide": ("get", lambda p: "/help/content-format", {}, 200),  # documentation: public
    "javascript-catalog": ("get", lambda p: "/jsi18n/", {}, 200),  # the student page's words: public, as the page
    "api-auth-token": ("post", lambda p: "/api/auth/token", {}, 400),  # empty body: credentials required
    "api-auth-login": ("post", lambda p: "/api/auth/login", {}, 400),
    "api-auth-logout": ("post", lambda p: "/api/auth/logout", {"anonymous": 401}, 200),
    "api-auth-tokens": ("get", lambda p: "/api/auth/tokens", {"anonymous": 401}, 200),
    "api-auth-token-revoke": (
        "delete",
        lambda p: f"/api/auth/tokens/{_token_of(p.student1)}",
        {"anonymous": 401, "student1": 200},
        404,  # another user's token looks exactly like one that does not exist
    ),
    "api-me": ("get", lambda p: "/api/me", {"anonymous": 401}, 200),
    "api-conversations": (
        "get",
        lambda p: f"/api/courses/{p.course_a.id}/conversations",
        {"anonymous": 401, "student1": 200, "student2": 200},
        404,  # a course you are not a student of looks exactly like one that does not exist
    ),
    "lti-jwks": ("get", lambda p: "/lti/jwks.json", {}, 200),  # the tool's public keys: public
    # A platform's requests, whoever's browser carries them: without iss and login_hint, or without a launch's
    # state and id_token, each is refused with its page (lti/tests/test_refusals.py has every refusal).
    "lti-login": ("post", lambda p: "/lti/login", {}, 400),
    "lti-launch": ("post", lambda p: "/lti/launch", {}, 400),
    # An instructor's deep linking choice: only the session a deep linking launch started holds a request
    # (lti/tests/test_deep_linking.py); without one, there is nothing to answer for anyone.
    "lti-deep-link": ("get", lambda p: "/lti/deep-link", {}, 404),
    "api-course-content": (
        "post",
        lambda p: f"/api/courses/{p.course_a.id}/content",
        {"anonymous": 401, "author1": 400, "admin": 400},  # empty body: an empty file is rejected
        404,  # only the course's authors (and administrators) may upload; everyone else sees no course
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", sorted(MATRIX))
def test_route_access(personas, route, persona):
    method, build_path, expected, default = MATRIX[route]
    response = getattr(client_for(personas, persona), method)(build_path(personas), content_type="application/json")
    assert response.status_code == expected.get(persona, default), (route, persona, response.content[:200])


API_ROUTES = sorted(name for name in MATRIX if name.startswith("api-"))
# Without the test client's CSRF exemption (a browser or a script has none), anonymous callers still get the
# matrix's answer as the API's JSON error, never Django's HTML page; only logging in needs the CSRF token first.
ANONYMOUS_WITH_CSRF_CHECKS = {"api-auth-login": (403, "csrf_failed"), "api-auth-token": (400, "invalid_field")}


@pytest.mark.django_db
@pytest.mark.parametrize("route", API_ROUTES)
def test_anonymous_api_callers_get_json_errors_with_csrf_checks_on(personas, route):
    method, build_path, _, _ = MATRIX[route]
    response = getattr(Client(enforce_csrf_checks=True), method)(build_path(personas), content_type="application/json")
    expected = ANONYMOUS_WITH_CSRF_CHECKS.get(route, (401, "not_authenticated"))
    assert (response.status_code, response.json()["error"]["code"]) == expected, response.content[:200]


def _token_of(user) -> int:
    api_token_issue(user=user)
    return ApiToken.objects.filter(user=user).latest("id").id


def _route_names(resolver: URLResolver) -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the admin site's matrix and its guard are in test_access_admin.py
            names |= _route_names(pattern)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"route {pattern.pattern} has no name, so the access matrix cannot cover it"
            names.add(pattern.name)
    return names


def test_every_route_is_in_the_access_matrix():
    uncovered = _route_names(get_resolver()) - set(MATRIX)
    assert not uncovered, f"routes missing from the access matrix: {sorted(uncovered)}"


@pytest.mark.django_db
def test_each_matrix_path_reaches_the_route_it_is_listed_under(personas):
    reached = {name: resolve(build_path(personas)).url_name for name, (_, build_path, _, _) in MATRIX.items()}
    assert reached == {name: name for name in MATRIX}


# --- the WebSocket: each client frame type by each persona ---------------------------------------------------
# Anonymous visitors never get that far: their handshake is refused (test_anonymous_handshake_is_refused).


async def _ask_in_course_a(personas, persona, communicator):
    await communicator.send_json_to(ask_frame(personas.course_a.id))
    reply = await communicator.receive_json_from()
    if persona in ("student1", "student2"):
        assert reply["type"] == "ack"
        await receive_until(communicator, "answer")
    else:
        assert (reply["type"], reply["code"]) == ("error", "course_not_found")


async def _history_of_student1s_conversation(personas, persona, communicator):
    conversation = await database_sync_to_async(Conversation.objects.create)(
        student=personas.student1, course=personas.course_a
    )
    await communicator.send_json_to({"type": "history", "conversation": conversation.id, "after": None})
    reply = await communicator.receive_json_from()
    if persona == "student1":
        assert reply["type"] == "history"
    else:
        assert (reply["type"], reply["code"]) == ("error", "conversation_not_found")


async def _next_item_in_course_a(personas, persona, communicator):
    await database_sync_to_async(practice_content)(personas.course_a)
    await communicator.send_json_to({"type": "next_item", "course": personas.course_a.id, "mode": "practice"})
    reply = await communicator.receive_json_from()
    if persona in ("student1", "student2"):
        assert reply["type"] == "item"
    else:
        assert (reply["type"], reply["code"]) == ("error", "course_not_found")


async def _open_item_of_student1_in_course_a(personas, persona, communicator):
    items = await database_sync_to_async(practice_content)(personas.course_a)
    item = items["solve-1"]
    await database_sync_to_async(ServedItem.objects.create)(student=personas.student1, item=item, mode="practice")
    await communicator.send_json_to({"type": "open_item", "course": personas.course_a.id})
    reply = await communicator.receive_json_from()
    if persona == "student1":
        assert (reply["type"], reply["item_id"]) == ("item", item.id)
    elif persona == "student2":  # in the course, but the item was served to student1
        assert reply == {"type": "no_open_item", "course": personas.course_a.id}
    else:
        assert (reply["type"], reply["code"]) == ("error", "course_not_found")


async def _submit_for_student1s_item(personas, persona, communicator):
    items = await database_sync_to_async(practice_content)(personas.course_a)
    item = items["solve-1"]
    await database_sync_to_async(ServedItem.objects.create)(student=personas.student1, item=item, mode="practice")
    await communicator.send_json_to({"type": "submit", "item_id": item.id, "response": "1"})
    reply = await communicator.receive_json_from()
    if persona == "student1":
        assert reply["type"] == "graded" and reply["correct"] is True
    else:
        assert (reply["type"], reply["code"]) == ("error", "item_not_open")
    assert await database_sync_to_async(Attempt.objects.count)() == (1 if persona == "student1" else 0)


# client frame type -> scenario: only course A's students may ask or practise in it, only student1 may read
# student1's conversation, see the item open for student1 or answer it.
SOCKET_MATRIX = {
    "ask": _ask_in_course_a,
    "history": _history_of_student1s_conversation,
    "next_item": _next_item_in_course_a,
    "open_item": _open_item_of_student1_in_course_a,
    "submit": _submit_for_student1s_item,
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", EVERYONE_LOGGED_IN)
@pytest.mark.parametrize("frame_type", sorted(SOCKET_MATRIX))
async def test_client_frame_access(personas, fake_engine, frame_type, persona):
    communicator = await connect_as(getattr(personas, persona))
    await SOCKET_MATRIX[frame_type](personas, persona, communicator)
    await communicator.disconnect()


def _client_frame_types() -> set[str]:
    """What the protocol parses: the parse table's keys, and the ``type`` each of its schemas accepts."""
    declared = {value for schema in CLIENT_FRAMES.values()
                for value in get_args(schema.model_fields["type"].annotation)}
    return set(CLIENT_FRAMES) | declared


def test_every_client_frame_type_is_in_the_access_matrix():
    uncovered = _client_frame_types() - set(SOCKET_MATRIX)
    assert not uncovered, f"client frame types missing from SOCKET_MATRIX: {sorted(uncovered)}"


# How an anonymous visitor might try the socket -> its headers. Browsers send our cookie with any request to our
# host, so a cookie counts only with our Origin; a client elsewhere must present a live token.
ANONYMOUS_HANDSHAKES = {
    "no credentials": lambda token, cookie: [(b"origin", ORIGIN)],
    "a made-up token": lambda token, cookie: [(b"authorization", b"Bearer not-a-real-token")],
    "an expired token": lambda token, cookie: [(b"authorization", f"Bearer {token}".encode())],
    "a session cookie from another site": lambda token, cookie: [(b"cookie", cookie),
                                                                 (b"origin", b"http://evil.example")],
    "a session cookie without an Origin": lambda token, cookie: [(b"cookie", cookie)],
}


async def _expired_token_and_session_cookie(user) -> tuple[str, bytes]:
    token = await token_for(user)
    await database_sync_to_async(ApiToken.objects.filter(user=user).update)(expires_at=timezone.now())
    return token, await database_sync_to_async(session_cookie_for)(user)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", sorted(ANONYMOUS_HANDSHAKES))
async def test_anonymous_handshake_is_refused(personas, attempt):
    token, cookie = await _expired_token_and_session_cookie(personas.student1)
    communicator, connected = await open_socket(ANONYMOUS_HANDSHAKES[attempt](token, cookie))
    assert not connected, attempt
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_same_session_cookie_from_our_page_is_accepted(personas):
    """The refusals above are for the reasons they name, not for a cookie that never worked."""
    _, cookie = await _expired_token_and_session_cookie(personas.student1)
    communicator, connected = await open_socket([(b"cookie", cookie), (b"origin", ORIGIN)])
    assert connected
    await communicator.disconnect()


# --- frames the server pushes to one student's sockets ------------------------------------------------------
# tutor/tests/test_correction_socket.py shows a correction reaching student1's every tab and not student2.


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", ["student3", "teacher1", "teacher2", "author1", "admin"])
async def test_a_correction_reaches_only_its_students_sockets(personas, persona):
    """teacher1 is the one who corrects: even their own socket does not get the student's frame."""
    task = await database_sync_to_async(flagged_task)(course=personas.course_a, student=personas.student1)
    student, other = await connect_as(personas.student1), await connect_as(getattr(personas, persona))
    await database_sync_to_async(review_correct)(task_id=task.id, teacher=personas.teacher1, text="It is 3/4.")
    frame = await student.receive_json_from()
    assert (frame["type"], frame["message_id"]) == ("correction", task.answer_id)
    assert await other.receive_nothing(timeout=0.3)
    for socket in (student, other):
        await socket.disconnect()


# --- the teachers' socket (/ws/teachers/): the admin's drafts page ----------------------------------------------
# tutor/tests/test_drafts.py shows a course's drafts reaching its teachers' pages and not another course's.
TEACHERS_SOCKET = {"anonymous": False, "student1": False, "student2": False, "student3": False,
                   "teacher1": True, "teacher2": True, "author1": False, "admin": True}
assert set(TEACHERS_SOCKET) == set(PERSONAS)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", PERSONAS)
async def test_only_those_who_teach_a_course_open_the_teachers_socket(personas, persona):
    headers = [(b"origin", ORIGIN)]
    if persona != "anonymous":
        headers.append((b"cookie", await database_sync_to_async(session_cookie_for)(getattr(personas, persona))))
    socket = TutorSocket(application, "/ws/teachers/", headers=headers)
    connected, _ = await socket.connect()
    assert connected is TEACHERS_SOCKET[persona], persona
    await socket.disconnect()
