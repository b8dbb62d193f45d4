"""Calibrating a course's knowledge model from all its attempts (a service run by a background job).

After a fit, every student's state is replayed under the new parameters, so that estimates made with
the cold start are not kept next to the calibrated ones; a student who answered while the replay ran
keeps the live state (compare-and-swap on the version) and is replayed on the next fit.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from itertools import groupby

from django.conf import settings
from django.db import transaction
from django.db.models import Count

from learning.course_knowledge import knowledge_revision_bump
from learning.knowledge import KnowledgeModel, StudentState, calibrate
from learning.models import Attempt, Course, Item, KnowledgeCalibration, KnowledgeState

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CalibrationReport:
    course_id: int
    attempts: int
    students: int
    states_replayed: int

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def course_calibrate(*, course_id: int) -> CalibrationReport | None:
    """Refit the course from its attempts; None when it has fewer than the minimum to fit from."""
    attempts = _attempts(course_id)
    if len(attempts) < settings.LEARNING_CALIBRATION_MIN_ATTEMPTS:
        return None
    item_skills, hints = _item_specs(course_id)
    model = calibrate([(str(s), key, correct) for s, key, correct in attempts], item_skills, hints)
    students = {s for s, _, _ in attempts}
    KnowledgeCalibration.objects.update_or_create(
        course_id=course_id,
        defaults={"model": model.to_dict(), "attempts_used": len(attempts), "students_used": len(students)},
    )
    replayed = _replay_states(course_id, model, attempts)
    knowledge_revision_bump(course_id=course_id)
    logger.info("calibrated course %s on %s attempts of %s students", course_id, len(attempts), len(students))
    return CalibrationReport(course_id, len(attempts), len(students), replayed)


def courses_due_for_calibration() -> list[int]:
    """Courses with enough attempts that were never fitted, or with enough new attempts since the last fit."""
    counts = Attempt.objects.values("item__course_id").annotate(n=Count("id"))
    fitted = dict(KnowledgeCalibration.objects.values_list("course_id", "attempts_used"))
    due = []
    for row in counts:
        course_id, n = row["item__course_id"], row["n"]
        if course_id in fitted:
            is_due = n - fitted[course_id] >= settings.LEARNING_CALIBRATION_NEW_ATTEMPTS
        else:
            is_due = n >= settings.LEARNING_CALIBRATION_MIN_ATTEMPTS
        if is_due:
            due.append(course_id)
    return sorted(due)


def _attempts(course_id: int) -> list[tuple[int, str, bool]]:
    rows = Attempt.objects.filter(item__course_id=course_id).order_by("student_id", "created_at", "id")
    return list(rows.values_list("student_id", "item__key", "correct"))


def _item_specs(course_id: int) -> tuple[dict[str, list[str]], dict[str, str]]:
    items = Item.objects.filter(course_id=course_id).prefetch_related("skills")
    skills = {i.key: [s.key for s in i.skills.all()] for i in items}
    hints = {i.key: i.difficulty_hint for i in items if i.difficulty_hint}
    return {k: v for k, v in skills.items() if v}, hints


def _replay_states(course_id: int, model: KnowledgeModel, attempts: list[tuple[int, str, bool]]) -> int:
    course = Course.objects.get(pk=course_id)
    versions = dict(KnowledgeState.objects.filter(course=course).values_list("student_id", "version"))
    replayed = 0
    for student_id, rows in groupby(attempts, key=lambda row: row[0]):
        state = StudentState()
        for _, key, correct in rows:
            state = model.update(state, key, correct) if key in model.items else state
        replayed += _state_replace(course, student_id, versions.get(student_id), state)
    return replayed


def _state_replace(course: Course, student_id: int, version: int | None, state: StudentState) -> int:
    if version is None:
        return 0  # attempts without a state cannot happen through practice; leave them to the next fit
    with transaction.atomic():
        rows = KnowledgeState.objects.filter(course=course, student_id=student_id, version=version)
        return rows.update(state=state.to_dict(), version=version + 1)
