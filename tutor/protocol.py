"""The WebSocket protocol: strict parsing of client frames and building of server frames.

See docs/protocol.md. Parsing never raises anything but ``ProtocolError``,
whose ``code`` is machine-readable and whose ``detail`` names the field and
what was expected.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tutor.errors import TutorError

Id = Annotated[int, Field(strict=True, ge=1, le=2**62)]


@dataclass(frozen=True)
class DraftView:
    """How a draft answer shows to its student: "held" with the notice, or decided as ``released_frame`` says."""

    outcome: str
    text: str
    label: str | None = None


class ProtocolError(TutorError):
    """A frame that does not follow the protocol."""


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class AskFrame(_Frame):
    type: Literal["ask"]
    course: Id
    conversation: Id | None
    text: Annotated[str, Field(min_length=1)]
    client_msg_id: Annotated[UUID, Field(strict=False)]
    about_attempt: Id | None = None  # "Ask the tutor about this": one of the student's practice answers


class HistoryFrame(_Frame):
    type: Literal["history"]
    conversation: Id
    after: Id | None = None


class NextItemFrame(_Frame):
    type: Literal["next_item"]
    course: Id
    mode: Literal["diagnose", "practice"]
    skill: Annotated[str, Field(min_length=1, max_length=80)] | None = None  # only this skill's items


class OpenItemFrame(_Frame):
    """Which item is the student working on in this course? (A page that reloads shows it again.)"""
    type: Literal["open_item"]
    course: Id


class SubmitFrame(_Frame):
    type: Literal["submit"]
    item_id: Id
    response: Annotated[str, Field(min_length=1)]


CLIENT_FRAMES: dict[str, type[_Frame]] = {
    "ask": AskFrame, "history": HistoryFrame, "next_item": NextItemFrame, "open_item": OpenItemFrame,
    "submit": SubmitFrame,
}


@dataclass(frozen=True)
class Limits:
    max_frame_bytes: int
    max_question_chars: int
    max_response_chars: int = 500


def parse_client_frame(raw: str, limits: Limits) -> _Frame:
    if len(raw.encode()) > limits.max_frame_bytes:
        raise ProtocolError("frame_too_large", f"The frame is larger than {limits.max_frame_bytes} bytes.")
    obj = _load_object(raw)
    client_msg_id = _client_msg_id_of(obj)
    frame_type = obj.get("type")
    schema = CLIENT_FRAMES.get(frame_type) if isinstance(frame_type, str) else None
    if schema is None:
        raise ProtocolError("unknown_type", _unknown_type_detail(frame_type), client_msg_id)
    try:
        frame = schema.model_validate(obj)
    except ValidationError as exc:
        raise ProtocolError(*_describe(exc.errors()[0], schema), client_msg_id) from None
    _check_text_length(frame, limits, client_msg_id)
    _check_response_length(frame, limits)
    return frame


def _load_object(raw: str) -> dict[str, Any]:
    try:
        obj = json.loads(raw)
    except (ValueError, RecursionError):
        raise ProtocolError("invalid_json", "The frame is not valid JSON; send one JSON object per frame.") from None
    if not isinstance(obj, dict):
        raise ProtocolError("invalid_frame", f"The frame is a JSON {type(obj).__name__}; expected a JSON object.")
    return obj


def _client_msg_id_of(obj: dict[str, Any]) -> str | None:
    value = obj.get("client_msg_id")
    # printable only: a lone surrogate echoed back would make the reply invalid UTF-8, which no server can send
    return value if isinstance(value, str) and len(value) <= 64 and value.isprintable() else None


def _unknown_type_detail(frame_type: Any) -> str:
    known = ", ".join(f'"{name}"' for name in CLIENT_FRAMES)
    if frame_type is None:
        return f'The frame has no "type" field; expected one of {known}.'
    return f'Unknown frame type {json.dumps(frame_type)[:40]}; expected one of {known}.'


_EXPECTATIONS = {
    "int": "a positive integer id",
    "str": "a non-empty string",
    "uuid": "a UUID string such as 7d444840-9dc0-11d1-b245-5ffdce74fad2",
}


def _describe(error: dict[str, Any], schema: type[_Frame]) -> tuple[str, str]:
    field = ".".join(str(part) for part in error["loc"]) or "frame"
    kind = error["type"]
    if kind == "extra_forbidden":
        allowed = ", ".join(f'"{name}"' for name in schema.model_fields)
        return "unknown_field", f'Unknown field "{field}"; this frame allows only {allowed}.'
    if kind == "missing":
        return "missing_field", f'The field "{field}" is required.'
    return "invalid_field", f'The field "{field}" is invalid: {_expected(schema, field, error)}.'


def _expected(schema: type[_Frame], field: str, error: dict[str, Any]) -> str:
    annotation = str(schema.model_fields[field].annotation) if field in schema.model_fields else ""
    for key, text in _EXPECTATIONS.items():
        if key in annotation.lower():
            nullable = " or null" if "None" in annotation else ""
            return f"expected {text}{nullable}"
    return error["msg"].lower()


def _check_text_length(frame: _Frame, limits: Limits, client_msg_id: str | None) -> None:
    text = getattr(frame, "text", None)
    if text is None:
        return
    if not text.strip():
        raise ProtocolError("invalid_field", 'The field "text" is empty; expected a question.', client_msg_id)
    if "\x00" in text:  # no database text column (PostgreSQL's) can store it
        raise ProtocolError("invalid_field", 'The field "text" contains a NUL character; expected text.', client_msg_id)
    if len(text) > limits.max_question_chars:
        raise ProtocolError(
            "text_too_long",
            f"The question is {len(text)} characters long; the limit is {limits.max_question_chars}.",
            client_msg_id,
        )


def _check_response_length(frame: _Frame, limits: Limits) -> None:
    response = getattr(frame, "response", None)
    if response is None:
        return
    if not response.strip():
        raise ProtocolError("invalid_field", 'The field "response" is empty; expected your answer.')
    if "\x00" in response:
        raise ProtocolError("invalid_field", 'The field "response" contains a NUL character; expected text.')
    if len(response) > limits.max_response_chars:
        raise ProtocolError(
            "response_too_long",
            f"The response is {len(response)} characters long; the limit is {limits.max_response_chars}.",
        )


# --- server frames ------------------------------------------------------------
# Every frame the server sends is built here; docs/protocol.md describes each one.


def ack_frame(*, client_msg_id: str, conversation_id: int, answer_id: int, question_id: int,
              duplicate: bool) -> dict[str, Any]:
    return {
        "type": "ack",
        "client_msg_id": client_msg_id,
        "conversation": conversation_id,
        "message_id": answer_id,
        "question_id": question_id,
        "duplicate": duplicate,
    }


def token_frame(*, answer_id: int, text: str) -> dict[str, Any]:
    return {"type": "token", "message_id": answer_id, "text": text}


def restart_frame(*, answer_id: int) -> dict[str, Any]:
    """The answer is generated again from the start (its inference worker died mid-answer): the tokens received
    so far are to be dropped; the ``token`` frames that follow are the new stream."""
    return {"type": "restart", "message_id": answer_id}


def answer_frame(*, answer_id: int, text: str, confidence: float, sources: list[dict] | None = None,
                 truncated: bool = False, abstained: bool = False, safeguarding: bool = False) -> dict[str, Any]:
    """``safeguarding``: the question raised a safeguarding alert and ``text`` is the school's help text."""
    return {"type": "answer", "message_id": answer_id, "text": text, "confidence": round(confidence, 4),
            "sources": _sources(sources), "truncated": truncated, "abstained": abstained,
            "safeguarding": safeguarding}


