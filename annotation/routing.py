"""Scoring every tutor answer and flagging the likely-wrong ones for the course's teachers (a service).

``router_scoring`` is tutor's answer scorer, installed in ``AnnotationConfig.ready``: it runs once per
completed answer, in the process that generated it, before the answer is stored, so the confidence stored and
sent to the student is the router's calibrated probability that the answer is right, written once by tutor.
``router_scorings`` is its batch form: an inference worker storing many answers reads the router, their
passages and each course's flag policy once, and writes their scores together.
Once the answer is stored, the score is recorded and the answer flagged for review within budget. An answer
the tutor abstained from showing (it told the student it asked the teachers) always goes to the queue, as
"unanswered", outside the daily budget: a student is waiting for it; so does a draft held for the teachers'
approval (tutor.drafts), at the top of the queue.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable, Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from annotation.models import AnswerScore, Flag, ReviewEvent, ReviewTask, RouterVersion
from annotation.router.features import AnswerEvidence, answer_features, question_key
from annotation.router.flagging import (DailyBudget, FlagDecision, flag_decision, flag_threshold, learn_margin,
                                        task_priority)
from annotation.router.model import PRIOR, RouterModel
from annotation.router.picking import boundary_distance
from annotation.selectors import (
    askers_of, course_daily_budget, open_likely_wrong_today, question_taken_today, recent_answer_rate, today_counts,
)
from learning.models import Course, Passage
from tutor.models import Message
from tutor.scoring import FinishedAnswer, Scoring, StoredAnswer

RECENT_DAYS = 7


@dataclass(frozen=True)
class RouteResult:
    p_correct: float
    flag: str
    task_id: int | None = None


@dataclass(frozen=True)
class _RouterScore:
    p_correct: float
    features: dict
    version_id: int | None


def router_scoring(answer: FinishedAnswer) -> Scoring:
    """tutor's scorer: the router's probability is the answer's confidence; flagging follows the store."""
    return router_scorings([answer])[0]


def router_scorings(answers: Sequence[FinishedAnswer]) -> list[Scoring]:
    """``router_scoring``'s batch form (an inference worker stores answers in batches): the router, the passages
    the answers were given and each course's flag policy (its daily budget and threshold) are read once for
    the batch, and the follow-ups of the answers stored run together (``_record_many``)."""
    router = active_router()
    texts = _passage_texts([answer.context for answer in answers])
    policies = _PoliciesOnce()
    scored: dict[int, tuple[FinishedAnswer, _RouterScore]] = {}  # by id(Scoring): what each verdict was for

    def together(stored: list[StoredAnswer]) -> None:
        _record_many([(*scored[id(item.scoring)], _outside_budget(item)) for item in stored], policies.of)

    scorings = []
    for answer in answers:
        score = _score(answer, router, texts)
        scorings.append(Scoring(
            score.p_correct,
            after_store=lambda answer=answer, score=score: _record(answer, score, random.random(), policies.of),
            after_abstain=lambda answer=answer, score=score: _record_outside_budget(answer, score, Flag.UNANSWERED),
            after_hold=lambda answer=answer, score=score: _record_outside_budget(answer, score, Flag.DRAFT),
            together=together))
        scored[id(scorings[-1])] = (answer, score)
    return scorings


def _outside_budget(stored: StoredAnswer) -> str:
    """The flag a stored answer takes outside the daily budget (a student is waiting), or "" for none."""
    return Flag.UNANSWERED if stored.abstained else Flag.DRAFT if stored.held else ""


@dataclass(frozen=True)
class _FlagPolicy:
    budget: DailyBudget
    threshold: float  # meaningless when the budget has no reviews
    margin: float  # the learn part's: how near p = 0.5 an answer must be to be worth a verdict for the router


class _PoliciesOnce:
    """Each course's flag policy, read the first time one of a batch's answers needs it."""

    def __init__(self):
        self._policies: dict[int, _FlagPolicy] = {}

    def of(self, course_id: int) -> _FlagPolicy:
        if course_id not in self._policies:
            self._policies[course_id] = _flag_policy(course_id)
        return self._policies[course_id]


def answer_route(*, answer_id: int, random_draw: float | None = None) -> RouteResult:
    """Score an answer already stored and flag it for review within budget; its stored confidence is left
    as tutor wrote it. A second call for the same answer changes nothing and returns its score."""
    existing = AnswerScore.objects.filter(message_id=answer_id).first()
    if existing is not None:
        return RouteResult(existing.p_correct, existing.flag)
    answer = _finished(Message.objects.select_related("reply_to", "conversation").get(id=answer_id))
    draw = random.random() if random_draw is None else random_draw
    return _record(answer, _score(answer, active_router(), _passage_texts([answer.context])), draw)


