"""Practice over the WebSocket (next_item, submit) and what the tutor knows while it answers."""
import json

import pytest
from channels.db import database_sync_to_async

from learning.answer_guard import PLACEHOLDER
from learning.models import Attempt, Item, KnowledgeState, ServedItem, StudentMisconception
from learning.tests.factories import passages, practice_content
from tutor.models import Message
from tutor.tests.wsclient import ask_and_wait, ask_frame, connect_as

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def items(personas):
    return practice_content(personas.course_a)


async def send(communicator, frame) -> dict:
    await communicator.send_to(text_data=frame if isinstance(frame, str) else json.dumps(frame))
    return await communicator.receive_json_from()


async def next_item(communicator, course_id: int, mode: str = "diagnose") -> dict:
    return await send(communicator, {"type": "next_item", "course": course_id, "mode": mode})


@database_sync_to_async
def answer_of(item_id: int) -> str:
    return str(int(Item.objects.get(pk=item_id).answer_spec["value"]))


@database_sync_to_async
def counts() -> tuple[int, int]:
    return Attempt.objects.count(), KnowledgeState.objects.count()


async def test_next_item_then_submit_grades_and_reports_mastery(personas, items):
    communicator = await connect_as(personas.student1)
    item = await next_item(communicator, personas.course_a.id)
    assert item["type"] == "item" and item["mode"] == "diagnose" and item["course"] == personas.course_a.id
    assert item["prompt"] and item["skill"] in {"solve", "isolate", "two-step"} and item["skill_name"]
    assert not {"answer", "answer_spec", "expected"} & set(item)
    graded = await send(communicator, {"type": "submit", "item_id": item["item_id"],
                                       "response": await answer_of(item["item_id"])})
    assert graded == {"type": "graded", "item_id": item["item_id"], "attempt_id": graded["attempt_id"],
                      "correct": True, "mastery": graded["mastery"], "skill_names": graded["skill_names"]}
    assert graded["mastery"] and all(0 < v < 1 for v in graded["mastery"].values())
    # the names of the skills, for the mastery bars (keys mean nothing to a student)
    assert set(graded["skill_names"]) == set(graded["mastery"]) and "isolate" not in graded["skill_names"].values()
    await communicator.disconnect()


async def test_a_wrong_answer_is_told_the_expected_one(personas, items):
    communicator = await connect_as(personas.student1)
    item = await next_item(communicator, personas.course_a.id, "practice")
    graded = await send(communicator, {"type": "submit", "item_id": item["item_id"], "response": "-999"})
    assert graded["correct"] is False and graded["expected"] == await answer_of(item["item_id"])
    await communicator.disconnect()


async def open_item(communicator, course_id: int) -> dict:
    return await send(communicator, {"type": "open_item", "course": course_id})


async def test_the_open_item_comes_back_on_a_new_socket_and_can_still_be_answered(personas, items):
    first = await connect_as(personas.student1)
    served = await next_item(first, personas.course_a.id, "practice")
    await first.disconnect()  # the page reloads

    again = await connect_as(personas.student1)
    assert await open_item(again, personas.course_a.id) == served
    graded = await send(again, {"type": "submit", "item_id": served["item_id"],
                                "response": await answer_of(served["item_id"])})
    assert graded["type"] == "graded" and graded["correct"] is True
    assert await open_item(again, personas.course_a.id) == {"type": "no_open_item", "course": personas.course_a.id}
    await again.disconnect()


async def test_open_item_shows_no_one_elses_item_and_no_course_one_is_not_in(personas, items):
    student1, student2 = await connect_as(personas.student1), await connect_as(personas.student2)
    await next_item(student1, personas.course_a.id)
    assert await open_item(student2, personas.course_a.id) == {"type": "no_open_item", "course": personas.course_a.id}
    outsider = await connect_as(personas.student3)
    refused = await open_item(outsider, personas.course_a.id)
    assert (refused["type"], refused["code"], refused["course"]) == ("error", "course_not_found", personas.course_a.id)
    missing = await open_item(outsider, 987654)
    assert missing["code"] == "course_not_found" and missing["detail"] == refused["detail"]
    for communicator in (student1, student2, outsider):
        await communicator.disconnect()


