"""Applying experiments to a tutor answer (services): which arm a student is in, recorded on first exposure.

Exposure is the first answer planned for a covered student while the experiment runs: the arm is the seeded
hash of tutor.experiments.assignment, written once (``get_or_create`` on the unique experiment and student, so
two answers racing record one arm). An arm changes only the factor it names; everything else stays as the
course has it. A stopped experiment, or one of a factor that is not wired, changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from learning.models import Course
from tutor.engine.types import AdapterRef
from tutor.experiments.arms import ADAPTER, ANSWER_STYLE, GROUNDING, NOT_WIRED
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


def _overrides(student, experiments: list[Experiment]) -> ArmOverrides:
    overrides, applied = ArmOverrides(), set()
    for experiment in experiments:
        if experiment.factor in NOT_WIRED or experiment.factor in applied or len(experiment.arms.all()) < 2:
            continue
        arm = _arm_of(experiment, student)
        overrides = _with_arm(overrides, experiment.factor, arm)
        overrides = replace(overrides, arms=(*overrides.arms, {"experiment": experiment.pk, "arm": arm.pk}))
        applied.add(experiment.factor)
    return overrides


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
