"""How long exporting and erasing one student with N chat messages takes, each beside a baseline measured in
the same run on an identical twin student: the export against a plain read of the same messages (one query,
``values()``), the erase against plain bulk deletes of the same rows (one ``DELETE`` per table, no collection of
related rows, no anonymising, no audit). The ratio is what exporting or erasing with the rules costs over the
bare database work.

Runs in a throwaway database (Django's test database of the configured one: a temporary file for SQLite,
``test_<name>`` on PostgreSQL), with ``bystanders`` other students holding as much data, so that the tables are
not empty. Prints nothing itself; ``manage.py privacy_bench`` prints the JSON.
"""
from __future__ import annotations

import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection, transaction

from annotation.models import AnswerScore, ReviewEvent, ReviewTask, TrainingExample
from bench.privacy.seed import course_seed, student_seed
from learning.models import Attempt, Enrollment, KnowledgeState, PrivacyAudit, ServedItem
from learning.privacy.services import student_data_erase, student_data_export
from tutor.models import ApiToken, Conversation, Message

CHANNEL = PrivacyAudit.Channel.COMMAND


def run_privacy_bench(*, messages: int = 1000, repeats: int = 3, bystanders: int = 10) -> dict:
    with throwaway_database():
        course, items = course_seed()
        for n in range(bystanders):
            student_seed(course=course, items=items, username=f"bystander{n}", messages=messages)
        runs = [_one_run(course, items, messages, n) for n in range(repeats)]
    return _report(runs, messages=messages, repeats=repeats, bystanders=bystanders)


def _one_run(course, items, messages: int, n: int) -> dict:
    student = student_seed(course=course, items=items, username=f"student{n}", messages=messages)
    twin = student_seed(course=course, items=items, username=f"twin{n}", messages=messages)
    run = {"export_s": _timed(lambda: student_data_export(student=student, channel=CHANNEL))}
    run["plain_read_s"] = _timed(lambda: list(Message.objects.filter(conversation__student=twin).values()))
    run["erase_s"] = _timed(lambda: student_data_erase(student=student, channel=CHANNEL))
    run["plain_delete_s"] = _timed(lambda: plain_delete(twin))
    return run


def _timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def plain_delete(student) -> None:
    """The baseline: the same rows as an erase deletes, each table's in one bulk DELETE, in one transaction
    (foreign keys are checked at commit on both SQLite and PostgreSQL, so the order only has to end consistent)."""
    answers = Message.objects.filter(conversation__student=student)
    with transaction.atomic():
        TrainingExample.objects.filter(source_message__in=answers).update(source_message=None, review_task=None)
        for queryset in (ReviewEvent.objects.filter(task__answer__in=answers),
                         ReviewTask.objects.filter(answer__in=answers), AnswerScore.objects.filter(student=student),
                         Message.objects.filter(conversation__student=student),
                         Conversation.objects.filter(student=student), Attempt.objects.filter(student=student),
                         ServedItem.objects.filter(student=student), KnowledgeState.objects.filter(student=student),
                         Enrollment.objects.filter(user=student), ApiToken.objects.filter(user=student),
                         Session.objects.filter(session_key__startswith=f"bench-{student.get_username()}"),
                         get_user_model().objects.filter(pk=student.pk)):
            queryset._raw_delete(queryset.db)


def _report(runs: list[dict], *, messages: int, repeats: int, bystanders: int) -> dict:
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    return {
        "database": connection.vendor, "messages": messages, "repeats": repeats, "bystanders": bystanders,
        "median_s": {key: round(value, 4) for key, value in median.items()},
        "per_message_ms": {key.removesuffix("_s"): round(1000 * value / messages, 4) for key, value in median.items()},
        "export_over_plain_read": round(median["export_s"] / median["plain_read_s"], 1),
        "erase_over_plain_delete": round(median["erase_s"] / median["plain_delete_s"], 1),
    }


@contextmanager
def throwaway_database():
    """Django's test database of the configured connection; SQLite's in a temporary file (not in memory), so
    that commits cost what they cost on disk."""
    test_settings = connection.settings_dict.setdefault("TEST", {})
    saved = test_settings.get("NAME")
    with tempfile.TemporaryDirectory(prefix="privacy-bench-") as folder:
        if connection.vendor == "sqlite":
            test_settings["NAME"] = str(Path(folder) / "bench.sqlite3")
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            yield
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            test_settings["NAME"] = saved
