import pytest

from bench.privacy.benchmark import _report, plain_delete
from bench.privacy.seed import course_seed, student_seed
from learning.models import PrivacyAudit
from learning.privacy.services import student_data_erase
from tests.privacy_world import chat_ids, references
from tutor.models import Message

pytestmark = pytest.mark.django_db


def test_the_baseline_deletes_the_same_rows_the_erase_does():
    course, items = course_seed()
    student, twin = (student_seed(course=course, items=items, username=name, messages=40) for name in ("s", "t"))
    assert Message.objects.filter(conversation__student=student).count() == 40
    ids = {name: chat_ids(user) for name, user in (("student", student), ("twin", twin))}
    audit = student_data_erase(student=student, channel=PrivacyAudit.Channel.COMMAND)
    plain_delete(twin)
    assert references(ids["student"]) == references(ids["twin"]) == {}
    assert audit.counts["deleted"]["tutor.Message"] == 40 and audit.counts["deleted"]["sessions.Session"] == 1


def test_the_report_gives_medians_per_message_and_ratios():
    runs = [{"export_s": 2.0, "plain_read_s": 1.0, "erase_s": 4.0, "plain_delete_s": 1.0},
            {"export_s": 3.0, "plain_read_s": 1.0, "erase_s": 8.0, "plain_delete_s": 2.0},
            {"export_s": 9.0, "plain_read_s": 1.0, "erase_s": 6.0, "plain_delete_s": 2.0}]
    report = _report(runs, messages=1000, repeats=3, bystanders=0)
    assert report["median_s"] == {"export_s": 3.0, "plain_read_s": 1.0, "erase_s": 6.0, "plain_delete_s": 2.0}
    assert report["per_message_ms"]["erase"] == 6.0
    assert (report["export_over_plain_read"], report["erase_over_plain_delete"]) == (3.0, 3.0)
