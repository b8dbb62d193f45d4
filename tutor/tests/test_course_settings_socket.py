"""A course's AI settings enforced on the socket (docs/protocol.md, "A course's AI settings"): the tutor switched
off, the daily question limit, and off-topic questions left unanswered; the fake engine writes the answers."""
import uuid
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from learning.models import Course, Enrollment
from learning.tests.factories import passages, practice_content
from tutor.models import Message
from tutor.school_day import day_start, next_day_start
from tutor.selectors import questions_today
from tutor.tests.wsclient import ask_and_wait, ask_frame, connect_as, receive_until

pytestmark = pytest.mark.django_db(transaction=True)

RISK = "the kids in my class bully me every day and i'm scared"
NOTES = {"Photosynthesis": "Plants take in carbon dioxide from the air through their leaves. They release oxygen.",
         "Cells": "A cell is the smallest unit of life. Plant cells have a cell wall and chloroplasts."}
OFF_TOPIC = "What is your favourite film?"  # no word or n-gram of it is in NOTES


async def set_course(course, **fields) -> None:
    await database_sync_to_async(Course.objects.filter(id=course.id).update)(**fields)


@database_sync_to_async
def stored_questions(student) -> int:
    return Message.objects.filter(sender=student, role=Message.Role.STUDENT).count()


@database_sync_to_async
def stored_answers() -> int:
    return Message.objects.filter(role=Message.Role.TUTOR).count()


async def ask_refused(socket, course_id: int, text: str = "What is 2x = 4?") -> dict:
    frame = ask_frame(course_id, text)
    await socket.send_json_to(frame)
    reply = await socket.receive_json_from()
    assert reply["type"] == "error" and reply["client_msg_id"] == frame["client_msg_id"], reply
    return reply


# --- the tutor on or off ----------------------------------------------------------------------------------------

async def test_with_the_tutor_off_a_question_is_refused_and_nothing_is_stored(personas, fake_engine):
    await set_course(personas.course_a, tutor_enabled=False)
    socket = await connect_as(personas.student1)
    error = await ask_refused(socket, personas.course_a.id)
    assert error["code"] == "tutor_disabled" and "switched off" in error["detail"]
    assert (await stored_questions(personas.student1), await stored_answers()) == (0, 0)
    assert fake_engine.requests == []
    await socket.disconnect()


async def test_with_the_tutor_off_practice_still_works(personas, fake_engine):
    await database_sync_to_async(practice_content)(personas.course_a)
    await set_course(personas.course_a, tutor_enabled=False)
    socket = await connect_as(personas.student1)
    await socket.send_json_to({"type": "next_item", "course": personas.course_a.id, "mode": "diagnose"})
    item = await socket.receive_json_from()
    assert item["type"] == "item"
    await socket.send_json_to({"type": "submit", "item_id": item["item_id"], "response": "1"})
    assert (await socket.receive_json_from())["type"] == "graded"
    await socket.disconnect()


async def test_with_the_tutor_off_in_one_course_another_course_still_answers(personas, fake_engine):
    await database_sync_to_async(Enrollment.objects.create)(user=personas.student1, course=personas.course_b,
                                                            role="student")
    await set_course(personas.course_a, tutor_enabled=False)
    socket = await connect_as(personas.student1)
    frames = await ask_and_wait(socket, ask_frame(personas.course_b.id))
    assert frames[0]["type"] == "ack" and frames[-1]["type"] == "answer"
    await socket.disconnect()


async def test_with_the_tutor_off_a_risk_message_still_gets_the_help_text(personas, fake_engine):
    await set_course(personas.course_a, tutor_enabled=False, safeguarding_help_text="Talk to Ms Rivera.")
    socket = await connect_as(personas.student1)
    frames = await ask_and_wait(socket, ask_frame(personas.course_a.id, RISK))
    assert (frames[-1]["text"], frames[-1]["safeguarding"]) == ("Talk to Ms Rivera.", True)
    assert fake_engine.requests == []
    await socket.disconnect()