def _finished(message: Message) -> FinishedAnswer:
    return FinishedAnswer(
        answer_id=message.id, course_id=message.conversation.course_id,
        student_id=message.conversation.student_id, question=message.reply_to.text, text=message.text,
        features=message.features or {}, context=message.context or {},
        engine_confidence=message.confidence or 0.0, sources=tuple(message.sources or ()),
    )


def _score(answer: FinishedAnswer, router: tuple[int | None, RouterModel], passage_texts: dict[int, str]
           ) -> _RouterScore:
    features = answer_features(_evidence(answer, passage_texts))
    version_id, model = router
    return _RouterScore(model.p_correct(features), features, version_id)


def _record(answer: FinishedAnswer, score: _RouterScore, draw: float,
            policy_of: Callable[[int], _FlagPolicy] | None = None) -> RouteResult:
    with transaction.atomic():
        decision = _decide(answer.course_id, score.p_correct, draw, question_key(answer.question), policy_of)
        stored = _store_score(answer, score, decision.flag)
        _bump_similar_tasks([stored])
        task = _flag(stored, decision) if decision.flag else None
    return RouteResult(score.p_correct, decision.flag, task.id if task else None)


def _record_many(stored: list[tuple[FinishedAnswer, _RouterScore, str]],
                 policy_of: Callable[[int], _FlagPolicy]) -> None:
    """``_record`` / ``_record_outside_budget`` for a batch of stored answers, given as (answer, score, the flag
    it takes outside the budget or ""): the scores are written in one statement and the open tasks they bump
    found in one query; the flag of each is then decided in turn, against the budget the flags before it used,
    and written only where it is one."""
    rows = AnswerScore.objects.bulk_create([_score_row(answer, score, outside) for answer, score, outside in stored])
    _bump_similar_tasks(rows)
    for row, (answer, score, outside) in zip(rows, stored):
        decision = (FlagDecision(outside) if outside else
                    _decide(answer.course_id, score.p_correct, random.random(), question_key(answer.question),
                            policy_of))
        if decision.flag and not outside:
            AnswerScore.objects.filter(pk=row.pk).update(flag=decision.flag)
            row.flag = decision.flag
        if decision.flag:
            _flag(row, decision)


def _record_outside_budget(answer: FinishedAnswer, score: _RouterScore, flag: str) -> RouteResult:
    """A student is waiting for the teachers: an answer the tutor abstained from, or a draft held for approval."""
    with transaction.atomic():
        stored = _store_score(answer, score, flag)
        _bump_similar_tasks([stored])
        task = _flag(stored, FlagDecision(flag))
    return RouteResult(score.p_correct, flag, task.id)


def _store_score(answer: FinishedAnswer, score: _RouterScore, flag: str) -> AnswerScore:
    row = _score_row(answer, score, flag)
    row.save(force_insert=True)
    return row


def _score_row(answer: FinishedAnswer, score: _RouterScore, flag: str) -> AnswerScore:
    return AnswerScore(
        message_id=answer.answer_id, course_id=answer.course_id, student_id=answer.student_id,
        p_correct=score.p_correct, features=score.features, router_version_id=score.version_id,
        question_key=question_key(answer.question), flag=flag,
    )


def _passage_texts(contexts: list[dict]) -> dict[int, str]:
    """The texts of the passages these answers were given, by id, in one query."""
    ids = {hit["id"] for context in contexts for hit in context.get("passages") or [] if "id" in hit}
    return dict(Passage.objects.filter(id__in=ids).values_list("id", "text")) if ids else {}


def _evidence(answer: FinishedAnswer, texts: dict[int, str]) -> AnswerEvidence:
    hits = answer.context.get("passages") or []
    return AnswerEvidence(
        question=answer.question, answer=answer.text, token_features=answer.features,
        passage_texts=tuple(texts[h["id"]] for h in hits if h.get("id") in texts),
        passage_scores=tuple(float(h.get("score") or 0.0) for h in hits),
        cut_short=answer.features.get("finish_reason") == "length",
        redactions=int(answer.context.get("redactions") or 0),
        check=_check_record(answer.context),
        sources=_source_sentences(answer.sources),
    )


def _check_record(context: dict) -> dict:
    """The tutor's check record ({"kind", "status", "regenerated", "fallback"}); older answers have none."""
    record = context.get("check")
    return record if isinstance(record, dict) else {}


def _source_sentences(sources) -> tuple[str, ...]:
    """The course-notes sentences the answer cites ([{"passage", "title", "text"}]); older answers cite none."""
    if not isinstance(sources, (list, tuple)):
        return ()
    return tuple(str(s["text"]) for s in sources if isinstance(s, dict) and s.get("text"))


