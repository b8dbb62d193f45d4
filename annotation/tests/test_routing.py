import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from annotation.models import AnswerScore, ReviewEvent, ReviewPolicy, ReviewTask, RouterVersion
from annotation.router.model import CONTRADICTED_CEILING, PRIOR, VERIFIED_FLOOR
from annotation import routing
from annotation.routing import active_router, answer_route
from annotation.tests.factories import CONFIDENT, UNSURE, answered_question
from learning.models import Enrollment
from tutor.models import Message
from tutor.services import answer_complete
from tutor.tests.asks import ENGINE_CONFIDENCE, completion, pending_ask

pytestmark = pytest.mark.django_db

NEVER_SAMPLE = 0.99
FLAG_BELOW = 0.3


@pytest.fixture(autouse=True)
def flag_below(settings):
    settings.ANNOTATION_FLAG_BELOW = FLAG_BELOW  # the threshold before a course has history


@pytest.fixture(autouse=True)
def fresh_router_cache(monkeypatch):
    # A rolled-back test database hands out the same RouterVersion ids again; the process cache is keyed by id.
    monkeypatch.setattr(routing, "_cached", (None, PRIOR))


def route(answer, draw=NEVER_SAMPLE):
    return answer_route(answer_id=answer.id, random_draw=draw)


def test_every_answer_gets_the_routers_probability_as_its_confidence_written_once(personas):
    ask = pending_ask(student=personas.student1, course=personas.course_a)
    with CaptureQueriesContext(connection) as queries:
        stored = answer_complete(ask=ask, completion=completion(CONFIDENT), context={})
    score = AnswerScore.objects.get(message=ask.answer)
    assert 0 < stored < 1 and score.p_correct == stored != ENGINE_CONFIDENCE
    assert Message.objects.get(id=ask.answer.id).confidence == pytest.approx(stored)
    message_updates = [q for q in queries.captured_queries if 'UPDATE "tutor_message"' in q["sql"]]
    assert len(message_updates) == 1
    assert score.router_version is None  # the prior: no verdicts yet
    assert score.student == personas.student1 and score.course == personas.course_a


def test_an_answer_no_longer_pending_is_neither_stored_nor_scored(personas):
    ask = pending_ask(student=personas.student1, course=personas.course_a)
    Message.objects.filter(id=ask.answer.id).update(status=Message.Status.FAILED)
    assert answer_complete(ask=ask, completion=completion(UNSURE), context={}) is None
    assert not AnswerScore.objects.exists() and not ReviewTask.objects.exists()


def test_routing_a_stored_answer_leaves_its_confidence(personas):
    answer = answered_question(student=personas.student1, course=personas.course_a, features=CONFIDENT)
    result = route(answer)
    assert AnswerScore.objects.get(message=answer).p_correct == result.p_correct
    assert Message.objects.get(id=answer.id).confidence == 0.5  # as the factory stored it


def test_unsure_answers_are_flagged_for_the_courses_teachers(personas):
    unsure = answered_question(student=personas.student1, course=personas.course_a, features=UNSURE)
    sure = answered_question(student=personas.student2, course=personas.course_a, features=CONFIDENT,
                             question="Which gas do plants take in?", answer="Carbon dioxide.")
    assert route(unsure).flag == "low_confidence"
    assert route(sure).flag == ""
    task = ReviewTask.objects.get()
    assert (task.answer_id, task.course, task.status, task.reason) == (unsure.id, personas.course_a, "open",
                                                                       "low_confidence")
    assert ReviewEvent.objects.get(task=task).action == "flagged"


def test_routing_twice_changes_nothing(personas):
    answer = answered_question(student=personas.student1, course=personas.course_a)
    first, second = route(answer), route(answer)
    assert first.p_correct == second.p_correct
    assert AnswerScore.objects.count() == 1 and ReviewTask.objects.count() == 1


def test_a_course_without_teachers_flags_nothing(personas):
    Enrollment.objects.filter(course=personas.course_a, role="teacher").delete()
    answer = answered_question(student=personas.student1, course=personas.course_a)
    assert route(answer, draw=0.0).flag == ""
    assert not ReviewTask.objects.exists()