async def test_a_question_acknowledged_before_the_tutor_went_off_is_acknowledged_again(personas, fake_engine):
    socket = await connect_as(personas.student1)
    frame = ask_frame(personas.course_a.id)
    first = (await ask_and_wait(socket, frame))[0]
    await set_course(personas.course_a, tutor_enabled=False)
    await socket.send_json_to(frame)
    again = await socket.receive_json_from()
    assert (again["type"], again["duplicate"], again["message_id"]) == ("ack", True, first["message_id"])
    await socket.disconnect()


# --- the daily question limit -----------------------------------------------------------------------------------

async def test_the_question_past_the_daily_limit_is_refused_with_when_it_resets(personas, fake_engine):
    await set_course(personas.course_a, daily_question_limit=2)
    socket = await connect_as(personas.student1)
    for _ in range(2):
        assert (await ask_and_wait(socket, ask_frame(personas.course_a.id)))[-1]["type"] == "answer"
    error = await ask_refused(socket, personas.course_a.id)
    assert (error["code"], error["limit"]) == ("daily_limit_reached", 2)
    resets_at = datetime.fromisoformat(error["resets_at"])
    assert resets_at == next_day_start() and "2 questions a day" in error["detail"]
    assert await stored_questions(personas.student1) == 2
    await socket.disconnect()


async def test_the_limit_is_per_student_and_per_course(personas, fake_engine):
    await database_sync_to_async(Enrollment.objects.create)(user=personas.student1, course=personas.course_b,
                                                            role="student")
    await set_course(personas.course_a, daily_question_limit=1)
    first, second = await connect_as(personas.student1), await connect_as(personas.student2)
    await ask_and_wait(first, ask_frame(personas.course_a.id))
    assert (await ask_refused(first, personas.course_a.id))["code"] == "daily_limit_reached"
    assert (await ask_and_wait(first, ask_frame(personas.course_b.id)))[-1]["type"] == "answer"
    assert (await ask_and_wait(second, ask_frame(personas.course_a.id)))[-1]["type"] == "answer"
    await first.disconnect()
    await second.disconnect()


async def test_two_sockets_of_one_student_cannot_both_take_the_last_question(personas, fake_engine):
    """The socket-level view of the race; tests/test_service_tier.py holds a second asker at the row lock on
    PostgreSQL, where calls run side by side."""
    await set_course(personas.course_a, daily_question_limit=1)
    sockets = [await connect_as(personas.student1) for _ in range(2)]
    for socket in sockets:
        await socket.send_json_to(ask_frame(personas.course_a.id))
    replies = sorted([(await socket.receive_json_from())["type"] for socket in sockets])
    assert replies == ["ack", "error"]
    assert await stored_questions(personas.student1) == 1
    for socket in sockets:
        await socket.disconnect()


async def test_yesterdays_questions_do_not_count(personas, fake_engine):
    await set_course(personas.course_a, daily_question_limit=1)
    socket = await connect_as(personas.student1)
    await ask_and_wait(socket, ask_frame(personas.course_a.id))
    await database_sync_to_async(Message.objects.filter(sender=personas.student1).update)(
        created_at=day_start() - timedelta(seconds=1))
    assert (await ask_and_wait(socket, ask_frame(personas.course_a.id)))[-1]["type"] == "answer"
    await socket.disconnect()


async def test_a_repeat_of_an_acknowledged_question_is_not_refused_by_the_limit(personas, fake_engine):
    await set_course(personas.course_a, daily_question_limit=1)
    socket = await connect_as(personas.student1)
    frame = ask_frame(personas.course_a.id)
    first = (await ask_and_wait(socket, frame))[0]
    await socket.send_json_to(frame)
    again = await socket.receive_json_from()
    assert (again["type"], again["duplicate"], again["message_id"]) == ("ack", True, first["message_id"])
    await socket.disconnect()


async def test_a_risk_message_past_the_limit_still_gets_the_help_text(personas, fake_engine):
    await set_course(personas.course_a, daily_question_limit=1, safeguarding_help_text="Talk to Ms Rivera.")
    socket = await connect_as(personas.student1)
    await ask_and_wait(socket, ask_frame(personas.course_a.id))
    frames = await ask_and_wait(socket, ask_frame(personas.course_a.id, RISK))
    assert (frames[-1]["text"], frames[-1]["safeguarding"]) == ("Talk to Ms Rivera.", True)
    await socket.disconnect()


