"""A teacher's correction reaches the student's open sockets and their history (docs/protocol.md)."""
import pytest
from channels.db import database_sync_to_async

from annotation.models import ReviewTask
from annotation.services import review_correct
from tutor.tests.wsclient import ask_and_wait, ask_frame, connect_as

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def correct_flagged_answer(answer_id: int, teacher, text: str) -> None:
    task = ReviewTask.objects.get(answer_id=answer_id)
    review_correct(task_id=task.id, teacher=teacher, text=text)


async def test_correction_goes_to_every_socket_of_that_student_only(personas, fake_engine, settings):
    settings.ANNOTATION_FLAG_BELOW = 1.0  # flag every answer
    asker, second_tab = await connect_as(personas.student1), await connect_as(personas.student1)
    classmate = await connect_as(personas.student2)
    frames = await ask_and_wait(asker, ask_frame(personas.course_a.id, "What is 1/2 + 1/4?"))
    answer_id, conversation = frames[-1]["message_id"], frames[0]["conversation"]

    await correct_flagged_answer(answer_id, personas.teacher1, "1/2 + 1/4 = 3/4.")

    expected = {"type": "correction", "message_id": answer_id, "conversation": conversation, "text": "1/2 + 1/4 = 3/4."}
    assert await asker.receive_json_from() == expected
    assert await second_tab.receive_json_from() == expected
    assert await classmate.receive_nothing(timeout=0.3)
    await asker.send_json_to({"type": "history", "conversation": conversation})
    history = await asker.receive_json_from()
    shown = history["messages"][-1]
    assert (shown["message_id"], shown["text"], shown["corrected"]) == (answer_id, "1/2 + 1/4 = 3/4.", True)
    assert history["messages"][0]["corrected"] is False
    for socket in (asker, second_tab, classmate):
        await socket.disconnect()


async def test_a_closed_socket_leaves_the_students_group(personas, fake_engine, settings):
    settings.ANNOTATION_FLAG_BELOW = 1.0
    asker = await connect_as(personas.student1)
    frames = await ask_and_wait(asker, ask_frame(personas.course_a.id, "What is 2 + 2?"))
    await asker.disconnect()
    # Correcting with nobody connected works; the student finds the correction in history later.
    await correct_flagged_answer(frames[-1]["message_id"], personas.teacher1, "It is 4.")
    later = await connect_as(personas.student1)
    await later.send_json_to({"type": "history", "conversation": frames[0]["conversation"]})
    assert (await later.receive_json_from())["messages"][-1]["text"] == "It is 4."
    assert await later.receive_nothing(timeout=0.2)
    await later.disconnect()
