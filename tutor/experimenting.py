"""Applying experiments to a tutor answer or a practice request (services): which arm a student is in,
recorded on first exposure.

Exposure is the first answer planned, or the first practice item asked for, by a covered student while the
experiment runs: the arm is the seeded hash of tutor.experiments.assignment, written once (``get_or_create`` on
the unique experiment and student, so two requests racing record one arm). An arm changes only the factor it
names; everything else stays as the course has it: answer style, grounding and adapter arms change answers, a
practice-flow arm changes which practice mode is served. A stopped experiment changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from learning.models import Course
from learning.selectors import course_get_for_student, diagnose_answers_count
from tutor.engine.types import AdapterRef
from tutor.experiments.arms import ADAPTER, ANSWER_STYLE, GROUNDING, NOT_WIRED, PRACTICE_FLOW, practice_mode
from tutor.experiments.assignment import arm_index
from tutor.model_registry import adapter_ref
from tutor.models import Experiment, ExperimentArm, ExperimentAssignment


@dataclass(frozen=True)
class ArmOverrides:
    """What the arms a student is in change for their next answer; the defaults change nothing."""

    answer_style: str | None = None  # None: the course's
    grounded: bool = True
    adapter: AdapterRef | None = None  # None: the course's active version
    arms: tuple[dict, ...] = ()  # {"experiment", "arm"} stored with the answer


def experiment_exposure_record(*, student, course: Course) -> ArmOverrides:
    """The overrides of every running experiment that covers ``student`` in ``course``, recording the arm of
    each one the student meets for the first time. Of two experiments that set one factor, the older wins."""
    return experiment_exposures_record(students=[student], course=course)[student.pk]


def experiment_exposures_record(*, students: Sequence, course: Course) -> dict[int, ArmOverrides]:
    """``experiment_exposure_record`` for many students of one course, by student id: the course's running
    experiments are read once (one query when none runs)."""
    running = _running_in(course)
    return {student.pk: _overrides(student, [e for e in running if _covers(e, student)]) for student in students}


def practice_mode_for(*, student, course_id: int, requested: str) -> str:
    """The practice mode to serve ``student`` who asked for ``requested`` in the course: what a running
    practice-flow experiment's arm says (recording the student's arm on first exposure), else what was asked.
    Nothing is recorded for a course the student is not enrolled in; serving refuses that request anyway."""
    course = course_get_for_student(user=student, course_id=course_id)
    if course is None:
        return requested
    running = [e for e in _running_in(course) if _covers(e, student)]
    for experiment, arm in _exposed_arms(student, running):
        if experiment.factor == PRACTICE_FLOW:
            diagnosed = diagnose_answers_count(student=student, course=course)
            return practice_mode(arm.setting, requested=requested, diagnosed=diagnosed,
                                 diagnose_first=settings.TUTOR_DIAGNOSE_FIRST_ITEMS)
    return requested


def _overrides(student, experiments: list[Experiment]) -> ArmOverrides:
    overrides = ArmOverrides()
    for experiment, arm in _exposed_arms(student, experiments):
        overrides = _with_arm(overrides, experiment.factor, arm)
        overrides = replace(overrides, arms=(*overrides.arms, {"experiment": experiment.pk, "arm": arm.pk}))
    return overrides


def _exposed_arms(student, experiments: list[Experiment]):
    """(experiment, the student's arm) of each of these running experiments, the arm recorded on first
    exposure. Of two experiments that set one factor, the older (first) wins."""
    applied = set()
    for experiment in experiments:
        if experiment.factor in NOT_WIRED or experiment.factor in applied or len(experiment.arms.all()) < 2:
            continue
        applied.add(experiment.factor)
        yield experiment, _arm_of(experiment, student)


def _running_in(course: Course) -> list[Experiment]:
    covered = Prefetch("students", queryset=get_user_model().objects.only("pk"))
    return list(Experiment.objects.filter(course=course, status=Experiment.Status.RUNNING)
                .prefetch_related("arms__model_version", covered).order_by("created_at", "pk"))


def _covers(experiment: Experiment, student) -> bool:
    """An experiment with no students listed covers the whole course."""
    listed = experiment.students.all()
    return not listed or any(s.pk == student.pk for s in listed)


def _arm_of(experiment: Experiment, student) -> ExperimentArm:
    arms = list(experiment.arms.all())  # in creation order: the hash picks a position among them
    hashed = arms[arm_index(experiment_id=experiment.pk, student_id=student.pk, arms=len(arms))]
    assignment, _ = ExperimentAssignment.objects.select_related("arm").get_or_create(
        experiment=experiment, student=student, defaults={"arm": hashed})
    return assignment.arm


def _with_arm(overrides: ArmOverrides, factor: str, arm: ExperimentArm) -> ArmOverrides:
    if factor == ANSWER_STYLE and arm.setting:
        return replace(overrides, answer_style=arm.setting)
    if factor == GROUNDING and arm.setting:
        return replace(overrides, grounded=arm.setting != "off")
    if factor == ADAPTER and arm.model_version is not None:
        return replace(overrides, adapter=adapter_ref(arm.model_version))
    return overrides
