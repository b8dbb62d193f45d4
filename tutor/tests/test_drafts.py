"""Draft approval over the sockets (tutor.drafts): held below the threshold and never streamed, decided by a
teacher or released after the wait, each outcome delivered to the student's sockets and to the teachers' page."""
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import Group

from annotation.models import Flag, ReviewTask
from annotation.router.flagging import HELD_FIRST
from annotation.services import ReviewError, draft_approve, draft_edit, draft_reject, review_correct
from learning.models import Course
from tutor.drafts import HELD_TEXT, REJECTED_TEXT, UNCHECKED_LABEL, draft_release_due, drafts_release_overdue
from tutor.models import Draft, DraftPolicy
from tutor.asgi import application
from tutor.tests.wsclient import ORIGIN, TutorSocket, ask_frame, connect_as, session_cookie_for

pytestmark = pytest.mark.django_db(transaction=True)
QUESTION = "Why do we flip the inequality sign?"


@database_sync_to_async
def set_policy(course, *, hold_below=1.0, on_timeout="send", students=(), groups=()) -> DraftPolicy:
    Course.objects.filter(id=course.id).update(abstain_below=None)  # this suite tests holding, not abstention
    policy = DraftPolicy.objects.create(course=course, hold_below=hold_below, wait_minutes=5, on_timeout=on_timeout)
    policy.students.set(students)
    policy.groups.set(groups)
    return policy


async def ask(socket, course, text=QUESTION) -> list[dict]:
    await socket.send_json_to(ask_frame(course.id, text))
    frames = [await socket.receive_json_from()]
    while frames[-1]["type"] not in ("held", "answer", "error"):
        frames.append(await socket.receive_json_from())
    return frames


@database_sync_to_async
def task_of(answer_id) -> ReviewTask:
    return ReviewTask.objects.get(answer_id=answer_id)


@database_sync_to_async
def draft_of(answer_id) -> Draft:
    return Draft.objects.get(answer_id=answer_id)


async def history_of(socket, conversation) -> dict:
    await socket.send_json_to({"type": "history", "conversation": conversation})
    return (await socket.receive_json_from())["messages"][-1]


async def test_an_answer_below_the_threshold_is_held_and_none_of_it_streams(personas, fake_engine):
    await set_policy(personas.course_a, hold_below=1.0)
    student = await connect_as(personas.student1)
    frames = await ask(student, personas.course_a)

    assert [f["type"] for f in frames] == ["ack", "held"]
    assert frames[-1]["text"] == str(HELD_TEXT)
    answer_id = frames[-1]["message_id"]
    task = await task_of(answer_id)
    assert (task.reason, task.status) == (Flag.DRAFT, ReviewTask.Status.OPEN)
    assert task.priority >= HELD_FIRST  # the top of the queue
    assert (await draft_of(answer_id)).status == Draft.Status.HELD
    shown = await history_of(student, frames[0]["conversation"])
    assert (shown["text"], shown["draft"], shown["corrected"]) == (str(HELD_TEXT), "held", False)
    await student.disconnect()


async def test_an_answer_above_the_threshold_streams_as_usual(personas, fake_engine):
    await set_policy(personas.course_a, hold_below=0.0)
    student = await connect_as(personas.student1)
    frames = await ask(student, personas.course_a)

    assert [f["type"] for f in frames][0] == "ack" and frames[-1]["type"] == "answer"
    assert "token" in {f["type"] for f in frames}
    assert not await database_sync_to_async(Draft.objects.exists)()
    await student.disconnect()


async def test_only_the_chosen_students_and_groups_are_held(personas, fake_engine):
    group = await database_sync_to_async(Group.objects.create)(name="set 2")
    await database_sync_to_async(personas.student2.groups.add)(group)
    await set_policy(personas.course_a, students=[personas.student1], groups=[group])
    outsider = await database_sync_to_async(_third_student)(personas.course_a)
    for user, held in ((personas.student1, True), (personas.student2, True), (outsider, False)):
        socket = await connect_as(user)
        frames = await ask(socket, personas.course_a)
        assert (frames[-1]["type"] == "held") is held, user
        await socket.disconnect()


