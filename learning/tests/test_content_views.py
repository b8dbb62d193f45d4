"""Two of the three ways to upload content: the admin page and the import_course command (the HTTP API is
tutor's: tutor/tests/test_content_api.py)."""
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command, execute_from_command_line
from django.test import Client

from learning.models import Course, Item, Passage
from learning.tests.factories import BAD_DOCUMENT as BAD
from learning.tests.factories import GOOD_DOCUMENT as GOOD

pytestmark = pytest.mark.django_db


def client_for(personas, persona: str, **options) -> Client:
    client = Client(**options)
    if persona != "anonymous":
        client.force_login(getattr(personas, persona))
    return client


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
