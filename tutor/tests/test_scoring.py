"""The answer's confidence: scored once, before the store, by the installed scorer (the engine's by default)."""
import pytest

from tutor.models import Message
from tutor.scoring import Scoring, set_answer_scorer
from tutor.services import AnswerCompletion, answer_complete, answers_complete
from tutor.tests.asks import ENGINE_CONFIDENCE, completion, pending_ask

pytestmark = pytest.mark.django_db


@pytest.fixture
def use_scorer():
    previous = set_answer_scorer(None)
    yield set_answer_scorer
    set_answer_scorer(previous)


def stored_confidence(ask) -> float:
    return Message.objects.get(id=ask.answer.id).confidence


def test_without_an_installed_scorer_the_engine_confidence_is_stored(personas, use_scorer):
    ask = pending_ask(student=personas.student1, course=personas.course_a)
    assert answer_complete(ask=ask, completion=completion(), context={}) == ENGINE_CONFIDENCE
    assert stored_confidence(ask) == ENGINE_CONFIDENCE


def test_the_scorer_sees_the_answer_before_the_store_and_follows_up_after_it(personas, use_scorer):
    seen, followed = [], []

    def scorer(answer):
        seen.append((answer.question, answer.text, Message.objects.get(id=answer.answer_id).status))
        return Scoring(0.8, after_store=lambda: followed.append(Message.objects.get(id=answer.answer_id).status))

    use_scorer(scorer)
    ask = pending_ask(student=personas.student1, course=personas.course_a)
    assert answer_complete(ask=ask, completion=completion(), context={}) == 0.8
    assert seen == [("Which gas do plants take in?", "Carbon dioxide.", "pending")] and followed == ["complete"]
    assert stored_confidence(ask) == 0.8


def test_a_failing_scorer_costs_the_score_never_the_answer(personas, use_scorer):
    def scorer(answer):
        raise RuntimeError("router down")

    use_scorer(scorer)
    ask = pending_ask(student=personas.student1, course=personas.course_a)
    assert answer_complete(ask=ask, completion=completion(), context={}) == ENGINE_CONFIDENCE
    assert Message.objects.get(id=ask.answer.id).status == Message.Status.COMPLETE


def test_a_failing_follow_up_leaves_the_stored_answer(personas, use_scorer):
    def fail():
        raise RuntimeError("flagging failed")

    use_scorer(lambda answer: Scoring(0.7, after_store=fail))
    ask = pending_ask(student=personas.student1, course=personas.course_a)
    assert answer_complete(ask=ask, completion=completion(), context={}) == 0.7
    assert stored_confidence(ask) == 0.7


def test_an_answer_completed_once_is_not_completed_again(personas, use_scorer):
    followed = []
    use_scorer(lambda answer: Scoring(0.6, after_store=lambda: followed.append(answer.answer_id)))
    ask = pending_ask(student=personas.student1, course=personas.course_a)
    answer_complete(ask=ask, completion=completion(), context={})
    assert answer_complete(ask=ask, completion=completion(text="Something else."), context={}) is None
    assert followed == [ask.answer.id] and Message.objects.get(id=ask.answer.id).text == "Carbon dioxide."


def test_a_batch_holding_the_same_answer_twice_stores_it_once(personas, use_scorer):
    """An inference worker handed the same answer twice may store both generations in one batch."""
    followed = []
    use_scorer(lambda answer: Scoring(0.6, after_store=lambda: followed.append(answer.answer_id)))
    ask = pending_ask(student=personas.student1, course=personas.course_a)
    other = pending_ask(student=personas.student2, course=personas.course_a)
    first, again = AnswerCompletion(ask, completion()), AnswerCompletion(ask, completion(text="Something else."))
    assert answers_complete(answers=[first, again, AnswerCompletion(other, completion())]) == [0.6, None, 0.6]
    assert followed == [ask.answer.id, other.answer.id]
    assert Message.objects.get(id=ask.answer.id).text == "Carbon dioxide."


def test_a_follow_up_that_breaks_the_database_costs_only_its_own_work_in_a_batch(personas, use_scorer):
    """A follow-up whose query fails runs in a savepoint: the other answers of the batch are still stored."""
    from django.db import connection

    def broken_query():
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    asks = [pending_ask(student=personas.student1, course=personas.course_a) for _ in range(3)]
    use_scorer(lambda answer: Scoring(0.5, after_store=broken_query if answer.answer_id == asks[1].answer.id
                                      else lambda: None))
    assert answers_complete(answers=[AnswerCompletion(a, completion()) for a in asks]) == [0.5, 0.5, 0.5]
    assert set(Message.objects.filter(id__in=[a.answer.id for a in asks]).values_list("status", flat=True)) == {
        Message.Status.COMPLETE}
