"""Practice-flow experiments: a diagnose-first arm serves diagnose items until the student has answered
``TUTOR_DIAGNOSE_FIRST_ITEMS`` of them, a practice-only arm never diagnoses, and the control arm serves what the
student asked for; the arm is recorded on the first practice request."""
import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from learning.tests.factories import practice_content
from tutor.experimenting import practice_mode_for
from tutor.experiments.arms import practice_mode
from tutor.models import Experiment, ExperimentArm, ExperimentAssignment
from tutor.tests.wsclient import connect_as


@pytest.mark.parametrize("setting, requested, diagnosed, served", [
    ("diagnose_first", "practice", 0, "diagnose"),
    ("diagnose_first", "practice", 2, "diagnose"),
    ("diagnose_first", "practice", 3, "practice"),
    ("diagnose_first", "diagnose", 9, "diagnose"),
    ("practice_only", "diagnose", 0, "practice"),
    ("practice_only", "practice", 0, "practice"),
    ("", "diagnose", 0, "diagnose"),
    ("", "practice", 0, "practice"),
])
def test_each_arm_setting_serves_its_mode(setting, requested, diagnosed, served):
    assert practice_mode(setting, requested=requested, diagnosed=diagnosed, diagnose_first=3) == served


def flow_experiment(course, student, setting: str, **extra) -> Experiment:
    """A running practice-flow experiment with ``student`` recorded in the arm of ``setting``."""
    experiment = Experiment.objects.create(name="flow", course=course, factor="practice_flow", **extra)
    arms = {s: ExperimentArm.objects.create(experiment=experiment, name=s or "control", setting=s)
            for s in ("diagnose_first", "practice_only")}
    ExperimentAssignment.objects.create(experiment=experiment, student=student, arm=arms[setting])
    return experiment


@pytest.mark.django_db
def test_a_student_with_no_experiment_gets_the_mode_asked_for_and_nothing_is_recorded(personas):
    assert practice_mode_for(student=personas.student1, course_id=personas.course_a.id, requested="diagnose") == \
        "diagnose"
    assert not ExperimentAssignment.objects.exists()


@pytest.mark.django_db
def test_the_first_practice_request_records_the_seeded_arm(personas):
    experiment = Experiment.objects.create(name="flow", course=personas.course_a, factor="practice_flow")
    for setting in ("diagnose_first", "practice_only"):
        ExperimentArm.objects.create(experiment=experiment, name=setting, setting=setting)
    served = practice_mode_for(student=personas.student1, course_id=personas.course_a.id, requested="diagnose")
    assignment = ExperimentAssignment.objects.get()
    assert assignment.student == personas.student1
    assert served == {"diagnose_first": "diagnose", "practice_only": "practice"}[assignment.arm.setting]


@pytest.mark.django_db
def test_a_course_the_student_is_not_in_records_no_arm(personas):
    Experiment.objects.create(name="flow", course=personas.course_b, factor="practice_flow")
    assert practice_mode_for(student=personas.student1, course_id=personas.course_b.id, requested="practice") == \
        "practice"
    assert not ExperimentAssignment.objects.exists()


@pytest.mark.django_db
def test_a_stopped_experiment_changes_nothing(personas):
    flow_experiment(personas.course_a, personas.student1, "practice_only", status=Experiment.Status.STOPPED)
    assert practice_mode_for(student=personas.student1, course_id=personas.course_a.id, requested="diagnose") == \
        "diagnose"


async def next_item(socket, course_id: int, mode: str) -> dict:
    await socket.send_json_to({"type": "next_item", "course": course_id, "mode": mode})
    frame = await socket.receive_json_from()
    assert frame["type"] == "item", frame
    return frame


async def answer(socket, item: dict, response: str) -> None:
    await socket.send_json_to({"type": "submit", "item_id": item["item_id"], "response": response})
    assert (await socket.receive_json_from())["type"] == "graded"


@pytest.mark.django_db(transaction=True)
@override_settings(TUTOR_DIAGNOSE_FIRST_ITEMS=2)
async def test_over_the_socket_diagnose_first_diagnoses_until_enough_answers_then_practises(personas, fake_engine):
    await database_sync_to_async(practice_content)(personas.course_a)
    await database_sync_to_async(flow_experiment)(personas.course_a, personas.student1, "diagnose_first")
    socket = await connect_as(personas.student1)
    modes = []
    for _ in range(3):
        item = await next_item(socket, personas.course_a.id, "practice")
        modes.append(item["mode"])
        await answer(socket, item, "1")
    assert modes == ["diagnose", "diagnose", "practice"]
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_over_the_socket_practice_only_never_diagnoses(personas, fake_engine):
    await database_sync_to_async(practice_content)(personas.course_a)
    await database_sync_to_async(flow_experiment)(personas.course_a, personas.student1, "practice_only")
    socket = await connect_as(personas.student1)
    item = await next_item(socket, personas.course_a.id, "diagnose")
    assert item["mode"] in ("practice", "review")
    await socket.disconnect()
