"""The frame parser alone: pure, no database, no socket."""
import json
import uuid

import pytest

from tutor.protocol import AskFrame, HistoryFrame, Limits, OpenItemFrame, ProtocolError, parse_client_frame

LIMITS = Limits(max_frame_bytes=1024, max_question_chars=100)


def ask(**overrides) -> str:
    frame = {"type": "ask", "course": 1, "conversation": None, "text": "hi", "client_msg_id": str(uuid.uuid4())}
    frame.update(overrides)
    return json.dumps(frame)


def error_of(raw: str) -> ProtocolError:
    with pytest.raises(ProtocolError) as caught:
        parse_client_frame(raw, LIMITS)
    return caught.value


def test_valid_ask_and_history_parse():
    assert isinstance(parse_client_frame(ask(), LIMITS), AskFrame)
    history = parse_client_frame('{"type": "history", "conversation": 3, "after": 9}', LIMITS)
    assert isinstance(history, HistoryFrame) and history.after == 9


def test_history_after_is_optional():
    assert parse_client_frame('{"type": "history", "conversation": 3}', LIMITS).after is None


def test_missing_field_is_named():
    error = error_of(json.dumps({"type": "ask", "course": 1, "conversation": None, "text": "hi"}))
    assert error.code == "missing_field" and '"client_msg_id"' in error.detail


def test_wrong_type_says_what_was_expected():
    error = error_of(ask(course="1"))
    assert error.code == "invalid_field" and '"course"' in error.detail and "positive integer" in error.detail


def test_conversation_may_be_null_and_says_so():
    error = error_of(ask(conversation="x"))
    assert "or null" in error.detail


def test_float_id_rejected():
    assert error_of(ask(course=1.0)).code == "invalid_field"


def test_unknown_type_lists_known_types():
    error = error_of('{"type": "delete_everything"}')
    assert error.code == "unknown_type" and '"ask"' in error.detail and '"history"' in error.detail


def test_client_msg_id_echoed_even_when_frame_is_bad():
    client_msg_id = str(uuid.uuid4())
    assert error_of(ask(client_msg_id=client_msg_id, course=0)).client_msg_id == client_msg_id


def test_size_is_measured_in_bytes_not_characters():
    assert error_of(ask(text="é" * 600)).code == "frame_too_large"


def test_deeply_nested_json_is_rejected_cleanly():
    limits = Limits(max_frame_bytes=100_000, max_question_chars=100)
    with pytest.raises(ProtocolError) as caught:
        parse_client_frame("[" * 50_000 + "]" * 50_000, limits)
    assert caught.value.code in ("invalid_json", "invalid_frame")


def test_open_item_names_a_course_and_nothing_else():
    assert parse_client_frame('{"type": "open_item", "course": 3}', LIMITS) == OpenItemFrame(type="open_item", course=3)
    assert error_of('{"type": "open_item"}').code == "missing_field"
    wrong = error_of('{"type": "open_item", "course": "3"}')
    assert wrong.code == "invalid_field" and '"course"' in wrong.detail
    extra = error_of('{"type": "open_item", "course": 3, "mode": "practice"}')
    assert extra.code == "unknown_field" and '"mode"' in extra.detail