async def test_submitting_twice_not_served_or_for_another_course_records_nothing(personas, items):
    other = await connect_as(personas.student3)
    assert (await next_item(other, personas.course_a.id))["code"] == "course_not_found"
    await other.disconnect()
    communicator = await connect_as(personas.student1)
    item = await next_item(communicator, personas.course_a.id)
    submit = {"type": "submit", "item_id": item["item_id"], "response": "1"}
    await send(communicator, submit)
    assert await counts() == (1, 1)
    twice = await send(communicator, submit)
    assert twice["type"] == "error" and twice["code"] == "item_already_answered" and twice["item_id"] == item["item_id"]
    never = next(i.id for i in items.values() if i.id != item["item_id"])
    assert (await send(communicator, {**submit, "item_id": never}))["code"] == "item_not_open"
    assert await counts() == (1, 1)
    await database_sync_to_async(ServedItem.objects.create)(student=personas.student2, item_id=never, mode="practice")
    stolen = await send(communicator, {**submit, "item_id": never})  # served to student2 only
    assert stolen["code"] == "item_not_open"
    assert await counts() == (1, 1)
    await communicator.disconnect()


@pytest.mark.parametrize("frame, code, field", [
    ({"type": "next_item", "course": 1, "mode": "quiz"}, "invalid_field", "mode"),
    ({"type": "next_item", "course": 1}, "missing_field", "mode"),
    ({"type": "next_item", "course": True, "mode": "practice"}, "invalid_field", "course"),
    ({"type": "submit", "item_id": 1, "response": 7}, "invalid_field", "response"),
    ({"type": "submit", "item_id": 1, "response": "  "}, "invalid_field", "response"),
    ({"type": "submit", "item_id": 1, "response": "x" * 501}, "response_too_long", "500"),
    ({"type": "submit", "item_id": "1", "response": "1"}, "invalid_field", "item_id"),
    ({"type": "submit", "item_id": 1, "response": "1", "course": 1}, "unknown_field", "course"),
    ({"type": "open_item"}, "missing_field", "course"),
    ({"type": "open_item", "course": 0}, "invalid_field", "course"),
    ({"type": "open_item", "course": 1, "mode": "practice"}, "unknown_field", "mode"),
])
async def test_practice_frames_are_parsed_strictly(personas, items, frame, code, field):
    communicator = await connect_as(personas.student1)
    reply = await send(communicator, frame)
    assert reply["type"] == "error" and reply["code"] == code and field in reply["detail"], reply
    assert await counts() == (0, 0)
    assert (await next_item(communicator, personas.course_a.id))["type"] == "item"  # the socket stays usable
    await communicator.disconnect()


async def test_while_an_item_is_open_the_tutor_is_told_to_hint_and_its_answer_is_taken_out(
        personas, items, fake_engine):
    communicator = await connect_as(personas.student1)
    item = await next_item(communicator, personas.course_a.id)
    answer = await answer_of(item["item_id"])
    await _make_answer_long_enough(item["item_id"])
    frames = await ask_and_wait(communicator, ask_frame(personas.course_a.id, "Is the answer 12.75?"))
    prompt = fake_engine.requests[-1].history[-1].content
    assert item["prompt"] in prompt and "Do not give its final answer" in prompt
    assert answer not in prompt.split("[Student's question]")[0].replace(item["prompt"], "")
    streamed = "".join(f["text"] for f in frames if f["type"] == "token")
    assert "12.75" not in streamed and PLACEHOLDER in streamed and frames[-1]["text"] == streamed
    stored = await database_sync_to_async(Message.objects.get)(pk=frames[-1]["message_id"])
    assert "12.75" not in stored.text and stored.context["open_item"] == item["item_id"]
    assert stored.context["redactions"] >= 1
    await communicator.disconnect()


@database_sync_to_async
def _make_answer_long_enough(item_id: int) -> None:
    """Short answers (one digit) are not redacted; give the open item an answer worth hiding."""
    Item.objects.filter(pk=item_id).update(answer_spec={"kind": "numeric", "value": 12.75, "tolerance": 0.01})


async def test_the_prompt_carries_relevant_passages_and_weak_skills(personas, items, fake_engine):
    await database_sync_to_async(passages)(personas.course_a, {
        "Balancing equations": "Do the same thing to both sides of an equation to keep it balanced.",
        "Photosynthesis": "Plants turn light into sugar in their chloroplasts.",
    })
    communicator = await connect_as(personas.student1)
    item = await next_item(communicator, personas.course_a.id, "practice")
    await send(communicator, {"type": "submit", "item_id": item["item_id"], "response": "-999"})
    asked_before = len(fake_engine.requests)
    frames = await ask_and_wait(communicator, ask_frame(personas.course_a.id, "Why do both sides of an equation "
                                                                             "need the same step?"))
    prompt = fake_engine.requests[asked_before].history[-1].content  # the first generation of this answer
    assert "keep it balanced" in prompt and "chloroplasts" not in prompt
    assert "finds these skills hard: Solve" in prompt
    assert prompt.endswith("[Student's question]\nWhy do both sides of an equation need the same step?")
    stored = await database_sync_to_async(Message.objects.get)(pk=frames[-1]["message_id"])
    assert [p["title"] for p in stored.context["passages"]] == ["Balancing equations"]
    assert stored.context["weak_skills"][0]["name"] == "Solve"
    await communicator.disconnect()


