"""A pending answer and its engine completion, as the socket and the engine leave them, for scoring tests."""
from __future__ import annotations

from tutor.engine.types import Completion, ConfidenceFeatures
from tutor.models import AskResult, Conversation, Message

ENGINE_CONFIDENCE = 0.123
SURE = {"mean_logprob": -0.05, "min_logprob": -0.4, "mean_entropy": 0.2, "n_tokens": 30}


def pending_ask(*, student, course, question: str = "Which gas do plants take in?") -> AskResult:
    conversation = Conversation.objects.create(student=student, course=course, title=question)
    asked = Message.objects.create(conversation=conversation, role=Message.Role.STUDENT, sender=student, text=question)
    answer = Message.objects.create(conversation=conversation, role=Message.Role.TUTOR, reply_to=asked,
                                    status=Message.Status.PENDING)
    return AskResult(conversation, asked, answer, created=True, new_conversation=True)


def completion(features: dict = SURE, text: str = "Carbon dioxide.") -> Completion:
    return Completion(text=text, features=ConfidenceFeatures(**features), confidence=ENGINE_CONFIDENCE,
                      prompt_tokens=40, dropped_turns=0, finish_reason="stop", model_name="test-model")
