"""The content upload API over HTTP (tutor/content_api.py); learning's tests cover the importer, the admin page
and the import_course command."""
import json

import pytest
from django.test import Client

from learning.models import Item, Passage, Skill
from learning.tests.factories import BAD_DOCUMENT as BAD
from learning.tests.factories import GOOD_DOCUMENT as GOOD
from tests.access_matrix import PERSONAS
from tutor.services import api_token_issue

pytestmark = pytest.mark.django_db

ALLOWED = {"author1", "admin"}


def client_for(personas, persona: str, **options) -> Client:
    client = Client(**options)
    if persona != "anonymous":
        client.force_login(getattr(personas, persona))
    return client


def url(course_id: int, query: str = "") -> str:
    return f"/api/courses/{course_id}/content{query}"


def post_json(client, course_id, payload=GOOD, **extra):
    return client.post(url(course_id), json.dumps(payload), content_type="application/json", **extra)


# ---------------------------------------------------------------- API: who may
@pytest.mark.parametrize("persona", PERSONAS)
def test_api_only_authors_of_the_course_may_import(personas, persona):
    response = post_json(client_for(personas, persona), personas.course_a.id)
    expected = 401 if persona == "anonymous" else 200 if persona in ALLOWED else 404
    assert response.status_code == expected, response.content[:300]
    assert Item.objects.filter(course=personas.course_a).exists() == (expected == 200)


def test_api_not_yours_looks_exactly_like_missing(personas):
    client = client_for(personas, "teacher1")
    not_yours = post_json(client, personas.course_a.id)
    missing = post_json(client_for(personas, "author1"), 999_999)
    assert not_yours.status_code == missing.status_code == 404
    assert not_yours.json() == missing.json() and missing.json()["error"]["code"] == "course_not_found"


def test_api_author_of_another_course_gets_404(personas):
    response = post_json(client_for(personas, "author1"), personas.course_b.id)
    assert response.status_code == 404 and not Item.objects.exists()


def test_api_success_returns_the_report(personas):
    response = post_json(client_for(personas, "author1"), personas.course_a.id)
    report = response.json()["report"]
    assert report["items_created"] == 1 and report["skills_created"] == 1 and report["format"] == "json"


def test_api_get_is_405(personas):
    assert client_for(personas, "author1").get(url(personas.course_a.id)).status_code == 405


# ---------------------------------------------------------------- API: what is refused
def test_api_rejection_lists_every_error(personas):
    response = post_json(client_for(personas, "author1"), personas.course_a.id, BAD)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "content_rejected" and "nothing was imported" in error["detail"]
    assert error["errors"] == [{
        "where": "items[0]", "field": "answer.kind", "found": '"numbr"',
        "expected": "one of exact, numeric, choice, set",
        "message": 'items[0].answer.kind: found "numbr", expected one of exact, numeric, choice, set',
    }]
    assert not Skill.objects.exists()


def test_api_too_large_is_413(personas, settings):
    settings.TUTOR_MAX_CONTENT_BYTES = 50
    response = post_json(client_for(personas, "author1"), personas.course_a.id)
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "content_too_large"
    assert error["errors"][0]["message"] == f"file: found {len(json.dumps(GOOD))} bytes, expected at most 50 bytes"


@pytest.mark.parametrize("content_type", ["application/pdf", "text/csv; charset=latin-1", ""])
def test_api_unsupported_content_type_is_415(personas, content_type):
    client = client_for(personas, "author1")
    response = client.post(url(personas.course_a.id), b"abc", content_type=content_type)
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_content_type"
    assert response.json()["error"]["errors"][0]["field"] == "Content-Type"


def test_api_csv_and_markdown_with_source(personas):
    client = client_for(personas, "author1")
    post_json(client, personas.course_a.id)
    csv = "key,prompt,skills,answer_kind,answer\nadd-2,2 + 2?,adding,numeric,4\n"
    response = client.post(url(personas.course_a.id), csv.encode(), content_type="text/csv; charset=utf-8")
    assert response.status_code == 200 and response.json()["report"]["items_created"] == 1
    response = client.post(url(personas.course_a.id, "?source=notes"), b"# Adding\nAdd.", content_type="text/markdown")
    assert response.status_code == 200 and Passage.objects.get().title == "Adding"


@pytest.mark.parametrize("query", ["", "?source=" + "n" * 121, "?source=bad%20name"])
def test_api_reference_needs_a_valid_source(personas, query):
    client = client_for(personas, "author1")
    response = client.post(url(personas.course_a.id, query), b"Some text.", content_type="text/plain")
    assert response.status_code == 400
    assert response.json()["error"]["errors"][0]["field"] in ("", "source")
    assert not Passage.objects.exists()


# ---------------------------------------------------------------- API: CSRF and tokens
def test_api_anonymous_gets_401_json_not_the_csrf_page(personas):
    response = post_json(Client(enforce_csrf_checks=True), personas.course_a.id)
    assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated"


def test_api_session_post_needs_csrf(personas):
    client = client_for(personas, "author1", enforce_csrf_checks=True)
    refused = post_json(client, personas.course_a.id)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "csrf_failed")
    assert not Item.objects.exists()
    client.get("/")  # the student page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    assert post_json(client, personas.course_a.id, HTTP_X_CSRFTOKEN=token).status_code == 200


def test_api_bearer_token_needs_no_csrf(personas):
    client = Client(enforce_csrf_checks=True)
    token = api_token_issue(user=personas.author1)
    response = post_json(client, personas.course_a.id, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200


def test_api_bad_bearer_token_is_401(personas):
    response = post_json(Client(enforce_csrf_checks=True), personas.course_a.id, HTTP_AUTHORIZATION="Bearer nope")
    assert response.status_code == 401
