"""Grounded answers over the socket: sources, abstention and the course's answer style reach the answer frame,
the stored answer and history (docs/protocol.md, "How grounded answers stream")."""
import pytest
from channels.db import database_sync_to_async

from learning.models import Course
from learning.tests.factories import passages
from tutor.grounded import ABSTAIN_TEXT
from tutor.models import Message
from tutor.scoring import Scoring, set_answer_scorer
from tutor.tests.scripted import Reply, ScriptedEngine
from tutor.tests.wsclient import ask_and_wait, ask_frame, connect_as

pytestmark = pytest.mark.django_db(transaction=True)

NOTES = {"Photosynthesis": "Leaves are green. Plants take in carbon dioxide from the air through their leaves."}
SOURCE = {"passage": None, "title": "Photosynthesis",
          "text": "Plants take in carbon dioxide from the air through their leaves."}


@pytest.fixture
def scorer():
    """Install a scorer of fixed confidence: ``scorer(0.1)``."""
    previous = set_answer_scorer(None)
    yield lambda confidence: set_answer_scorer(lambda answer: Scoring(confidence))
    set_answer_scorer(previous)


async def ask_history(socket, course_id: int, question: str) -> tuple[list[dict], dict]:
    frames = await ask_and_wait(socket, ask_frame(course_id, question))
    await socket.send_json_to({"type": "history", "conversation": frames[0]["conversation"]})
    return frames, (await socket.receive_json_from())["messages"][-1]


async def set_course(course, **fields) -> None:
    await database_sync_to_async(Course.objects.filter(id=course.id).update)(**fields)


async def test_an_answer_backed_by_the_notes_carries_its_source(personas, use_engine, scorer):
    scorer(0.05)  # a low score never holds back an answer the notes back
    await database_sync_to_async(passages)(personas.course_b, NOTES)
    use_engine(ScriptedEngine("They take in carbon dioxide through their leaves."))
    socket = await connect_as(personas.student3)
    frames, shown = await ask_history(socket, personas.course_b.id, "What gas do plants take in through their leaves?")
    answer = frames[-1]
    passage_id = answer["sources"][0]["passage"]
    assert answer["sources"] == [{**SOURCE, "passage": passage_id}] and isinstance(passage_id, int)
    assert (answer["abstained"], answer["truncated"]) == (False, False)
    assert answer["text"] == ("Your course notes say: “Plants take in carbon dioxide from the air through their "
                              "leaves.”\n\nThey take in carbon dioxide through their leaves.")
    assert (shown["sources"], shown["abstained"], shown["truncated"]) == (answer["sources"], False, False)
    await socket.disconnect()


async def test_with_abstention_on_an_unsure_unchecked_answer_is_not_shown(personas, use_engine, scorer):
    scorer(0.1)
    use_engine(ScriptedEngine("Variables are letters, I think."))
    socket = await connect_as(personas.student1)
    frames, shown = await ask_history(socket, personas.course_a.id, "Why do mathematicians use letters?")
    assert [f["text"] for f in frames if f["type"] == "token"] == [ABSTAIN_TEXT]
    assert (frames[-1]["text"], frames[-1]["abstained"], frames[-1]["sources"]) == (ABSTAIN_TEXT, True, [])
    assert (shown["text"], shown["abstained"]) == (ABSTAIN_TEXT, True)
    stored = await database_sync_to_async(Message.objects.get)(id=frames[-1]["message_id"])
    assert stored.context["held_text"] == "Variables are letters, I think." and stored.confidence == 0.1
    await socket.disconnect()


async def test_with_abstention_off_the_same_answer_streams(personas, use_engine, scorer):
    scorer(0.1)
    await set_course(personas.course_a, abstain_below=None)
    use_engine(ScriptedEngine("Variables are letters, I think."))
    socket = await connect_as(personas.student1)
    frames, shown = await ask_history(socket, personas.course_a.id, "Why do mathematicians use letters?")
    assert len([f for f in frames if f["type"] == "token"]) > 2
    assert (frames[-1]["text"], frames[-1]["abstained"], shown["abstained"]) == (
        "Variables are letters, I think.", False, False)
    await socket.disconnect()


async def test_a_hints_course_never_shows_the_result(personas, use_engine, scorer):
    scorer(0.9)
    await set_course(personas.course_a, answer_style="hints")
    use_engine(ScriptedEngine("Add the twelfths: 9/12 + 10/12 = 19/12, which is 1 7/12."))
    socket = await connect_as(personas.student1)
    frames, shown = await ask_history(socket, personas.course_a.id, "What is 3/4 + 5/6?")
    for text in [*(f["text"] for f in frames[1:]), shown["text"]]:
        assert "19/12" not in text and "1 7/12" not in text
    assert frames[-1]["text"].startswith("Common denominator of 4 and 6: 12")
    stored = await database_sync_to_async(Message.objects.get)(id=frames[-1]["message_id"])
    assert stored.context["check"]["kind"] == "solver" and stored.context["abstained"] is False
    await socket.disconnect()


async def test_a_cut_short_answer_is_marked_truncated(personas, use_engine, scorer):
    scorer(0.9)
    use_engine(ScriptedEngine(Reply("Variables stand for numbers we", finish_reason="length")))
    socket = await connect_as(personas.student1)
    frames, shown = await ask_history(socket, personas.course_a.id, "Why do mathematicians use letters?")
    assert frames[-1]["truncated"] is True and shown["truncated"] is True
    await socket.disconnect()
