from datetime import timedelta

import pytest
from django.utils import timezone

from tutor.models import Conversation, Message
from tutor.services import answers_fail_stale

pytestmark = pytest.mark.django_db


def pending_answer(personas, age_s: float) -> Message:
    conversation = Conversation.objects.create(student=personas.student1, course=personas.course_a)
    question = Message.objects.create(conversation=conversation, role="student", sender=personas.student1, text="q")
    answer = Message.objects.create(conversation=conversation, role="tutor", reply_to=question, status="pending")
    Message.objects.filter(id=answer.id).update(created_at=timezone.now() - timedelta(seconds=age_s))
    return answer


def test_only_answers_pending_past_the_cutoff_are_failed(personas):
    stale, fresh = pending_answer(personas, 600), pending_answer(personas, 5)
    assert answers_fail_stale(older_than_s=150) == 1
    stale.refresh_from_db(), fresh.refresh_from_db()
    assert (stale.status, stale.error_code) == ("failed", "interrupted")
    assert fresh.status == "pending"


def test_completed_answers_are_never_touched(personas):
    answer = pending_answer(personas, 600)
    Message.objects.filter(id=answer.id).update(status="complete", text="done")
    assert answers_fail_stale(older_than_s=150) == 0