def _sources(sources: list[dict] | None) -> list[dict[str, Any]]:
    """The course-note sentences an answer is grounded in, as every frame carries them."""
    return [{"passage": s["passage"], "title": s["title"], "text": s["text"]} for s in sources or []]


def correction_frame(*, answer_id: int, conversation_id: int, text: str) -> dict[str, Any]:
    return {"type": "correction", "message_id": answer_id, "conversation": conversation_id, "text": text}


def held_frame(*, answer_id: int, text: str) -> dict[str, Any]:
    """The answer's stream ends here without it: it is held for the course's teachers (draft approval), and
    ``text`` says so. A ``released`` frame follows, on the student's sockets, when it is decided."""
    return {"type": "held", "message_id": answer_id, "text": text}


DraftOutcome = Literal["approved", "edited", "rejected", "unchecked"]


def released_frame(*, answer_id: int, conversation_id: int, outcome: DraftOutcome, text: str,
                   label: str | None) -> dict[str, Any]:
    """A held answer is decided: ``text`` replaces the held notice. ``outcome``: approved as written, edited
    (``text`` is the teacher's), rejected (``text`` is a short message), or unchecked (the wait ended; ``label``
    says so)."""
    return {"type": "released", "message_id": answer_id, "conversation": conversation_id, "outcome": outcome,
            "text": text, "label": label}


