"""Hypothesis strategies for the WebSocket frame fuzzing in tests/test_fuzz.py, each case with the set of reply
types or error codes the protocol allows for it (pure: no Django)."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

from hypothesis import strategies as st

from tests.fuzz_uploads import (
    EXTRA_NAMES, NASTY_TEXT, any_chars, clean_chars, has_surrogate, junk_json, nonblank_text,
)

OPEN_ITEM = "@@open-item@@"  # replaced when sent by the id of the item last served on the socket


@dataclass
class SocketWorld:
    """Ids as seen by the student on the socket (student1 of course A)."""

    course: int
    other_course: int  # not theirs
    conversation: int  # theirs, in ``course``
    others_conversation: int  # student2's, in ``course``
    items: tuple[int, ...]  # items of ``course``
    others_item: int  # another course's item, served to another student
    used_msg_id: str  # the client_msg_id of an earlier question of theirs in ``course``
    max_frame_bytes: int
    max_question_chars: int
    max_response_chars: int
    missing_id: int = 999_999_999


@dataclass(frozen=True)
class FrameCase:
    payload: str | bytes
    expect: frozenset[str]  # reply types (ack, history, item, no_open_item, graded) or error codes
    label: str = ""
    readable_id: str | None = field(default=None)  # a client_msg_id the error reply must echo

    def __repr__(self) -> str:
        return f"FrameCase({self.label!r}, {self.payload[:300]!r}, expect={sorted(self.expect)})"

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(repr(self))


ERROR_CODES = frozenset({
    "invalid_json", "invalid_frame", "binary_not_supported", "frame_too_large", "unknown_type", "unknown_field",
    "missing_field", "invalid_field", "text_too_long", "response_too_long", "no_items", "no_other_item",
    "item_not_open", "item_already_answered", "course_not_found", "conversation_not_found",
    "duplicate_client_msg_id", "rate_limited", "unknown_skill",
})
REPLIES = frozenset({"ack", "history", "item", "no_open_item", "graded"})
BAD_IDS = (0, -1, 2**62 + 1, 2**64, 10**30, True, False, 1.0, 2.5, "1", [], {}, None)


def _text_problem(text: object, limit: int, too_long: str) -> str | None:
    """What the protocol answers for this question or response text, None when it is acceptable."""
    if not isinstance(text, str) or not text or has_surrogate(text) or "\x00" in text or not text.strip():
        return "invalid_field"
    return too_long if len(text) > limit else None


def _readable(value: object) -> str | None:
    return value if isinstance(value, str) and len(value) <= 64 and value.isprintable() else None


def _case(world: SocketWorld, frame: object, expect, label: str, ascii_only: bool = True) -> FrameCase:
    payload = json.dumps(frame, ensure_ascii=ascii_only or has_surrogate(json.dumps(frame, ensure_ascii=False)))
    if len(payload.encode()) > world.max_frame_bytes:
        expect = {"frame_too_large"}
    readable = _readable(frame.get("client_msg_id")) if isinstance(frame, dict) else None
    return FrameCase(payload, frozenset(expect), label, readable)


question_text = (st.sampled_from(NASTY_TEXT) | st.text(any_chars, max_size=30) | nonblank_text
                 | st.integers(2001, 20_000).map(lambda n: "q" * n))


@st.composite
def service_frames(draw, world: SocketWorld, kinds: tuple[str, ...]) -> FrameCase:
    """Well-formed frames of the ``kinds`` with ids that are or are not the student's."""
    kind = draw(st.sampled_from(kinds))
    ascii_only = draw(st.booleans())
    if kind == "ask":
        course = draw(st.sampled_from([world.course] * 3 + [world.other_course, world.missing_id]))
        conversation = draw(st.sampled_from([None, None, world.conversation, world.others_conversation,
                                             world.missing_id]))
        text = draw(question_text)
        msg_id = draw(st.uuids().map(str) | st.uuids().map(lambda u: str(u).upper()) | st.just(world.used_msg_id))
        frame = {"type": "ask", "course": course, "conversation": conversation, "text": text, "client_msg_id": msg_id}
        expect = _text_problem(text, world.max_question_chars, "text_too_long") or (
            "course_not_found" if course != world.course
            else "conversation_not_found" if conversation not in (None, world.conversation) else "ack")
        return _case(world, frame, {expect}, "ask", ascii_only)
    if kind == "history":
        conversation = draw(st.sampled_from([world.conversation, world.others_conversation, world.missing_id]))
        frame = {"type": "history", "conversation": conversation}
        if draw(st.booleans()):
            frame["after"] = draw(st.none() | st.integers(1, 2**62))
        expect = "history" if conversation == world.conversation else "conversation_not_found"
        return _case(world, frame, {expect}, "history")
    if kind == "next_item":
        course = draw(st.sampled_from([world.course, world.course, world.other_course, world.missing_id]))
        frame = {"type": "next_item", "course": course, "mode": draw(st.sampled_from(["diagnose", "practice"]))}
        return _case(world, frame, {"item" if course == world.course else "course_not_found"}, "next_item")
    if kind == "open_item":
        course = draw(st.sampled_from([world.course, world.course, world.other_course, world.missing_id]))
        frame = {"type": "open_item", "course": course}
        expect = {"item", "no_open_item"} if course == world.course else {"course_not_found"}
        return _case(world, frame, expect, "open_item")
    item = draw(st.sampled_from([OPEN_ITEM] * len(world.items) + [*world.items, world.others_item, world.missing_id]))
    response = draw(st.sampled_from(["1", "2", "7/12", " 3 ", "b"]) | question_text)
    frame = {"type": "submit", "item_id": item, "response": response}
    mine = item == OPEN_ITEM or item in world.items
    expect = ({"graded", "item_not_open", "item_already_answered"} if mine else {"item_not_open"})
    problem = _text_problem(response, world.max_response_chars, "response_too_long")
    return _case(world, frame, {problem} if problem else expect, "submit", ascii_only)


