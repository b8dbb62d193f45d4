import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from annotation.models import ReviewEvent, ReviewTask, RouterVersion, TrainingExample
from annotation.refitting import router_refit, router_refit_due
from annotation.routing import answer_route
from annotation.services import (
    ReviewError, review_approve, review_claim, review_correct, review_reject, review_release,
)
from annotation.tests.factories import CONFIDENT, UNSURE, answered_question
from learning.models import Enrollment
from tutor.models import Message
from tutor.protocol import history_message
from tutor.selectors import prior_turns

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(personas) -> ReviewTask:
    answer = answered_question(student=personas.student1, course=personas.course_a)
    answer_route(answer_id=answer.id, random_draw=0.99)
    return ReviewTask.objects.get(answer=answer)


@pytest.fixture
def co_teacher(personas):
    user = get_user_model().objects.create_user("teacher3", password="pw", is_staff=True)
    Enrollment.objects.create(user=user, course=personas.course_a, role="teacher")
    return user


def actions(task) -> list[str]:
    return list(ReviewEvent.objects.filter(task=task).values_list("action", flat=True))


def test_a_correction_is_shown_to_the_student_and_becomes_a_training_example(personas, task):
    review_correct(task_id=task.id, teacher=personas.teacher1, text="  1/2 + 1/4 = 3/4.  ")
    task.refresh_from_db()
    answer = Message.objects.get(id=task.answer_id)
    assert (task.status, task.resolved_by, task.corrected_text) == ("corrected", personas.teacher1, "1/2 + 1/4 = 3/4.")
    assert answer.text == "It is 2/6." and answer.corrected_text == "1/2 + 1/4 = 3/4."  # the original is kept
    assert history_message(answer)["text"] == "1/2 + 1/4 = 3/4." and history_message(answer)["corrected"]
    example = TrainingExample.objects.get()
    assert (example.kind, example.question, example.answer, example.original_answer) == (
        "correction", "What is 1/2 + 1/4?", "1/2 + 1/4 = 3/4.", "It is 2/6.")
    assert (example.teacher, example.source_message_id, example.model_name, example.course) == (
        personas.teacher1, answer.id, "test-model", personas.course_a)
    assert example.created_at is not None and example.review_task == task
    assert actions(task) == ["flagged", "corrected"]


def test_a_correction_keeps_its_key_answer_and_rewordings_for_retraining(personas, task):
    review_correct(task_id=task.id, teacher=personas.teacher1, text="It is 3/4: 2/4 + 1/4.", key_answer=" 3/4 ",
                   rewordings="Add 1/2 and 1/4.\n\n  What do 1/2 and 1/4 make together?  ")
    example = TrainingExample.objects.get()
    assert (example.gold, example.gold_check) == (["3/4"], "numeric")
    assert example.rewordings == ["Add 1/2 and 1/4.", "What do 1/2 and 1/4 make together?"]


def test_the_training_example_holds_the_turns_the_tutor_saw(personas, task):
    """A correction earlier in the conversation stands in for its answer, as in the tutor's prompt."""
    review_correct(task_id=task.id, teacher=personas.teacher1, text="It is 3/4.")
    first = Message.objects.get(id=task.answer_id)
    follow_up = answered_question(student=personas.student1, course=personas.course_a, question="And 1/4 + 1/4?",
                                  conversation=first.conversation, answer="It is 1/8.")
    answer_route(answer_id=follow_up.id, random_draw=0.99)
    review_correct(task_id=ReviewTask.objects.get(answer=follow_up).id, teacher=personas.teacher1, text="It is 1/2.")
    example = TrainingExample.objects.get(source_message=follow_up)
    assert example.earlier_turns == [["student", "What is 1/2 + 1/4?"], ["tutor", "It is 3/4."]]


