"""An answer the tutor abstained from showing goes to the course's teachers as "unanswered", whatever the day's
budget, and a teacher's correction reaches the waiting student as a ``correction`` frame."""
import pytest
from channels.db import database_sync_to_async

from annotation.models import AnswerScore, Flag, ReviewEvent, ReviewPolicy, ReviewTask
from annotation.routing import router_scoring
from annotation.services import review_correct
from learning.models import Course
from tutor.grounded import ABSTAIN_TEXT
from tutor.scoring import set_answer_scorer
from tutor.services import answer_complete
from tutor.tests.asks import completion, pending_ask
from tutor.tests.scripted import ScriptedEngine
from tutor.tests.wsclient import ask_and_wait, ask_frame, connect_as


@pytest.fixture
def router_scorer():
    previous = set_answer_scorer(router_scoring)
    yield
    set_answer_scorer(previous)


@pytest.fixture
def no_review_budget(personas):
    ReviewPolicy.objects.create(course=personas.course_a, reviews_per_teacher_per_day=0, random_share=0.0)


@pytest.mark.django_db
@pytest.mark.parametrize("abstained", [True, False])
def test_an_abstained_answer_is_queued_outside_the_budget(personas, router_scorer, no_review_budget, abstained):
    ask = pending_ask(student=personas.student1, course=personas.course_a)
    answer_complete(ask=ask, completion=completion(text=ABSTAIN_TEXT), context={}, abstained=abstained)
    tasks = ReviewTask.objects.filter(answer_id=ask.answer.id)
    score = AnswerScore.objects.get(message_id=ask.answer.id)
    if abstained:
        task = tasks.get()
        assert (task.reason, task.status, score.flag) == (Flag.UNANSWERED, "open", Flag.UNANSWERED)
        assert ReviewEvent.objects.get(task=task).detail["reason"] == Flag.UNANSWERED
    else:  # the same answer shown to the student waits for budget like any other
        assert not tasks.exists() and score.flag == ""


@pytest.mark.django_db(transaction=True)
async def test_a_teacher_answers_an_abstained_question_and_the_student_sees_it(personas, use_engine, router_scorer):
    await database_sync_to_async(Course.objects.filter(id=personas.course_a.id).update)(abstain_below=1.0)
    use_engine(ScriptedEngine("Letters are variables, maybe."))
    socket = await connect_as(personas.student1)
    frames = await ask_and_wait(socket, ask_frame(personas.course_a.id, "Why do mathematicians use letters?"))
    answer = frames[-1]
    assert (answer["abstained"], answer["text"]) == (True, ABSTAIN_TEXT)

    @database_sync_to_async
    def correct() -> str:
        task = ReviewTask.objects.get(answer_id=answer["message_id"])
        review_correct(task_id=task.id, teacher=personas.teacher1, text="A letter stands for a number we do not know yet.")
        return task.reason

    assert await correct() == Flag.UNANSWERED
    assert await socket.receive_json_from(timeout=3) == {
        "type": "correction", "message_id": answer["message_id"], "conversation": frames[0]["conversation"],
        "text": "A letter stands for a number we do not know yet."}
    await socket.disconnect()
