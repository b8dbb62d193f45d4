"""The experiment report on a small fixture, and the admin's refusals."""
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from learning.course_knowledge import course_knowledge
from learning.knowledge import StudentState
from learning.models import Attempt, ServedItem
from learning.tests.factories import practice_content
from tutor.experiment_report import experiment_report, report_csv_rows
from tutor.models import Conversation, Experiment, ExperimentArm, ExperimentAssignment, Message

pytestmark = pytest.mark.django_db


def two_arm_experiment(course) -> Experiment:
    experiment = Experiment.objects.create(name="style", course=course, factor="answer_style", planned_per_arm=50)
    for name in ("explain", "hints"):
        ExperimentArm.objects.create(experiment=experiment, name=name, setting=name)
    return experiment


def at(minutes: float):
    return timezone.now() - timedelta(hours=2) + timedelta(minutes=minutes)


def answered(student, item, served_minute: float, answered_minute: float, correct: bool) -> None:
    serving = ServedItem.objects.create(student=student, item=item, mode="practice")
    ServedItem.objects.filter(pk=serving.pk).update(served_at=at(served_minute), answered_at=at(answered_minute))
    attempt = Attempt.objects.create(student=student, item=item, serving=serving, response="1", correct=correct)
    Attempt.objects.filter(pk=attempt.pk).update(created_at=at(answered_minute))


def asked(student, course, experiment, minutes: float, corrected: bool = False) -> None:
    conversation = Conversation.objects.create(student=student, course=course)
    question = Message.objects.create(conversation=conversation, role="student", sender=student, text="help?")
    answer = Message.objects.create(conversation=conversation, role="tutor", reply_to=question, text="a hint",
                                    context={"experiments": [{"experiment": experiment.pk, "arm": 0}]},
                                    corrected_at=timezone.now() if corrected else None)
    Message.objects.filter(pk__in=[question.pk, answer.pk]).update(created_at=at(minutes))


def test_next_item_correctness_and_corrections_from_a_small_fixture(personas):
    course = personas.course_a
    items = practice_content(course)
    experiment = two_arm_experiment(course)
    explain, hints = experiment.arms.order_by("pk")
    for student, arm in ((personas.student1, explain), (personas.student2, hints)):
        ExperimentAssignment.objects.create(experiment=experiment, student=student, arm=arm)
    ExperimentAssignment.objects.update(assigned_at=at(0))
    # student1: works on solve-1, asks about it, then answers it (the helped item) and the next one.
    asked(personas.student1, course, experiment, 1.5, corrected=True)
    answered(personas.student1, items["solve-1"], 1, 2, correct=False)
    answered(personas.student1, items["solve-2"], 3, 4, correct=True)
    report = experiment_report(experiment=experiment)

    model = course_knowledge(course=course).model
    predicted = model.predict(model.update(StudentState(), "solve-1", False), "solve-2")
    first, second = report.arms
    assert (first.assigned, second.assigned) == (1, 1)
    assert first.summaries["next_item_correctness"].mean == pytest.approx(1 - predicted)
    assert first.summaries["corrections_per_100_answers"].mean == pytest.approx(100.0)
    assert second.summaries["next_item_correctness"].n == 0
    assert "Planned: 50" in report.sample_note
    rows = report_csv_rows(report)
    assert rows[0][:3] == ["arm", "metric", "students"] and len(rows) == 1 + 2 * 4 + 4


def test_the_admin_takes_a_practice_flow_experiment(personas):
    client = Client()
    client.force_login(personas.teacher1)
    response = client.post("/admin/tutor/experiment/add/", {
        "name": "diagnose first", "course": personas.course_a.pk, "factor": "practice_flow", "status": "running",
        "planned_per_arm": 600, "arms-TOTAL_FORMS": 2, "arms-INITIAL_FORMS": 0,
        "arms-0-name": "diagnose", "arms-0-setting": "diagnose_first", "arms-1-name": "practice",
        "arms-1-setting": "practice_only"})
    assert response.status_code == 302, response.content[:2000]
    experiment = Experiment.objects.get()
    assert sorted(experiment.arms.values_list("setting", flat=True)) == ["diagnose_first", "practice_only"]


def test_the_admin_refuses_arms_outside_the_factor_and_takes_good_ones(personas):
    client = Client()
    client.force_login(personas.teacher1)
    form = {"name": "grounding", "course": personas.course_a.pk, "factor": "grounding", "status": "running",
            "planned_per_arm": 600, "arms-TOTAL_FORMS": 2, "arms-INITIAL_FORMS": 0,
            "arms-0-name": "on", "arms-0-setting": "", "arms-1-name": "off", "arms-1-setting": "hints"}
    response = client.post("/admin/tutor/experiment/add/", form)
    assert response.status_code == 200 and b"is not one of this factor" in response.content
    response = client.post("/admin/tutor/experiment/add/", {**form, "arms-1-setting": "off"})
    assert response.status_code == 302
    assert list(Experiment.objects.get().arms.values_list("setting", flat=True)) == ["", "off"]


def test_a_teacher_cannot_put_an_experiment_in_another_course(personas):
    client = Client()
    client.force_login(personas.teacher1)
    response = client.post("/admin/tutor/experiment/add/", {
        "name": "x", "course": personas.course_b.pk, "factor": "grounding", "status": "running",
        "planned_per_arm": 600, "arms-TOTAL_FORMS": 0, "arms-INITIAL_FORMS": 0})
    assert response.status_code == 200 and not Experiment.objects.exists()


def test_the_report_page_shows_the_analysis_and_the_arms(personas):
    experiment = two_arm_experiment(personas.course_a)
    client = Client()
    client.force_login(personas.teacher1)
    page = client.get(f"/admin/tutor/experiment/{experiment.pk}/report/").content.decode()
    assert "Fixed-horizon analysis" in page and "Provisional" not in page and "hints" in page
    assert "Too few students for an interval yet." in page