_cached: tuple[int | None, RouterModel] = (None, PRIOR)


def active_router() -> tuple[int | None, RouterModel]:
    """(version id, model) of the newest fitted router, or (None, PRIOR) before the first fit.
    One indexed query; the model itself is parsed once per version in each process."""
    global _cached
    newest = RouterVersion.objects.order_by("-id").values_list("id", flat=True).first()
    if newest != _cached[0]:
        model = PRIOR if newest is None else RouterModel.from_json(RouterVersion.objects.get(id=newest).model)
        _cached = (newest, model)
    return _cached


def _decide(course_id: int, p_correct: float, draw: float, key: str,
            policy_of: Callable[[int], _FlagPolicy] | None = None) -> FlagDecision:
    policy = (policy_of or _flag_policy)(course_id)
    budget = policy.budget
    if budget.reviews == 0:
        return FlagDecision("")
    if (p_correct >= policy.threshold and draw >= budget.random_share
            and boundary_distance(p_correct) >= policy.margin):
        return FlagDecision("")  # the common case decides without a lock
    # Budget counts are read under the course's row lock, so two answers cannot both take the last slot.
    Course.objects.select_for_update().filter(id=course_id).values_list("id", flat=True).first()
    return flag_decision(p_correct=p_correct, threshold=policy.threshold, budget=budget,
                         today=today_counts(course_id=course_id), random_draw=draw, margin=policy.margin,
                         question_taken=question_taken_today(course_id=course_id, key=key))


def _flag_policy(course_id: int) -> _FlagPolicy:
    """The course's daily budget and the threshold below which an answer is flagged, from its recent scores."""
    budget = course_daily_budget(course_id=course_id)
    if budget.reviews == 0:
        return _FlagPolicy(budget, 0.0, 0.0)
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    recent = list(AnswerScore.objects.filter(course_id=course_id, created_at__gte=since)
                  .order_by("-created_at").values_list("p_correct", flat=True)[:5000])
    rate = recent_answer_rate(course_id=course_id, days=RECENT_DAYS)
    threshold = flag_threshold(recent, rate, budget, default=settings.ANNOTATION_FLAG_BELOW,
                               min_history=settings.ANNOTATION_THRESHOLD_HISTORY)
    margin = learn_margin(recent, rate, budget, min_history=settings.ANNOTATION_THRESHOLD_HISTORY)
    return _FlagPolicy(budget, threshold, margin)


def _flag(score: AnswerScore, decision: FlagDecision) -> ReviewTask:
    if decision.replaces_task:
        _supersede_least_bad(score.course_id)
    askers = askers_of(course_id=score.course_id, key=score.question_key)
    task = ReviewTask.objects.create(
        answer_id=score.message_id, course_id=score.course_id, reason=decision.flag, p_correct=score.p_correct,
        askers=askers, priority=task_priority(p_correct=score.p_correct, askers=askers,
                                              held=decision.flag == Flag.DRAFT),
        question_key=score.question_key,
    )
    ReviewEvent.objects.create(task=task, action=ReviewEvent.Action.FLAGGED,
                               detail={"reason": decision.flag, "p_correct": round(score.p_correct, 4)})
    return task


def _supersede_least_bad(course_id: int) -> None:
    candidate = open_likely_wrong_today(course_id=course_id).order_by("-p_correct").first()
    if candidate is None:
        return
    if ReviewTask.objects.filter(id=candidate.id, status=ReviewTask.Status.OPEN).update(
            status=ReviewTask.Status.SUPERSEDED) == 1:
        ReviewEvent.objects.create(task=candidate, action=ReviewEvent.Action.SUPERSEDED)


def _bump_similar_tasks(scores: list[AnswerScore]) -> None:
    """Another student asked what an open task's student asked: that task moves up the queue. One query finds
    the open tasks of all these scores' questions."""
    asked = Q()
    for course_id, key in {(score.course_id, score.question_key) for score in scores}:
        asked |= Q(course_id=course_id, question_key=key)
    similar = list(ReviewTask.objects.filter(asked, status__in=ReviewTask.UNRESOLVED)) if scores else []
    askers: dict[tuple[int, str], int] = {}
    for task in similar:
        key = (task.course_id, task.question_key)
        if key not in askers:
            askers[key] = askers_of(course_id=task.course_id, key=task.question_key)
        ReviewTask.objects.filter(id=task.id).update(
            askers=askers[key], priority=task_priority(p_correct=task.p_correct, askers=askers[key],
                                                       held=task.reason == Flag.DRAFT))