def test_the_daily_budget_caps_flags_and_worse_answers_displace_the_least_bad(personas):
    ReviewPolicy.objects.create(course=personas.course_a, reviews_per_teacher_per_day=2, random_share=0.0)
    answers = [answered_question(student=personas.student1, course=personas.course_a, question=f"Question {i}?",
                                 features={**UNSURE, "mean_logprob": -1.5 - i * 0.2}) for i in range(4)]
    results = [route(answer) for answer in answers]
    # The first two fill the budget; each later, worse answer replaces the least-bad open one.
    assert [r.flag for r in results] == ["low_confidence"] * 4
    open_tasks = ReviewTask.objects.filter(status="open").order_by("p_correct")
    assert [t.answer_id for t in open_tasks] == [answers[3].id, answers[2].id]
    assert ReviewTask.objects.filter(status="superseded").count() == 2


def test_a_claimed_task_is_never_displaced(personas):
    ReviewPolicy.objects.create(course=personas.course_a, reviews_per_teacher_per_day=1, random_share=0.0)
    first = answered_question(student=personas.student1, course=personas.course_a, question="One?")
    route(first)
    ReviewTask.objects.update(status="claimed", claimed_by=personas.teacher1)
    worse = answered_question(student=personas.student1, course=personas.course_a, question="Two?",
                              features={**UNSURE, "mean_logprob": -4.0})
    assert route(worse).flag == ""
    assert ReviewTask.objects.get().answer_id == first.id


def test_confident_answers_are_sampled_at_random_within_their_cap(personas):
    ReviewPolicy.objects.create(course=personas.course_a, reviews_per_teacher_per_day=10, random_share=0.1)
    sure = [answered_question(student=personas.student1, course=personas.course_a, features=CONFIDENT,
                              question=f"Which gas, part {part}?", answer="Carbon dioxide.") for part in "ABC"]
    assert [route(a, draw=0.01).flag for a in sure] == ["random_sample", "", ""]  # cap: ceil(10 x 0.1) = 1
    assert route(answered_question(student=personas.student1, course=personas.course_a, features=CONFIDENT,
                                   question="Which gas, part D?", answer="Carbon dioxide."), draw=0.5).flag == ""


def test_a_question_many_students_ask_rises_in_the_queue(personas):
    first = answered_question(student=personas.student1, course=personas.course_a, question="How do I add 1/2 + 1/3?")
    route(first)
    before = ReviewTask.objects.get()
    again = answered_question(student=personas.student2, course=personas.course_a, question="how do i ADD 1/3 + 1/2",
                              features=CONFIDENT)
    route(again)
    after = ReviewTask.objects.get(id=before.id)
    assert (before.askers, after.askers) == (1, 2) and after.priority > before.priority


@override_settings(ANNOTATION_THRESHOLD_HISTORY=5)
def test_with_history_the_threshold_follows_the_courses_answers(personas):
    ReviewPolicy.objects.create(course=personas.course_a, reviews_per_teacher_per_day=1, random_share=0.0)

    def sure_answer(part: str, mean_logprob: float):
        return answered_question(student=personas.student1, course=personas.course_a, question=f"Which gas {part}?",
                                 answer="Carbon dioxide.", features={**CONFIDENT, "mean_logprob": mean_logprob})

    history = [route(sure_answer(part, -0.05)) for part in "ABCDE"]
    assert all(r.p_correct > FLAG_BELOW and r.flag == "" for r in history)  # above the default threshold
    # Now the threshold is the quantile of these answers: one a little less sure than all of them is flagged.
    assert route(sure_answer("F", -0.2)).flag == "low_confidence"


def test_the_newest_fitted_router_is_used(personas):
    assert active_router() == (None, PRIOR)
    version = fitted_router(intercept=50.0)  # every answer right
    answer = answered_question(student=personas.student1, course=personas.course_a,
                               question="Which gas do plants take in?", answer="Carbon dioxide.")
    result = route(answer)
    assert result.p_correct > 0.99 and result.flag == ""
    assert AnswerScore.objects.get().router_version == version


def fitted_router(*, intercept: float) -> RouterVersion:
    """A fitted router that scores every answer alike: +50, all right; -50, all wrong."""
    return RouterVersion.objects.create(model={**PRIOR.as_json(), "kind": "fitted", "intercept": intercept},
                                        verdicts_used=30, last_verdict_id=1)


SOLVER_AGREES = {"kind": "solver", "status": "agrees", "regenerated": False, "fallback": False}
WORKING = "1/2 = 2/4\n2/4 + 1/4 = 3/4\n1/2 + 1/4 = 3/4.\n\nWrite both as quarters, then add the numerators."