@pytest.mark.parametrize("extra, message", [
    ({"rewordings": "\n".join(f"Way {n}?" for n in range(6))}, "at most 5"),
    ({"rewordings": ["ok", 3]}, "one question per line"),
    ({"key_answer": "k" * 201}, "at most 200"),
])
def test_bad_rewordings_or_key_are_refused_and_nothing_changes(personas, task, extra, message):
    with pytest.raises(ReviewError, match=message):
        review_correct(task_id=task.id, teacher=personas.teacher1, text="It is 3/4.", **extra)
    assert ReviewTask.objects.get(id=task.id).status == "open" and not TrainingExample.objects.exists()


def test_a_correction_queues_the_retraining_check(personas, task, django_capture_on_commit_callbacks):
    from unittest import mock

    with mock.patch("annotation.tasks.training_start_if_due.delay") as start, \
            mock.patch("annotation.tasks.router_refit_if_due.delay"):
        with django_capture_on_commit_callbacks(execute=True):
            review_correct(task_id=task.id, teacher=personas.teacher1, text="It is 3/4.")
    start.assert_called_once_with(personas.course_a.id)


def test_later_prompts_see_the_corrected_answer(personas, task):
    review_correct(task_id=task.id, teacher=personas.teacher1, text="It is 3/4.")
    answer = Message.objects.get(id=task.answer_id)
    follow_up = answered_question(student=personas.student1, course=personas.course_a, question="Why?",
                                  conversation=answer.conversation)
    assert prior_turns(answer=follow_up, limit=10) == [("student", "What is 1/2 + 1/4?"), ("tutor", "It is 3/4.")]


def test_an_approval_is_kept_as_a_replay_example(personas, task):
    review_approve(task_id=task.id, teacher=personas.teacher1)
    assert ReviewTask.objects.get(id=task.id).verdict_correct is True
    example = TrainingExample.objects.get()
    assert example.kind == "approved" and example.answer == example.original_answer == "It is 2/6."
    assert Message.objects.get(id=task.answer_id).corrected_text == ""


def test_a_rejection_records_its_reason_and_no_example(personas, task):
    review_reject(task_id=task.id, teacher=personas.teacher1, reason="Off topic.")
    task.refresh_from_db()
    assert (task.status, task.reject_reason, task.verdict_correct) == ("rejected", "Off topic.", False)
    assert not TrainingExample.objects.exists()


@pytest.mark.parametrize("text, message", [("   ", "empty"), ("x" * 5000, "at most 4000")])
def test_bad_correction_text_is_refused_and_nothing_changes(personas, task, text, message):
    with pytest.raises(ReviewError, match=message):
        review_correct(task_id=task.id, teacher=personas.teacher1, text=text)
    assert ReviewTask.objects.get(id=task.id).status == "open" and not TrainingExample.objects.exists()


@pytest.mark.parametrize("who", ["teacher2", "student1", "author1"])
def test_anyone_but_the_courses_teachers_finds_no_task(personas, task, who):
    for act in (lambda u: review_claim(task_id=task.id, teacher=u), lambda u: review_approve(task_id=task.id, teacher=u),
                lambda u: review_correct(task_id=task.id, teacher=u, text="x"),
                lambda u: review_reject(task_id=task.id, teacher=u, reason="x")):
        with pytest.raises(ReviewError) as error:
            act(getattr(personas, who))
        assert error.value.code == "task_not_found"
    missing = pytest.raises(ReviewError, match="no review task")
    with missing:
        review_claim(task_id=999999, teacher=personas.teacher1)
    assert actions(task) == ["flagged"]


def test_a_claimed_task_cannot_be_resolved_by_another_teacher(personas, task, co_teacher):
    review_claim(task_id=task.id, teacher=personas.teacher1)
    with pytest.raises(ReviewError) as error:
        review_approve(task_id=task.id, teacher=co_teacher)
    assert error.value.code == "task_claimed" and "teacher1" in error.value.detail
    review_release(task_id=task.id, teacher=personas.teacher1)
    review_approve(task_id=task.id, teacher=co_teacher)
    assert actions(task) == ["flagged", "claimed", "released", "approved"]


