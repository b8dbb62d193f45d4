"""Export and erase of one student's data (learning.privacy) across the three apps' sections."""
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command

from annotation.models import GoldenCase, TrainingExample, TrainingRun
from learning.models import PrivacyAudit
from learning.privacy.document import document_model, document_schema
from learning.privacy.registry import (
    Part, PrivacySection, Tally, privacy_section_register, privacy_section_unregister, sections_top_down,
)
from learning.privacy.services import PrivacyRefused, student_data_erase, student_data_export
from tests.privacy_world import (
    EMAIL, FIRST, LAST, chat_ids, name_student1, references, stored_text, student_with_everything,
)
from tutor.models import SafeguardingAlert

pytestmark = pytest.mark.django_db
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "docs" / "student-data.schema.json"
COMMAND = PrivacyAudit.Channel.COMMAND


@pytest.fixture
def two_students(personas):
    name_student1(personas)
    student_with_everything(personas, personas.student1)
    student_with_everything(personas, personas.student2, question="What is 2/5 + 1/5?")
    return personas


def _export(student) -> dict:
    document = student_data_export(student=student, channel=COMMAND)
    document.pop("exported_at")
    return document


def test_export_holds_every_kind_of_row_and_validates_against_the_shipped_schema(two_students):
    document = student_data_export(student=two_students.student1, channel=COMMAND)
    document_model().model_validate_json(json.dumps(document))  # strict, closed: an unknown or missing key fails
    assert json.loads(SCHEMA_FILE.read_text()) == document_schema(), (
        "docs/student-data.schema.json is stale: run manage.py student_data schema --out docs/student-data.schema.json "
        "(and bump SCHEMA_VERSION in learning/privacy/document.py if a field changed or went)")
    assert document["account"]["email"] == EMAIL and "password" not in document["account"]
    learning, tutor, annotation = document["learning"], document["tutor"], document["annotation"]
    assert [len(learning[key]) for key in ("enrolments", "servings", "attempts", "misconceptions", "knowledge")] \
        == [1, 1, 1, 1, 1]
    assert learning["knowledge"][0]["mastery"]
    assert len(tutor["conversations"]) == 2 and sum(len(c["messages"]) for c in tutor["conversations"]) == 4
    assert [len(tutor[key]) for key in ("safeguarding_alerts", "experiment_assignments", "api_tokens")] == [1, 1, 1]
    assert tutor["experiments_covering"] == ["hints or explain"]
    assert "key_hash" not in json.dumps(tutor["api_tokens"])
    assert [len(annotation[key]) for key in ("answer_scores", "review_tasks", "training_examples")] == [1, 2, 2]
    assert FIRST in annotation["training_examples"][0]["question"]  # the export is the data as held
    assert [(i["issuer"], i["sub"]) for i in document["lti"]["identities"]] == [
        ("https://lms.example.edu", f"lms-user-{two_students.student1.pk}")]
    assert PrivacyAudit.objects.get(action="export").counts["exported"]["tutor.conversations"] == 2


def test_another_students_export_holds_nothing_of_the_first(two_students):
    assert FIRST not in json.dumps(_export(two_students.student2))


def test_every_section_erases_its_own_rows_before_the_account_goes(two_students):
    """Walks every foreign key of every model: a future model pointing at a student or their chat fails here
    until its app's section erases it."""
    ids, tally = chat_ids(two_students.student1), Tally()
    for section in sections_top_down():
        if section.key != "account":
            section.erase(two_students.student1, tally)
    assert references(ids, skip_apps=("auth",)) == {}


def test_after_erase_no_row_references_the_student_and_nothing_names_them(two_students):
    student, ids = two_students.student1, chat_ids(two_students.student1)
    assert references(ids)  # the walk finds the rows before
    audit = student_data_erase(student=student, channel=COMMAND)
    assert references(ids) == {}
    assert not get_user_model().objects.filter(pk=ids.user).exists()
    text = stored_text()
    for identifier in (FIRST, LAST, EMAIL, "student1", "70 123 45 67"):
        assert identifier not in text, identifier
    assert not any(s.get_decoded().get("_auth_user_id") == str(ids.user) for s in Session.objects.all())
    assert audit.counts["deleted"]["tutor.Message"] == 4 and audit.counts["deleted"]["auth.User"] == 1
    assert audit.counts["anonymised"] == {"annotation.GoldenCase": 1, "annotation.TrainingExample": 2,
                                          "annotation.TrainingRun": 1}
    assert audit.reference.version == 4 and set(audit.counts) == {"deleted", "anonymised"}  # random, counts only