def drafts_changed_frame(*, course_id: int, answer_id: int, status: str) -> dict[str, Any]:
    """To a course's teachers' drafts pages: a draft was held (``status`` "held") or left the held list."""
    return {"type": "drafts_changed", "course": course_id, "message_id": answer_id, "status": status}


def history_frame(*, conversation_id: int, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """``messages`` as ``history_message`` writes them."""
    return {"type": "history", "conversation": conversation_id, "messages": messages}


def history_message(message, draft: DraftView | None = None) -> dict[str, Any]:
    """One message (``tutor.models.Message``) of a ``history`` frame; a teacher's correction replaces the text,
    and a draft held for the teachers shows as ``draft`` says (``tutor.drafts.draft_view``)."""
    return {
        "message_id": message.id,
        "role": message.role,
        "text": draft.text if draft else (message.corrected_text or message.text),
        "status": message.status,
        "error_code": message.error_code or None,
        "corrected": bool(message.corrected_text) and not draft,
        "draft": draft.outcome if draft else None,
        "label": draft.label if draft else None,
        "confidence": message.confidence,
        "sources": _sources(message.sources),
        "truncated": (message.features or {}).get("finish_reason") == "length",
        "abstained": bool((message.context or {}).get("abstained")),
        "safeguarding": bool((message.context or {}).get("safeguarding")),
        "reply_to": message.reply_to_id,
        "client_msg_id": str(message.client_msg_id) if message.client_msg_id else None,
        "created_at": message.created_at.isoformat(),
    }


def error_frame(code: str, detail: str, client_msg_id: str | None = None, **extra: Any) -> dict[str, Any]:
    """``detail`` may be a lazy translation: it is worded here, in the active language; ``code`` never is."""
    frame: dict[str, Any] = {"type": "error", "code": code, "detail": str(detail)}
    if client_msg_id is not None:
        frame["client_msg_id"] = client_msg_id
    frame.update(extra)
    return frame


def item_frame(served) -> dict[str, Any]:
    """A served practice item (``learning.practice.ServedPractice``); never carries the answer."""
    frame: dict[str, Any] = {
        "type": "item",
        "item_id": served.item.id,
        "course": served.item.course_id,
        "mode": served.mode,
        "prompt": served.item.prompt,
        "skill": served.skill,
        "skill_name": served.skill_name,
    }
    if served.item.choices:
        frame["choices"] = [{"key": c["key"], "text": c["text"]} for c in served.item.choices]
    return frame


def no_open_item_frame(*, course_id: int) -> dict[str, Any]:
    """The reply to ``open_item`` when the student is working on no item in the course."""
    return {"type": "no_open_item", "course": course_id}


def graded_frame(graded) -> dict[str, Any]:
    """The grade of a submission (``learning.practice.GradedAttempt``); the expected answer only when wrong, and
    the misconception the wrong answer showed when one is known."""
    frame: dict[str, Any] = {
        "type": "graded",
        "item_id": graded.attempt.item_id,
        "attempt_id": graded.attempt.id,
        "correct": graded.attempt.correct,
        "mastery": graded.mastery,
        "skill_names": graded.skill_names,
    }
    if not graded.attempt.correct:
        frame["expected"] = graded.expected
    if graded.misconception is not None:
        frame["misconception"] = {"id": graded.misconception.id, "text": graded.misconception.text}
    return frame