def test_a_stale_claim_can_be_taken_over(personas, task, co_teacher):
    review_claim(task_id=task.id, teacher=personas.teacher1)
    ReviewTask.objects.filter(id=task.id).update(claimed_at=timezone.now() - timedelta(hours=2))
    assert review_claim(task_id=task.id, teacher=co_teacher).claimed_by == co_teacher


def test_a_resolved_task_is_resolved_once(personas, task, co_teacher):
    review_approve(task_id=task.id, teacher=personas.teacher1)
    with pytest.raises(ReviewError) as error:
        review_correct(task_id=task.id, teacher=co_teacher, text="No.")
    assert error.value.code == "task_resolved" and "teacher1 already approved" in error.value.detail
    assert TrainingExample.objects.count() == 1 and ReviewTask.objects.get(id=task.id).status == "approved"


@pytest.mark.django_db(transaction=True)
def test_two_teachers_resolving_at_once_resolve_once(personas, co_teacher):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race is run on PostgreSQL in the service tier")
    answer = answered_question(student=personas.student1, course=personas.course_a)
    task = ReviewTask.objects.get(id=answer_route(answer_id=answer.id, random_draw=0.99).task_id)
    outcomes, barrier = [], threading.Barrier(2)

    def resolve(teacher, text):
        barrier.wait()
        try:
            review_correct(task_id=task.id, teacher=teacher, text=text)
            outcomes.append("ok")
        except ReviewError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=resolve, args=args)
               for args in ((personas.teacher1, "A"), (co_teacher, "B"))]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(outcomes) == ["ok", "task_resolved"]
    assert TrainingExample.objects.count() == 1
    assert Message.objects.get(id=answer.id).corrected_text == ReviewTask.objects.get(id=task.id).corrected_text


def verdicts(personas, right: int, wrong: int) -> None:
    for i in range(right + wrong):
        is_right = i < right
        answer = answered_question(student=personas.student1, course=personas.course_a, question=f"Which gas {i}?",
                                   answer="Carbon dioxide." if is_right else "Oxygen, maybe.",
                                   features=CONFIDENT if is_right else UNSURE)
        result = answer_route(answer_id=answer.id, random_draw=0.0)
        task = ReviewTask.objects.get(id=result.task_id) if result.task_id else ReviewTask.objects.create(
            answer=answer, course=personas.course_a, reason="random_sample", p_correct=result.p_correct, priority=0,
            question_key="k")
        if is_right:
            review_approve(task_id=task.id, teacher=personas.teacher1)
        else:
            review_reject(task_id=task.id, teacher=personas.teacher1, reason="wrong")


@override_settings(ANNOTATION_ROUTER_REFIT_EVERY=20, ANNOTATION_ROUTER_MIN_PER_CLASS=5, CELERY_TASK_ALWAYS_EAGER=True,
                   ANNOTATION_REVIEWS_PER_TEACHER_PER_DAY=1000)
def test_verdicts_refit_the_router_which_then_routes_new_answers(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        verdicts(personas, right=12, wrong=12)
    # Every verdict queued a refit (they all run here, after the last commit): one version results.
    version = RouterVersion.objects.get()
    assert version.verdicts_used == 24 and version.metrics["answers"] == 24
    assert not router_refit_due()
    assert router_refit() is None  # no new verdict: a repeated task adds no version
    answer = answered_question(student=personas.student2, course=personas.course_a, question="Which gas now?",
                               answer="Carbon dioxide.", features=CONFIDENT)
    assert answer_route(answer_id=answer.id, random_draw=0.99).p_correct > 0.5
    assert Message.objects.get(id=answer.id).router_score.router_version == version


def test_too_few_verdicts_keep_the_prior(personas):
    verdicts(personas, right=3, wrong=3)
    assert router_refit(force=True) is None and not RouterVersion.objects.exists()