def test_training_examples_stay_as_anonymised_text_with_only_the_course(two_students):
    course = two_students.course_a
    student_data_erase(student=two_students.student1, channel=COMMAND)
    kept = TrainingExample.objects.filter(course=course, question__contains="1/2 + 1/4").get()
    assert kept.question == "Hi, I am [student] ([email], [phone]). What is 1/2 + 1/4?"
    assert kept.answer == "[student], it is 3/4." and kept.rewordings == ["[student] asks: 1/2 + 1/4?"]
    assert (kept.source_message, kept.review_task, kept.teacher) == (None, None, None)
    assert GoldenCase.objects.get(example=kept).question == kept.question
    report = TrainingRun.objects.order_by("id").first().report  # student1's: made first
    assert report["cases"][0]["question"] == kept.question
    assert report["cases"][0]["before"]["answer"] == "Well [student], it is 2/6."
    assert report["changed"] == [{"question": "An unrelated question on 2/3?"}]  # not the student's: as it was


def test_another_students_data_is_untouched(two_students):
    before = _export(two_students.student2)
    student_data_erase(student=two_students.student1, channel=COMMAND)
    assert _export(two_students.student2) == before


def test_a_failure_midway_rolls_the_whole_erase_back(two_students):
    before, audits = _export(two_students.student1), PrivacyAudit.objects.count()

    def fail(student, tally):
        raise RuntimeError("disk full")

    # Below the account: it runs last, after every other section and the account have deleted their rows.
    privacy_section_register(PrivacySection(key="failing", level=-2, part=Part, export=lambda s: Part(), erase=fail))
    try:
        with pytest.raises(RuntimeError):
            student_data_erase(student=two_students.student1, channel=COMMAND)
    finally:
        privacy_section_unregister("failing")
    assert _export(two_students.student1) == before
    assert PrivacyAudit.objects.count() == audits + 1  # the export just now; no erase audit


def test_an_unacknowledged_safeguarding_alert_stops_the_erase(two_students):
    SafeguardingAlert.objects.filter(student=two_students.student1).update(acknowledged_at=None)
    with pytest.raises(PrivacyRefused, match="have not been acknowledged"):
        student_data_erase(student=two_students.student1, channel=COMMAND)
    assert get_user_model().objects.filter(pk=two_students.student1.pk).exists()


def test_a_staff_account_is_refused(personas):
    with pytest.raises(PrivacyRefused, match="staff account"):
        student_data_erase(student=personas.teacher1, channel=COMMAND)


def test_command_exports_to_a_file_by_id_and_erases_with_yes(two_students, tmp_path, capsys):
    out = tmp_path / "export.json"
    call_command("student_data", "export", str(two_students.student1.pk), "--out", str(out))
    assert json.loads(out.read_text())["account"]["username"] == "student1"
    call_command("student_data", "erase", "student1", "--yes")
    printed = json.loads(capsys.readouterr().out)
    assert printed["erased"] and printed["audit_reference"] == str(PrivacyAudit.objects.get(action="erase").reference)
    assert not get_user_model().objects.filter(username="student1").exists()


def test_command_names_a_missing_user_and_needs_confirmation(two_students, monkeypatch):
    with pytest.raises(CommandError, match="no user with the username or id 'nobody'"):
        call_command("student_data", "export", "nobody")
    monkeypatch.setattr("builtins.input", lambda prompt: "student2")  # the wrong name typed
    with pytest.raises(CommandError, match="confirmation not given"):
        call_command("student_data", "erase", "student1")
    assert get_user_model().objects.filter(username="student1").exists()
