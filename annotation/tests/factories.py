"""Answered questions for review tests, written the way the tutor writes them."""
from __future__ import annotations

from django.utils import timezone

from tutor.models import Conversation, Message

CONFIDENT = {"mean_logprob": -0.05, "min_logprob": -0.4, "mean_entropy": 0.2, "n_tokens": 30}
UNSURE = {"mean_logprob": -2.5, "min_logprob": -9.0, "mean_entropy": 3.5, "n_tokens": 30}


def answered_question(*, student, course, question: str = "What is 1/2 + 1/4?", answer: str = "It is 2/6.",
                      features: dict | None = None, context: dict | None = None,
                      conversation: Conversation | None = None, sources: list | None = None) -> Message:
    """A student's question and the tutor's completed answer (returned)."""
    conversation = conversation or Conversation.objects.create(student=student, course=course, title=question[:120])
    asked = Message.objects.create(conversation=conversation, role=Message.Role.STUDENT, sender=student, text=question)
    return Message.objects.create(
        conversation=conversation, role=Message.Role.TUTOR, reply_to=asked, text=answer,
        status=Message.Status.COMPLETE, confidence=0.5, features=features or UNSURE, context=context or {},
        model_name="test-model", completed_at=timezone.now(), sources=sources or [],
    )
