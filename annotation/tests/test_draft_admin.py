"""The drafts page and the draft statistics in the review admin (tests/access_matrix.py has every persona's
answer on each page; tutor/tests/test_drafts.py has the sockets)."""
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from annotation.models import Flag, ReviewTask
from annotation.selectors import draft_decision_stats
from annotation.services import draft_approve, draft_edit, draft_reject
from annotation.tests.review_factories import flagged_task
from tutor.models import Draft

pytestmark = pytest.mark.django_db
REVIEW = "/admin/annotation/reviewtask"


def held_draft(*, course, student, answer="It is 3/4.") -> ReviewTask:
    task = flagged_task(course=course, student=student, answer=answer, reason=Flag.DRAFT)
    Draft.objects.create(answer=task.answer, course=course, confidence=0.2, on_timeout="send",
                         release_at=timezone.now() + timedelta(minutes=5))
    return task


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_drafts_page_lists_the_teachers_courses_drafts_with_labelled_actions(personas):
    task = held_draft(course=personas.course_a, student=personas.student1)
    own = as_user(personas.teacher1).get(f"{REVIEW}/drafts/").content.decode()
    other = as_user(personas.teacher2).get(f"{REVIEW}/drafts/list/").content.decode()
    assert "It is 3/4." in own and f'aria-label="Approve draft {task.answer_id} as written"' in own
    assert 'aria-live="polite"' in own and "drafts.js" in own
    assert "It is 3/4." not in other and "No draft is waiting for you." in other


def test_approving_from_the_drafts_page_sends_it_and_goes_back_there(personas):
    task = held_draft(course=personas.course_a, student=personas.student1)
    response = as_user(personas.teacher1).post(f"{REVIEW}/{task.pk}/draft_approve/")
    assert (response.status_code, response["Location"]) == (302, f"{REVIEW}/drafts/")
    assert Draft.objects.get(answer=task.answer).status == Draft.Status.APPROVED
    assert ReviewTask.objects.get(pk=task.pk).status == ReviewTask.Status.APPROVED
    assert "It is 3/4." not in as_user(personas.teacher1).get(f"{REVIEW}/drafts/list/").content.decode()


def test_the_statistics_count_approvals_as_is_per_course_and_teacher(personas):
    answers = ["It is 3/4.", "It is 5/6.", "It is 1/2.", "It is 2."]
    tasks = [held_draft(course=personas.course_a, student=personas.student1, answer=a) for a in answers]
    draft_approve(task_id=tasks[0].pk, teacher=personas.teacher1)
    draft_edit(task_id=tasks[1].pk, teacher=personas.teacher1, text="It is 5/6!")  # one character: as is
    draft_edit(task_id=tasks[2].pk, teacher=personas.teacher1, text="One half, since 2/4 = 1/2.")
    draft_reject(task_id=tasks[3].pk, teacher=personas.teacher1, reason="Wrong.")

    total, teacher = draft_decision_stats(user=personas.teacher1)
    assert (total.teacher, teacher.teacher) == ("", "teacher1")
    for row in (total, teacher):
        assert (row.decisions, row.approved_as_is, row.edited, row.rejected) == (4, 2, 2, 1)
        assert row.approve_as_is_rate == 0.5
        assert row.mean_edit_distance == pytest.approx((0 + 1 + Draft.objects.get(answer=tasks[2].answer)
                                                        .edit_distance) / 3)
        assert row.mean_wait_s is not None and row.mean_wait_s >= 0
    assert draft_decision_stats(user=personas.teacher2) == []
    page = as_user(personas.teacher1).get(f"{REVIEW}/drafts/stats/").content.decode()
    assert "50 %" in page