def _valid_frames(world: SocketWorld) -> dict[str, dict]:
    return {
        "ask": {"type": "ask", "course": world.course, "conversation": None, "text": "Why?",
                "client_msg_id": str(uuid.UUID(int=7))},
        "history": {"type": "history", "conversation": world.conversation, "after": None},
        "next_item": {"type": "next_item", "course": world.course, "mode": "practice"},
        "open_item": {"type": "open_item", "course": world.course},
        "submit": {"type": "submit", "item_id": world.missing_id, "response": "1"},
    }


_WRONG_VALUES = {"text": [1, None, [], {}, True], "response": [1, None, ["1"], False],
                 "client_msg_id": ["not-a-uuid", "", 12, None, "0" * 65], "mode": ["Practice", "review", "", 1, None]}
_REQUIRED_FIELDS = {"ask": ("course", "conversation", "text", "client_msg_id"), "history": ("conversation",),
                    "next_item": ("course", "mode"), "open_item": ("course",), "submit": ("item_id", "response")}
FRAME_TYPES = frozenset(_REQUIRED_FIELDS)  # every client frame type the generators know


@st.composite
def structural_frames(draw, world: SocketWorld) -> FrameCase:
    """A valid frame with one field missing, added, or of the wrong type or range."""
    name, frame = draw(st.sampled_from(sorted(_valid_frames(world).items())))
    how = draw(st.sampled_from(["missing", "extra", "wrong", "type"]))
    if how == "missing":
        del frame[draw(st.sampled_from(_REQUIRED_FIELDS[name]))]
        return _case(world, frame, {"missing_field"}, f"{name}/missing")
    if how == "extra":
        names = EXTRA_NAMES if name == "ask" else (*EXTRA_NAMES, "client_msg_id")
        frame[draw(st.sampled_from(names))] = draw(junk_json)
        return _case(world, frame, {"unknown_field"}, f"{name}/extra")
    if how == "type":
        frame["type"] = draw(st.sampled_from(["ASK", "", "asks", 1, None, [], "error", "ack"]))
        if draw(st.booleans()):
            del frame["type"]
        return _case(world, frame, {"unknown_type"}, f"{name}/type")
    target = draw(st.sampled_from([key for key in frame if key != "type"]))
    if target in _WRONG_VALUES:
        value = draw(st.sampled_from(_WRONG_VALUES[target]))
    else:  # an id; null is a valid ask conversation and history "after"
        nullable = target == "after" or (name, target) == ("ask", "conversation")
        value = draw(st.sampled_from([v for v in BAD_IDS if not (v is None and nullable)]))
    frame[target] = value
    return _case(world, frame, {"invalid_field"}, f"{name}/wrong-{target}")


@st.composite
def any_json_frames(draw, world: SocketWorld) -> FrameCase:
    value = draw(junk_json | st.dictionaries(st.sampled_from(["type", "course", "text", "client_msg_id", "mode"]),
                                             junk_json | st.sampled_from(sorted(FRAME_TYPES))))
    if not isinstance(value, dict):
        return _case(world, value, {"invalid_frame"}, "json")
    known = isinstance(value.get("type"), str) and value["type"] in _REQUIRED_FIELDS
    return _case(world, value, (ERROR_CODES | REPLIES) if known else {"unknown_type"}, "json-object")


def _not_json(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return True
    return False


not_json_text = (st.text(clean_chars, max_size=40) | st.sampled_from(["{", "{'type': 'ask'}", "[1,]", "NaN ", "",
                                                                      '{"type": "ask"', "\ufeff{}", "[" * 5000]))


def frame_cases(world: SocketWorld) -> dict[str, st.SearchStrategy[FrameCase]]:
    """The kinds of frame, by name."""
    return {
        "ask": service_frames(world, ("ask",)),
        "history": service_frames(world, ("history",)),
        "practice": service_frames(world, ("next_item", "open_item", "submit")),
        "structural": structural_frames(world),
        "any-json": any_json_frames(world),
        "not-json": not_json_text.filter(_not_json).map(lambda text: FrameCase(text, frozenset({"invalid_json"}))),
        "binary": st.binary(max_size=64).map(lambda data: FrameCase(data, frozenset({"binary_not_supported"}))),
        "oversize": st.integers(world.max_frame_bytes + 1, world.max_frame_bytes * 3).map(
            lambda n: FrameCase("x" * n, frozenset({"frame_too_large"}))),
    }
