"""Experiments applied to answers: stable recorded assignment, and arms that change only what they name."""
import uuid

import pytest

from tutor.experimenting import experiment_exposure_record
from tutor.experiments.arms import ArmSpec, arm_errors, factor_error
from tutor.experiments.assignment import arm_index
from tutor.models import Experiment, ExperimentArm, ExperimentAssignment, ModelVersion
from tutor.prompting import answer_plan_for
from tutor.services import question_ask

CALCULATION = "What is 3/4 + 5/6?"


def experiment_with(course, factor: str, *arms: tuple[str, str], **extra) -> Experiment:
    experiment = Experiment.objects.create(name=f"{factor} test", course=course, factor=factor, **extra)
    for name, setting in arms:
        ExperimentArm.objects.create(experiment=experiment, name=name, setting=setting)
    return experiment


def plan_in_arm(personas, experiment: Experiment, arm_name: str, question: str = CALCULATION):
    ExperimentAssignment.objects.update_or_create(
        experiment=experiment, student=personas.student1, defaults={"arm": experiment.arms.get(name=arm_name)})
    ask = question_ask(student=personas.student1, course_id=personas.course_a.id, conversation_id=None,
                       text=question, client_msg_id=uuid.uuid4())
    return answer_plan_for(ask)


def what_the_answer_depends_on(plan) -> dict:
    return {"answer_style": plan.style, "grounding": plan.grounding.kind,
            "adapter": plan.request.adapter.key if plan.request.adapter else None,
            "system_prompt": plan.request.system_prompt, "abstain_below": plan.abstain_below,
            "forbidden": plan.forbidden}


def changed(one, other) -> set[str]:
    first, second = what_the_answer_depends_on(one), what_the_answer_depends_on(other)
    return {key for key in first if first[key] != second[key]}


@pytest.mark.django_db
def test_the_arm_is_the_seeded_hash_recorded_once_and_kept_when_arms_are_added(personas):
    experiment = experiment_with(personas.course_a, "answer_style", ("explain", "explain"), ("hints", "hints"))
    first = experiment_exposure_record(student=personas.student1, course=personas.course_a)
    arms = list(experiment.arms.order_by("pk"))
    expected = arms[arm_index(experiment_id=experiment.pk, student_id=personas.student1.pk, arms=2)]
    assert first.answer_style == expected.setting
    ExperimentArm.objects.create(experiment=experiment, name="course's", setting="")
    again = experiment_exposure_record(student=personas.student1, course=personas.course_a)
    assert again == first
    assert list(ExperimentAssignment.objects.values_list("student", "arm")) == [(personas.student1.pk, expected.pk)]


@pytest.mark.django_db
def test_students_outside_the_experiment_and_stopped_experiments_change_nothing(personas):
    listed = experiment_with(personas.course_a, "grounding", ("on", "on"), ("off", "off"))
    listed.students.set([personas.student2])
    experiment_with(personas.course_a, "answer_style", ("explain", "explain"), ("hints", "hints"),
                    status=Experiment.Status.STOPPED)
    assert experiment_exposure_record(student=personas.student1, course=personas.course_a).arms == ()
    assert experiment_exposure_record(student=personas.student3, course=personas.course_b).arms == ()
    assert not ExperimentAssignment.objects.exists()
    assert len(experiment_exposure_record(student=personas.student2, course=personas.course_a).arms) == 1


@pytest.mark.django_db
def test_an_answer_style_arm_changes_only_the_answer_style(personas):
    experiment = experiment_with(personas.course_a, "answer_style", ("explain", "explain"), ("hints", "hints"))
    explain, hints = plan_in_arm(personas, experiment, "explain"), plan_in_arm(personas, experiment, "hints")
    assert changed(explain, hints) == {"answer_style"}
    assert hints.style == "hints" and "Do not state the final answer" in hints.request.history[-1].content
    assert hints.context["experiments"] == [{"experiment": experiment.pk, "arm": experiment.arms.get(name="hints").pk}]


@pytest.mark.django_db
def test_a_grounding_arm_changes_only_the_grounding(personas):
    experiment = experiment_with(personas.course_a, "grounding", ("on", ""), ("off", "off"))
    grounded, ungrounded = plan_in_arm(personas, experiment, "on"), plan_in_arm(personas, experiment, "off")
    assert changed(grounded, ungrounded) == {"grounding"}
    assert (grounded.grounding.kind, ungrounded.grounding.kind) == ("solver", "none")
    assert "Verified working" not in ungrounded.request.history[-1].content


@pytest.mark.django_db
def test_an_adapter_arm_changes_only_the_adapter(personas):
    version = ModelVersion.objects.create(course=personas.course_a, number=1, base_model="tiny", folder="a/v1",
                                          sha256="0" * 64, status="candidate")
    experiment = experiment_with(personas.course_a, "adapter", ("course's", ""))
    ExperimentArm.objects.create(experiment=experiment, name="v1", model_version=version)
    base, adapted = plan_in_arm(personas, experiment, "course's"), plan_in_arm(personas, experiment, "v1")
    assert changed(base, adapted) == {"adapter"}
    assert adapted.request.adapter.key == f"mv{version.pk}"


@pytest.mark.django_db
def test_a_practice_flow_arm_is_recorded_with_the_answer_and_changes_nothing_in_it(personas):
    experiment = experiment_with(personas.course_a, "practice_flow", ("diagnose", "diagnose_first"),
                                 ("practice", "practice_only"))
    overrides = experiment_exposure_record(student=personas.student1, course=personas.course_a)
    assignment = ExperimentAssignment.objects.get()
    assert overrides.arms == ({"experiment": experiment.pk, "arm": assignment.arm.pk},)
    assert (overrides.answer_style, overrides.grounded, overrides.adapter) == (None, True, None)
    first = plan_in_arm(personas, experiment, "diagnose")
    second = plan_in_arm(personas, experiment, "practice")
    assert changed(first, second) == set()


def test_every_factor_is_wired():
    assert all(factor_error(factor) is None for factor in ("answer_style", "grounding", "practice_flow", "adapter"))


def test_arms_must_use_the_factors_settings_and_differ():
    assert arm_errors("grounding", [ArmSpec("a", "on"), ArmSpec("b", "off")]) == []
    assert arm_errors("grounding", [ArmSpec("a", "on")])[0].startswith("An experiment has 2 to 4 arms")
    assert "not one of this factor's: on, off" in arm_errors("grounding", [ArmSpec("a", "on"), ArmSpec("b", "x")])[0]
    assert "same thing" in arm_errors("answer_style", [ArmSpec("a", "hints"), ArmSpec("b", "hints")])[0]
    assert "another course" in arm_errors("adapter", [ArmSpec("a", ""), ArmSpec("b", "", 3, False)])[0]
    assert "only adapter" in arm_errors("grounding", [ArmSpec("a", ""), ArmSpec("b", "off", 3)])[0]
