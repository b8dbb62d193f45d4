"""What the tutor is told: the system prompt and the conversation so far."""
from __future__ import annotations

from django.conf import settings

from learning.models import Course
from tutor.engine.types import ChatTurn, GenerationRequest
from tutor.models import Message
from tutor.selectors import prior_turns

SYSTEM_PROMPT = (
    'You are a patient tutor for the course "{title}". Help the student understand, step by step: '
    "explain simply, check their reasoning, and give hints before full solutions. Keep answers short and "
    "accurate, stay on the course topic, and say so when you are not sure.{material}"
)


def system_prompt_for(course: Course) -> str:
    material = f"\n\nCourse material:\n{course.description.strip()}" if course.description.strip() else ""
    return SYSTEM_PROMPT.format(title=course.title, material=material)


def generation_request_for(*, answer_id: int) -> GenerationRequest:
    answer = Message.objects.select_related("conversation__course", "reply_to").get(id=answer_id)
    turns = [_turn(message) for message in prior_turns(answer=answer, limit=settings.TUTOR_CONTEXT_TURNS)]
    turns.append(ChatTurn("user", answer.reply_to.text))
    return GenerationRequest(system_prompt=system_prompt_for(answer.conversation.course), history=turns)


def _turn(message: Message) -> ChatTurn:
    return ChatTurn("user" if message.role == Message.Role.STUDENT else "assistant", message.text)
