import json
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.test import Client
from django.utils import timezone

from annotation.tests.factories import answered_question
from tutor.models import ApiToken, Conversation
from tutor.services import api_token_issue

pytestmark = pytest.mark.django_db


def post_json(client: Client, path: str, body) -> tuple[int, dict]:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    response = client.post(path, data=data, content_type="application/json")
    return response.status_code, response.json()


def test_token_for_good_credentials_authenticates_api_calls(personas):
    status, body = post_json(Client(), "/api/auth/token", {"username": "student1", "password": "pw-student1"})
    assert status == 200
    me = Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {body['token']}").json()
    assert me["username"] == "student1" and [c["title"] for c in me["courses"]] == ["Algebra"]


def test_token_is_stored_only_as_a_hash(personas):
    raw = api_token_issue(user=personas.student1)
    assert not ApiToken.objects.filter(key_hash=raw).exists()
    assert ApiToken.objects.filter(key_hash=ApiToken.hash_key(raw)).exists()


def test_wrong_password_gets_401_and_no_token(personas):
    status, body = post_json(Client(), "/api/auth/token", {"username": "student1", "password": "nope"})
    assert status == 401 and body["error"]["code"] == "invalid_credentials"
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("{oops", "not valid JSON"),
        ("[]", "JSON object"),
        ({"username": "student1"}, '"password" is required'),
        ({"username": "student1", "password": 5}, '"password" is invalid'),
        ({"username": "student1", "password": "x", "admin": True}, 'Unknown field "admin"'),
        ({"username": "s" * 151, "password": "x"}, '"username" is invalid'),
    ],
)
def test_bad_token_body_names_what_was_wrong(personas, body, needle):
    status, reply = post_json(Client(), "/api/auth/token", body)
    assert status == 400 and needle in reply["error"]["detail"]


def test_oversized_body_rejected(personas):
    status, reply = post_json(Client(), "/api/auth/token", {"username": "x", "password": "p" * 5000})
    assert status == 400 and reply["error"]["code"] == "body_too_large"


def test_session_login_requires_csrf_token(personas):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/auth/login", data=json.dumps({"username": "student1", "password": "pw-student1"}), content_type="application/json")
    assert response.status_code == 403


def test_session_login_then_logout(personas):
    client = Client()
    status, body = post_json(client, "/api/auth/login", {"username": "student1", "password": "pw-student1"})
    assert status == 200 and client.get("/api/me").status_code == 200
    post_json(client, "/api/auth/logout", {})
    assert client.get("/api/me").status_code == 401


def test_index_page_sets_csrf_cookie_and_loads_script():
    response = Client().get("/")
    assert response.status_code == 200 and "csrftoken" in response.cookies
    assert b"tutor/chat.js" in response.content


def test_student_sees_only_own_conversations(personas):
    mine = Conversation.objects.create(student=personas.student1, course=personas.course_a, title="mine")
    Conversation.objects.create(student=personas.student2, course=personas.course_a, title="theirs")
    client = Client()
    client.force_login(personas.student1)
    body = client.get(f"/api/courses/{personas.course_a.id}/conversations").json()
    assert [c["id"] for c in body["conversations"]] == [mine.id]


def conversations_of(user, course) -> list[dict]:
    client = Client()
    client.force_login(user)
    return client.get(f"/api/courses/{course.id}/conversations").json()["conversations"]


def test_the_most_recently_active_conversation_comes_first(personas):
    older = answered_question(student=personas.student1, course=personas.course_a, question="First?")
    newer = answered_question(student=personas.student1, course=personas.course_a, question="Second?")
    silent = Conversation.objects.create(student=personas.student1, course=personas.course_a, title="Never asked")
    Conversation.objects.filter(pk=silent.pk).update(created_at=timezone.now() - timedelta(days=1))
    assert [c["id"] for c in conversations_of(personas.student1, personas.course_a)] == [
        newer.conversation_id, older.conversation_id, silent.id]
    answered_question(student=personas.student1, course=personas.course_a, question="Back to it",
                      conversation=older.conversation)  # the older one is active again
    listed = conversations_of(personas.student1, personas.course_a)
    assert [c["id"] for c in listed] == [older.conversation_id, newer.conversation_id, silent.id]
    assert listed[0]["last_activity_at"] > listed[1]["last_activity_at"] > listed[2]["last_activity_at"]


def test_conversations_with_the_same_first_question_have_different_titles(personas):
    started = datetime(2026, 11, 21, 20, 31, tzinfo=dt_timezone.utc)
    for _ in range(2):
        conversation = Conversation.objects.create(student=personas.student1, course=personas.course_a,
                                                   title="How do I add 1/3 and 1/4?")
        Conversation.objects.filter(pk=conversation.pk).update(created_at=started)
    Conversation.objects.create(student=personas.student2, course=personas.course_a, title="Someone else's")
    titles = sorted(c["title"] for c in conversations_of(personas.student1, personas.course_a))
    assert titles == ["1. How do I add 1/3 and 1/4? (21 Nov 2026, 20:31 UTC)",
                      "2. How do I add 1/3 and 1/4? (21 Nov 2026, 20:31 UTC)"]


def test_a_long_first_question_is_clipped_in_the_title(personas):
    Conversation.objects.create(student=personas.student1, course=personas.course_a,
                                title="Why   does\nthe denominator stay the same when I add two fractions with it?")
    [listed] = conversations_of(personas.student1, personas.course_a)
    assert listed["title"].startswith("1. Why does the denominator stay the same when I a… (")


def test_conversations_of_a_course_not_enrolled_look_missing(personas):
    client = Client()
    client.force_login(personas.student1)
    other = client.get(f"/api/courses/{personas.course_b.id}/conversations")
    missing = client.get("/api/courses/987654/conversations")
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()


def test_expired_token_is_refused(personas):
    from datetime import timedelta

    from django.utils import timezone

    raw = api_token_issue(user=personas.student1)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_token_of_deactivated_user_is_refused(personas):
    raw = api_token_issue(user=personas.student1)
    personas.student1.is_active = False
    personas.student1.save()
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_the_content_format_guide_is_served_from_the_site_and_linked_from_the_upload_page(client, personas):
    response = client.get("/help/content-format")
    html = response.content.decode()
    assert response.status_code == 200 and "<h1>Course content format</h1>" in html
    assert "<table>" in html and "<h3>Misconceptions</h3>" in html
    client.force_login(personas.author1)
    upload = client.get(f"/admin/learning/course/{personas.course_a.pk}/content/").content.decode()
    assert 'href="/help/content-format"' in upload