def test_the_school_day_starts_at_midnight_in_the_schools_time_zone():
    late_evening_utc = datetime(2026, 3, 28, 23, 30, tzinfo=dt_timezone.utc)  # 00:30 on the 29th in Stockholm
    with override_settings(TIME_ZONE="Europe/Stockholm"):
        start, end = day_start(late_evening_utc), next_day_start(late_evening_utc)
    assert start == datetime(2026, 3, 28, 23, 0, tzinfo=dt_timezone.utc)  # midnight, UTC+1
    assert end == datetime(2026, 3, 29, 22, 0, tzinfo=dt_timezone.utc)  # the clocks went forward: 23 hours
    with override_settings(TIME_ZONE="UTC"):
        assert day_start(late_evening_utc) == datetime(2026, 3, 28, tzinfo=dt_timezone.utc)


def test_questions_today_counts_from_the_schools_midnight(personas):
    conversation = personas.course_a.conversations.create(student=personas.student1, title="q")
    for seconds in (-1, 0, 60):
        Message.objects.create(conversation=conversation, role=Message.Role.STUDENT, sender=personas.student1,
                               text="q", client_msg_id=uuid.uuid4())
    times = [day_start() - timedelta(seconds=1), day_start(), day_start() + timedelta(seconds=60)]
    for message, created_at in zip(Message.objects.order_by("id"), times):
        Message.objects.filter(id=message.id).update(created_at=created_at)
    assert questions_today(student=personas.student1, course_id=personas.course_a.id) == 2
    assert questions_today(student=personas.student1, course_id=personas.course_b.id) == 0


# --- off-topic questions ----------------------------------------------------------------------------------------

@pytest.fixture
def biology(personas):
    passages(personas.course_b, NOTES)
    Course.objects.filter(id=personas.course_b.id).update(answer_off_topic=False, abstain_below=None)
    return personas.course_b


async def test_an_off_topic_question_is_not_answered_when_the_course_says_so(personas, fake_engine, biology):
    socket = await connect_as(personas.student3)
    await socket.send_json_to(ask_frame(biology.id, OFF_TOPIC))
    frames = await receive_until(socket, "error")
    ack, error = frames[0], frames[-1]
    assert [f["type"] for f in frames] == ["ack", "error"]
    assert (error["code"], error["message_id"], error["client_msg_id"]) == (
        "off_topic", ack["message_id"], ack["client_msg_id"])
    assert "only answers questions about this course" in error["detail"]
    assert fake_engine.requests == []
    stored = await database_sync_to_async(Message.objects.get)(id=ack["message_id"])
    assert (stored.status, stored.error_code) == ("failed", "off_topic")
    await socket.send_json_to({"type": "history", "conversation": ack["conversation"]})
    shown = (await socket.receive_json_from())["messages"][-1]
    assert (shown["status"], shown["error_code"]) == ("failed", "off_topic")
    await socket.disconnect()


@pytest.mark.parametrize("question", [
    "What gas do plants take in through their leaves?",  # the notes hold it
    "What is 2/9 + 4/9?",  # a calculation the solver does
])
async def test_on_topic_questions_are_still_answered(personas, fake_engine, biology, question):
    socket = await connect_as(personas.student3)
    frames = await ask_and_wait(socket, ask_frame(biology.id, question))
    assert frames[-1]["type"] == "answer" and fake_engine.requests
    await socket.disconnect()


async def test_a_short_follow_up_in_a_conversation_is_answered(personas, fake_engine, biology):
    socket = await connect_as(personas.student3)
    first = await ask_and_wait(socket, ask_frame(biology.id, "What gas do plants take in through their leaves?"))
    follow_up = await ask_and_wait(socket, ask_frame(biology.id, "Why?", conversation=first[0]["conversation"]))
    assert follow_up[-1]["type"] == "answer"
    await socket.disconnect()


async def test_off_topic_questions_are_answered_by_default(personas, fake_engine, biology):
    await set_course(biology, answer_off_topic=True)
    socket = await connect_as(personas.student3)
    assert (await ask_and_wait(socket, ask_frame(biology.id, OFF_TOPIC)))[-1]["type"] == "answer"
    await socket.disconnect()