@pytest.mark.parametrize("fitted_belief, record, p_correct, flag, feature", [
    (-50.0, SOLVER_AGREES, VERIFIED_FLOOR, "", "checked_by_solver"),  # a doubting router cannot doubt it
    (50.0, {**SOLVER_AGREES, "status": "contradicts", "regenerated": True},  # nor a trusting one trust this
     CONTRADICTED_CEILING, "low_confidence", "solver_contradicted"),
])
def test_a_solver_check_bounds_what_the_fitted_router_believes(personas, fitted_belief, record, p_correct, flag,
                                                                feature):
    fitted_router(intercept=fitted_belief)
    answer = answered_question(student=personas.student1, course=personas.course_a, answer=WORKING,
                               context={"check": record})
    result = route(answer)
    assert (result.p_correct, result.flag) == (p_correct, flag)
    assert AnswerScore.objects.get(message=answer).features[feature] == 1.0


def test_the_live_confidence_follows_the_check_record(personas):
    fitted_router(intercept=-50.0)
    ask = pending_ask(student=personas.student1, course=personas.course_a, question="What is 1/2 + 1/4?")
    stored = answer_complete(ask=ask, completion=completion(CONFIDENT, text=WORKING), context={"check": SOLVER_AGREES})
    assert stored == VERIFIED_FLOOR == Message.objects.get(id=ask.answer.id).confidence


@pytest.mark.parametrize("sources, context, backed", [
    ([{"passage": 1, "title": "Leaves", "text": "Plants take in carbon dioxide through stomata."}], {}, 1.0),
    ([{"passage": 1, "title": "Leaves", "text": "Leaves give off oxygen in daylight."}], {}, 0.0),
    ([], {}, 0.0),  # an older answer cites nothing
    ([], {"check": "not a record"}, 0.0),
])
def test_a_cited_course_notes_sentence_is_read_from_the_answers_sources(personas, sources, context, backed):
    answer = answered_question(student=personas.student1, course=personas.course_a, context=context, sources=sources,
                               question="Which gas do plants take in?", answer="Plants take in carbon dioxide.")
    route(answer)
    assert AnswerScore.objects.get(message=answer).features["checked_by_source"] == backed


def boundary_router() -> RouterVersion:
    """A fitted router unsure of every answer: p = 0.5, on its decision boundary."""
    weightless = {**PRIOR.as_json(), "kind": "fitted", "weights": [0.0] * len(PRIOR.names), "intercept": 0.0}
    return RouterVersion.objects.create(model=weightless, verdicts_used=30, last_verdict_id=1)


def test_the_learn_part_takes_boundary_answers_once_per_question_within_its_slots(personas):
    boundary_router()
    # One teacher x 3 reviews: 2 fix slots (the odd one fixes), 1 learn slot.
    ReviewPolicy.objects.create(course=personas.course_a, reviews_per_teacher_per_day=3, random_share=0.0,
                                learn_share=0.5)
    ask = lambda question: route(answered_question(  # noqa: E731
        student=personas.student1, course=personas.course_a, question=question, features=CONFIDENT))
    first = ask("Which gas do plants take in?")
    assert (first.p_correct, first.flag) == (0.5, "learn")
    assert ReviewTask.objects.get(id=first.task_id).reason == "learn"  # the admin's "reason" column shows it
    assert ask("which gas do PLANTS take in").flag == ""  # a near-copy of the day's task
    assert ask("What do roots take in?").flag == ""  # the one learn slot is spent
    assert ReviewTask.objects.count() == 1


def test_one_courses_learn_picks_leave_anothers_slots_alone(personas):
    boundary_router()
    for course in (personas.course_a, personas.course_b):
        ReviewPolicy.objects.create(course=course, reviews_per_teacher_per_day=1, random_share=0.0, learn_share=1.0)
    b = route(answered_question(student=personas.student3, course=personas.course_b, features=CONFIDENT,
                                question="Which gas do plants take in?"))
    a = route(answered_question(student=personas.student1, course=personas.course_a, features=CONFIDENT,
                                question="Which gas do plants take in?"))
    assert (a.flag, b.flag) == ("learn", "learn")
    assert ReviewTask.objects.filter(course=personas.course_a).count() == 1


@override_settings(ANNOTATION_LEARN_SHARE=1.0)
def test_a_policy_without_a_learn_share_follows_the_setting(personas):
    boundary_router()
    ReviewPolicy.objects.create(course=personas.course_a, reviews_per_teacher_per_day=1, random_share=0.0)
    answer = answered_question(student=personas.student1, course=personas.course_a, features=CONFIDENT,
                               question="Which gas do plants take in?")
    assert route(answer).flag == "learn"  # the whole budget learns