FRACTION_PROMPT = "What is 1/3 + 1/4? Give a fraction, a mixed number or a decimal."
ONE_PART = {"id": "one-part-only", "text": "1/4 is only one of the two parts: add 1/3 too.", "value": 0.25}


@database_sync_to_async
def _make_it_a_fractions_item(item_id: int) -> None:
    Item.objects.filter(pk=item_id).update(prompt=FRACTION_PROMPT, misconceptions=[ONE_PART],
                                           answer_spec={"kind": "numeric", "value": 0.583333, "tolerance": 0.001})


async def test_a_wrong_answer_carries_its_misconception_and_the_expected_fraction(personas, items):
    communicator = await connect_as(personas.student1)
    item = await next_item(communicator, personas.course_a.id, "practice")
    await _make_it_a_fractions_item(item["item_id"])
    graded = await send(communicator, {"type": "submit", "item_id": item["item_id"], "response": "2/7"})
    assert graded["correct"] is False and graded["expected"] == "7/12"  # not 0.583333
    assert graded["misconception"]["id"] == "adds-across" and "2/7" in graded["misconception"]["text"]
    held = await database_sync_to_async(list)(StudentMisconception.objects.values_list("student", "key", "times"))
    assert held == [(personas.student1.id, "adds-across", 1)]
    second = await next_item(communicator, personas.course_a.id, "practice")
    await _make_it_a_fractions_item(second["item_id"])
    graded = await send(communicator, {"type": "submit", "item_id": second["item_id"], "response": "0.25"})
    assert graded["misconception"] == {"id": "one-part-only", "text": ONE_PART["text"]}  # the author's, first
    await communicator.disconnect()


async def test_asking_the_tutor_about_an_answer_puts_item_answer_and_misconception_in_the_context(
        personas, items, fake_engine):
    communicator = await connect_as(personas.student1)
    item = await next_item(communicator, personas.course_a.id, "practice")
    await _make_it_a_fractions_item(item["item_id"])
    graded = await send(communicator, {"type": "submit", "item_id": item["item_id"], "response": "2/7"})
    frame = {**ask_frame(personas.course_a.id, 'Why is my answer "2/7" wrong?'), "about_attempt": graded["attempt_id"]}
    frames = await ask_and_wait(communicator, frame)
    prompt = fake_engine.requests[-1].history[-1].content
    context = prompt.split("[Student's question]")[0]
    assert FRACTION_PROMPT in context and '"2/7"' in context and '"7/12"' in context
    assert graded["misconception"]["text"] in context
    stored = await database_sync_to_async(Message.objects.get)(pk=frames[-1]["message_id"])
    assert stored.context["about_attempt"] == graded["attempt_id"]
    await communicator.disconnect()


async def test_another_students_answer_cannot_be_asked_about(personas, items, fake_engine):
    first = await connect_as(personas.student1)
    item = await next_item(first, personas.course_a.id, "practice")
    graded = await send(first, {"type": "submit", "item_id": item["item_id"], "response": "-999"})
    await first.disconnect()
    other = await connect_as(personas.student2)
    reply = await send(other, {**ask_frame(personas.course_a.id, "Why?"), "about_attempt": graded["attempt_id"]})
    missing = await send(other, {**ask_frame(personas.course_a.id, "Why?"), "about_attempt": 999999})
    assert reply["type"] == missing["type"] == "error"
    assert reply["code"] == missing["code"] == "attempt_not_found" and reply["detail"] == missing["detail"]
    assert await database_sync_to_async(Message.objects.count)() == 0
    await other.disconnect()


async def test_practice_on_one_skill_serves_only_its_items_and_an_unknown_skill_is_named(personas, items):
    communicator = await connect_as(personas.student1)
    for _ in range(3):
        item = await send(communicator, {"type": "next_item", "course": personas.course_a.id, "mode": "practice",
                                         "skill": "two-step"})
        assert item["type"] == "item" and await skills_of(item["item_id"]) >= {"two-step"}
    error = await send(communicator, {"type": "next_item", "course": personas.course_a.id, "mode": "practice",
                                      "skill": "no-such-skill"})
    assert (error["type"], error["code"], error["course"]) == ("error", "unknown_skill", personas.course_a.id)
    await communicator.disconnect()


@database_sync_to_async
def skills_of(item_id: int) -> set[str]:
    return set(Item.objects.get(pk=item_id).skills.values_list("key", flat=True))