def _third_student(course):
    from django.contrib.auth import get_user_model

    from learning.models import Enrollment

    user = get_user_model().objects.create_user("student4", password="pw")
    Enrollment.objects.create(user=user, course=course, role="student")
    return user


@database_sync_to_async
def decide(action, answer_id, teacher, **fields):
    return action(task_id=ReviewTask.objects.get(answer_id=answer_id).id, teacher=teacher, **fields)


@pytest.mark.parametrize("action, fields, outcome", [
    (draft_approve, {}, "approved"),
    (draft_edit, {"text": "Multiplying by a negative number reverses the order."}, "edited"),
    (draft_reject, {"reason": "Off the point."}, "rejected"),
])
async def test_each_decision_reaches_the_students_sockets_with_its_text(personas, fake_engine, action, fields,
                                                                        outcome):
    await set_policy(personas.course_a)
    student, second_tab = await connect_as(personas.student1), await connect_as(personas.student1)
    frames = await ask(student, personas.course_a)
    answer_id, conversation = frames[-1]["message_id"], frames[0]["conversation"]
    draft_text = (await database_sync_to_async(lambda: Draft.objects.get(answer_id=answer_id).answer.text)())

    await decide(action, answer_id, personas.teacher1, **fields)

    expected_text = {"approved": draft_text, "edited": fields.get("text"), "rejected": str(REJECTED_TEXT)}[outcome]
    expected = {"type": "released", "message_id": answer_id, "conversation": conversation, "outcome": outcome,
                "text": expected_text, "label": None}
    assert await student.receive_json_from() == expected
    assert await second_tab.receive_json_from() == expected
    assert await student.receive_nothing(timeout=0.2)  # no second frame (no "correction" as well)
    shown = await history_of(student, conversation)
    assert (shown["text"], shown["draft"]) == (expected_text, outcome)
    task = await task_of(answer_id)
    assert task.status == {"approved": "approved", "edited": "corrected", "rejected": "rejected"}[outcome]
    for socket in (student, second_tab):
        await socket.disconnect()


@pytest.mark.parametrize("on_timeout", ["send", "keep"])
async def test_after_the_wait_the_draft_is_sent_labelled_or_stays_held(personas, fake_engine, on_timeout):
    await set_policy(personas.course_a, on_timeout=on_timeout)
    student = await connect_as(personas.student1)
    frames = await ask(student, personas.course_a)
    answer_id, conversation = frames[-1]["message_id"], frames[0]["conversation"]
    draft = await draft_of(answer_id)

    assert await database_sync_to_async(draft_release_due)(draft_id=draft.id) == ""  # not due yet
    later = draft.release_at + timedelta(seconds=1)
    assert await database_sync_to_async(drafts_release_overdue)(now=later) == 1

    if on_timeout == "send":
        frame = await student.receive_json_from()
        assert (frame["type"], frame["outcome"], frame["label"]) == ("released", "unchecked", str(UNCHECKED_LABEL))
        assert frame["text"] == await database_sync_to_async(lambda: Draft.objects.get(answer_id=answer_id).answer.text)()
    else:
        assert await student.receive_nothing(timeout=0.3)
        assert (await history_of(student, conversation))["draft"] == "held"
    assert (await task_of(answer_id)).status == ReviewTask.Status.OPEN  # the review task stays open either way
    assert await database_sync_to_async(drafts_release_overdue)(now=later) == 0  # once only
    await student.disconnect()


async def test_a_decision_after_the_release_is_refused_and_changes_nothing(personas, fake_engine):
    await set_policy(personas.course_a)
    student = await connect_as(personas.student1)
    frames = await ask(student, personas.course_a)
    answer_id = frames[-1]["message_id"]
    draft = await draft_of(answer_id)
    await database_sync_to_async(draft_release_due)(draft_id=draft.id, now=draft.release_at)
    await student.receive_json_from()  # the labelled release

    with pytest.raises(ReviewError) as refused:
        await decide(draft_edit, answer_id, personas.teacher1, text="Too late.")
    assert refused.value.code == "draft_released"
    assert (await task_of(answer_id)).status == ReviewTask.Status.OPEN
    assert (await draft_of(answer_id)).status == Draft.Status.RELEASED
    assert await student.receive_nothing(timeout=0.2)
    # The review page's correction still reaches the student, as for any answer.
    await decide(review_correct, answer_id, personas.teacher1, text="Reverse the sign.")
    assert (await student.receive_json_from())["type"] == "correction"
    await student.disconnect()


