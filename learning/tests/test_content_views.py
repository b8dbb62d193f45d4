"""The three ways to upload content: the HTTP API, the admin page and the import_course command."""
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command, execute_from_command_line
from django.test import Client

from learning.models import Course, Item, Passage, Skill
from tutor.services import api_token_issue

pytestmark = pytest.mark.django_db

GOOD = {
    "format": "tutor-course/1",
    "skills": [{"key": "adding", "name": "Adding"}],
    "items": [{"key": "add-1", "prompt": "1 + 1?", "answer": {"kind": "numeric", "value": 2}, "skills": ["adding"]}],
}
BAD = {**GOOD, "items": [{**GOOD["items"][0], "answer": {"kind": "numbr"}}]}
PERSONAS = ["anonymous", "student1", "student2", "student3", "teacher1", "teacher2", "author1", "admin"]
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
def test_api_session_post_needs_csrf(personas):
    client = client_for(personas, "author1", enforce_csrf_checks=True)
    assert post_json(client, personas.course_a.id).status_code == 403
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


# ---------------------------------------------------------------- admin page
def admin_url(course_id: int) -> str:
    return f"/admin/learning/course/{course_id}/content/"


def upload(name: str, payload) -> SimpleUploadedFile:
    data = json.dumps(payload).encode() if isinstance(payload, dict) else payload
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_admin_author_uploads_and_sees_the_report(personas):
    client = client_for(personas, "author1")
    assert client.get(admin_url(personas.course_a.id)).status_code == 200
    response = client.post(admin_url(personas.course_a.id), {"file": upload("course.json", GOOD)}, follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert shown[0] == "Imported course.json: 1 skills created, 1 items created."
    assert Item.objects.filter(course=personas.course_a).count() == 1


def test_admin_rejection_lists_the_errors_and_writes_nothing(personas):
    client = client_for(personas, "author1")
    response = client.post(admin_url(personas.course_a.id), {"file": upload("course.json", BAD)})
    assert response.status_code == 200
    assert "items[0].answer.kind: found &quot;numbr&quot;, expected one of exact, numeric, choice, set" in response.text
    assert not Item.objects.exists()


def test_admin_markdown_with_source_name(personas):
    client = client_for(personas, "admin")
    client.post(admin_url(personas.course_a.id), {"file": upload("My Notes.md", b"Text."), "source": "notes"})
    assert list(Passage.objects.values_list("source", flat=True)) == ["notes"]


@pytest.mark.parametrize(
    ("persona", "status"), [("author1", 200), ("admin", 200), ("teacher1", 404), ("teacher2", 404)]
)
def test_admin_upload_page_access(personas, persona, status):
    assert client_for(personas, persona).get(admin_url(personas.course_a.id)).status_code == status


def test_admin_teacher_cannot_post(personas):
    response = client_for(personas, "teacher1").post(admin_url(personas.course_a.id), {"file": upload("c.json", GOOD)})
    assert response.status_code == 404 and not Item.objects.exists()


def test_admin_missing_course_is_404_like_not_yours(personas):
    assert client_for(personas, "author1").get(admin_url(999_999)).status_code == 404


@pytest.mark.parametrize("persona", ["anonymous", "student1"])
def test_admin_non_staff_are_sent_to_login(personas, persona):
    response = client_for(personas, persona).get(admin_url(personas.course_a.id))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admin_course_list_links_to_the_upload_page(personas):
    response = client_for(personas, "admin").get("/admin/learning/course/")
    assert admin_url(personas.course_a.id) in response.text


# ---------------------------------------------------------------- the command
def test_command_prints_the_report(personas, tmp_path, capsys):
    path = tmp_path / "algebra.json"
    path.write_text(json.dumps(GOOD))
    call_command("import_course", str(path), "--course", "algebra")
    output = json.loads(capsys.readouterr().out)
    assert output["course"] == "algebra" and output["report"]["items_created"] == 1


def test_command_rejection_exits_1_with_one_error_per_line(personas, tmp_path, capsys, monkeypatch):
    # run_from_argv closes every connection on the way out, which would end the test's transaction on PostgreSQL.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    path = tmp_path / "algebra.json"
    bad = {**GOOD, "format": "x", "items": BAD["items"]}
    path.write_text(json.dumps(bad))
    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "import_course", str(path), "--course", "algebra"])
    assert exited.value.code == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[:2] == [
        'format: found "x", expected exactly "tutor-course/1"',
        'items[0].answer.kind: found "numbr", expected one of exact, numeric, choice, set',
    ]
    assert "2 errors" in lines[2] and not Item.objects.exists()


def test_command_create_and_source(tmp_path, capsys):
    path = tmp_path / "chapter.md"
    path.write_text("# One\nText.")
    with pytest.raises(CommandError, match="--create"):
        call_command("import_course", str(path), "--course", "geometry")
    call_command("import_course", str(path), "--course", "geometry", "--create", "--source", "notes")
    course = Course.objects.get(slug="geometry")
    assert course.title == "geometry" and list(course.passages.values_list("source", flat=True)) == ["notes"]


def test_command_missing_file(personas, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_course", str(tmp_path / "nope.json"), "--course", "algebra")
