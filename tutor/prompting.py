"""What the tutor is told: the system prompt and the conversation so far."""
from __future__ import annotations

from django.conf import settings

from learning.models import Course
from tutor.engine.types import ChatTurn, GenerationRequest
from tutor.models import Message
from tutor.selectors import prior_turns
from tutor.services import AskResult

SYSTEM_PROMPT = (
    'You are a patient tutor for the course "{title}". Help the student understand, step by step: '
    "explain simply, check their reasoning, and give hints before full solutions. Keep answers short and "
    "accurate, stay on the course topic, and say so when you are not sure.{material}"
)


def system_prompt_for(course: Course) -> str:
    material = f"\n\nCourse material:\n{course.description.strip()}" if course.description.strip() else ""
    return SYSTEM_PROMPT.format(title=course.title, material=material)


def generation_request_for(ask: AskResult) -> GenerationRequest:
    """What the engine needs for ``ask``'s answer; reads earlier turns only of a conversation that had some."""
    earlier = [] if ask.new_conversation else prior_turns(answer=ask.answer, limit=settings.TUTOR_CONTEXT_TURNS)
    turns = [_turn(message) for message in earlier] + [ChatTurn("user", ask.question.text)]
    return GenerationRequest(system_prompt=system_prompt_for(ask.conversation.course), history=turns)


def _turn(role_and_text: tuple[str, str]) -> ChatTurn:
    role, text = role_and_text
    return ChatTurn("user" if role == Message.Role.STUDENT else "assistant", text)
