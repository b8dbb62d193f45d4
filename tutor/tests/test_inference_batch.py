"""An inference worker reads and writes the database per batch, not per answer: its batch's asks and their plans
(tutor.inference._asks_planned), then their store (answers_complete: scored together, completed by one
compare-and-swap, the router's follow-up written together) take a number of queries that does not grow with the
batch. Fast tier, on SQLite; tests/test_faults.py and tutor/tests/test_inference_worker.py run the worker itself
on PostgreSQL and Redis."""
from itertools import cycle, islice

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from annotation import routing
from annotation.models import AnswerScore
from annotation.router.model import PRIOR
from tutor.inference import _asks_planned
from tutor.models import Message
from tutor.services import AnswerCompletion, answers_complete
from tutor.tests.asks import completion, pending_ask

pytestmark = pytest.mark.django_db
NEVER_SAMPLE = 0.99
# The asks (1); per course, their plans (experiments, adapter, knowledge revision, states, open items, passages
# revision, draft approval: 7) and the flag policy (review policy, teachers, recent scores, answer rate: 4); the
# router, the compare-and-swap, the scores and the tasks they bump (4); two savepoints, each opened and released
# (4).
MAX_QUERIES = 1 + 2 * (7 + 4) + 4 + 4


@pytest.fixture(autouse=True)
def no_random_flags(monkeypatch):
    monkeypatch.setattr(routing, "_cached", (None, PRIOR))
    monkeypatch.setattr(routing.random, "random", lambda: NEVER_SAMPLE)


def pending_asks_of(personas, count: int):
    """``count`` pending asks, round the students of both courses."""
    students = [(personas.student1, personas.course_a), (personas.student2, personas.course_a),
                (personas.student3, personas.course_b)]
    return [pending_ask(student=student, course=course, question=f"What is {i}/4 of 8?")
            for i, (student, course) in enumerate(islice(cycle(students), count))]


def store_batch(asks) -> int:
    """Plan and store the batch as the worker does; the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        planned = _asks_planned(answer_ids=[ask.answer.id for ask in asks])
        answers_complete(answers=[AnswerCompletion(ask=ask, completion=completion(), context=plan.context)
                                  for ask, plan in planned.values()])
    return len(queries.captured_queries)


@override_settings(ANNOTATION_FLAG_BELOW=0.0)  # nothing flagged: a flag costs queries, within the teachers' budget
def test_a_batch_of_answers_costs_the_same_queries_whatever_its_size(personas):
    store_batch(pending_asks_of(personas, 3))  # first-use costs: the courses' knowledge and passage caches
    small, large = store_batch(pending_asks_of(personas, 5)), store_batch(pending_asks_of(personas, 20))
    assert large == small <= MAX_QUERIES
    assert Message.objects.filter(role=Message.Role.TUTOR, status=Message.Status.COMPLETE).count() == 28
    assert AnswerScore.objects.count() == 28


def test_an_answer_twice_in_one_batch_or_already_complete_is_stored_once(personas):
    first, second = pending_asks_of(personas, 2)
    stored = answers_complete(answers=[AnswerCompletion(ask=first, completion=completion(text="One.")),
                                       AnswerCompletion(ask=first, completion=completion(text="Two.")),
                                       AnswerCompletion(ask=second, completion=completion())])
    assert stored[0] is not None and stored[1] is None and stored[2] is not None
    assert Message.objects.get(id=first.answer.id).text == "One."
    again = answers_complete(answers=[AnswerCompletion(ask=first, completion=completion(text="Three."))])
    assert again == [None] and Message.objects.get(id=first.answer.id).text == "One."
    assert AnswerScore.objects.filter(message_id=first.answer.id).count() == 1


def test_a_batch_is_planned_like_its_answers_one_by_one(personas):
    from tutor.prompting import answer_plan_for

    asks = pending_asks_of(personas, 4)
    planned = _asks_planned(answer_ids=[ask.answer.id for ask in asks])
    for ask in asks:
        batch_plan = planned[ask.answer.id][1]
        assert batch_plan == answer_plan_for(planned[ask.answer.id][0])