async def test_two_teachers_deciding_one_draft_one_wins(personas, fake_engine):
    """The SQLite version, one after the other: the service tier races them for real (tests/test_service_tier)."""
    await set_policy(personas.course_a)
    second_teacher = await database_sync_to_async(_second_teacher)(personas.course_a)
    student = await connect_as(personas.student1)
    answer_id = (await ask(student, personas.course_a))[-1]["message_id"]

    await decide(draft_approve, answer_id, personas.teacher1)
    with pytest.raises(ReviewError) as refused:
        await decide(draft_edit, answer_id, second_teacher, text="Mine instead.")
    assert refused.value.code == "task_resolved"
    draft = await draft_of(answer_id)
    assert (draft.status, draft.decided_by_id, draft.edit_distance, draft.approved_as_is) == (
        Draft.Status.APPROVED, personas.teacher1.id, 0, True)
    assert (await student.receive_json_from())["outcome"] == "approved"
    assert await student.receive_nothing(timeout=0.2)
    await student.disconnect()


def _second_teacher(course):
    from django.contrib.auth import get_user_model

    from learning.models import Enrollment

    user = get_user_model().objects.create_user("teacher3", password="pw", is_staff=True)
    Enrollment.objects.create(user=user, course=course, role="teacher")
    return user


async def test_the_teachers_page_hears_of_its_courses_drafts_only(personas, fake_engine):
    await set_policy(personas.course_a)
    own = await teachers_socket(personas.teacher1)
    other = await teachers_socket(personas.teacher2)
    student = await connect_as(personas.student1)
    answer_id = (await ask(student, personas.course_a))[-1]["message_id"]

    expected = {"type": "drafts_changed", "course": personas.course_a.id, "message_id": answer_id}
    assert {**await own.receive_json_from(), "status": None} == {**expected, "status": None}
    await decide(draft_approve, answer_id, personas.teacher1)
    assert await own.receive_json_from() == {**expected, "status": "approved"}
    assert await other.receive_nothing(timeout=0.3)
    for socket in (own, other, student):
        await socket.disconnect()


async def teachers_socket(user, expect_open=True):
    cookie = await database_sync_to_async(session_cookie_for)(user)
    socket = TutorSocket(application, "/ws/teachers/", headers=[(b"cookie", cookie), (b"origin", ORIGIN)])
    connected, code = await socket.connect()
    assert connected is expect_open, code
    return socket


@pytest.mark.parametrize("persona", ["student1", "author1"])
async def test_who_teaches_nothing_cannot_open_the_teachers_socket(personas, persona):
    await teachers_socket(getattr(personas, persona), expect_open=False)


async def test_an_edit_of_two_characters_counts_as_approved_as_is(personas, fake_engine):
    await set_policy(personas.course_a)
    student = await connect_as(personas.student1)
    answer_id = (await ask(student, personas.course_a))[-1]["message_id"]
    text = await database_sync_to_async(lambda: Draft.objects.get(answer_id=answer_id).answer.text)()
    await decide(draft_edit, answer_id, personas.teacher1, text=text + "!!")
    draft = await draft_of(answer_id)
    assert (draft.status, draft.edit_distance, draft.approved_as_is) == (Draft.Status.EDITED, 2, True)
    await student.disconnect()



async def test_a_held_draft_is_not_in_the_next_prompt_until_it_is_decided(personas, fake_engine):
    await set_policy(personas.course_a)
    student = await connect_as(personas.student1)
    frames = await ask(student, personas.course_a)
    draft_text = await database_sync_to_async(
        lambda: Draft.objects.get(answer_id=frames[-1]["message_id"]).answer.text)()
    await student.send_json_to(ask_frame(personas.course_a.id, "And why?", conversation=frames[0]["conversation"]))
    while (await student.receive_json_from())["type"] not in ("held", "answer", "error"):
        pass
    earlier = [turn.content for turn in fake_engine.requests[-1].history[:-1]]
    assert draft_text not in earlier and earlier  # the question is there, the unread draft is not
    await student.disconnect()
