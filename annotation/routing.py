"""Scoring every tutor answer and flagging the likely-wrong ones for the course's teachers (a service).

``router_scoring`` is tutor's answer scorer, installed in ``AnnotationConfig.ready``: it runs once per
completed answer, in the process that generated it, before the answer is stored, so the confidence stored and
sent to the student is the router's calibrated probability that the answer is right, written once by tutor.
Once the answer is stored, the score is recorded and the answer flagged for review within budget. An answer
the tutor abstained from showing (it told the student it asked the teachers) always goes to the queue, as
"unanswered", outside the daily budget: a student is waiting for it; so does a draft held for the teachers'
approval (tutor.drafts), at the top of the queue.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from annotation.models import AnswerScore, Flag, ReviewEvent, ReviewTask, RouterVersion
from annotation.router.features import AnswerEvidence, answer_features, question_key
from annotation.router.flagging import FlagDecision, flag_decision, flag_threshold, learn_margin, task_priority
from annotation.router.model import PRIOR, RouterModel
from annotation.router.picking import boundary_distance
from annotation.selectors import (
    askers_of, course_daily_budget, open_likely_wrong_today, question_taken_today, recent_answer_rate, today_counts,
)
from learning.models import Course, Passage
from tutor.models import Message
from tutor.scoring import FinishedAnswer, Scoring

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
    score = _score(answer)
    return Scoring(score.p_correct, after_store=lambda: _record(answer, score, random.random()),
                   after_abstain=lambda: _record_outside_budget(answer, score, Flag.UNANSWERED),
                   after_hold=lambda: _record_outside_budget(answer, score, Flag.DRAFT))


def answer_route(*, answer_id: int, random_draw: float | None = None) -> RouteResult:
    """Score an answer already stored and flag it for review within budget; its stored confidence is left
    as tutor wrote it. A second call for the same answer changes nothing and returns its score."""
    existing = AnswerScore.objects.filter(message_id=answer_id).first()
    if existing is not None:
        return RouteResult(existing.p_correct, existing.flag)
    answer = _finished(Message.objects.select_related("reply_to", "conversation").get(id=answer_id))
    draw = random.random() if random_draw is None else random_draw
    return _record(answer, _score(answer), draw)


def _finished(message: Message) -> FinishedAnswer:
    return FinishedAnswer(
        answer_id=message.id, course_id=message.conversation.course_id,
        student_id=message.conversation.student_id, question=message.reply_to.text, text=message.text,
        features=message.features or {}, context=message.context or {},
        engine_confidence=message.confidence or 0.0, sources=tuple(message.sources or ()),
    )


def _score(answer: FinishedAnswer) -> _RouterScore:
    features = answer_features(_evidence(answer))
    version_id, model = active_router()
    return _RouterScore(model.p_correct(features), features, version_id)


def _record(answer: FinishedAnswer, score: _RouterScore, draw: float) -> RouteResult:
    with transaction.atomic():
        decision = _decide(answer.course_id, score.p_correct, draw, question_key(answer.question))
        stored = _store_score(answer, score, decision.flag)
        _bump_similar_tasks(stored)
        task = _flag(stored, decision) if decision.flag else None
    return RouteResult(score.p_correct, decision.flag, task.id if task else None)


def _record_outside_budget(answer: FinishedAnswer, score: _RouterScore, flag: str) -> RouteResult:
    """A student is waiting for the teachers: an answer the tutor abstained from, or a draft held for approval."""
    with transaction.atomic():
        stored = _store_score(answer, score, flag)
        _bump_similar_tasks(stored)
        task = _flag(stored, FlagDecision(flag))
    return RouteResult(score.p_correct, flag, task.id)


def _store_score(answer: FinishedAnswer, score: _RouterScore, flag: str) -> AnswerScore:
    return AnswerScore.objects.create(
        message_id=answer.answer_id, course_id=answer.course_id, student_id=answer.student_id,
        p_correct=score.p_correct, features=score.features, router_version_id=score.version_id,
        question_key=question_key(answer.question), flag=flag,
    )


def _evidence(answer: FinishedAnswer) -> AnswerEvidence:
    hits = answer.context.get("passages") or []
    texts = dict(Passage.objects.filter(id__in=[h["id"] for h in hits if "id" in h]).values_list("id", "text"))
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


def _decide(course_id: int, p_correct: float, draw: float, key: str) -> FlagDecision:
    budget = course_daily_budget(course_id=course_id)
    if budget.reviews == 0:
        return FlagDecision("")
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    recent = list(AnswerScore.objects.filter(course_id=course_id, created_at__gte=since)
                  .order_by("-created_at").values_list("p_correct", flat=True)[:5000])
    rate = recent_answer_rate(course_id=course_id, days=RECENT_DAYS)
    threshold = flag_threshold(recent, rate, budget, default=settings.ANNOTATION_FLAG_BELOW,
                               min_history=settings.ANNOTATION_THRESHOLD_HISTORY)
    margin = learn_margin(recent, rate, budget, min_history=settings.ANNOTATION_THRESHOLD_HISTORY)
    if p_correct >= threshold and draw >= budget.random_share and boundary_distance(p_correct) >= margin:
        return FlagDecision("")  # the common case decides without a lock
    # Budget counts are read under the course's row lock, so two answers cannot both take the last slot.
    Course.objects.select_for_update().filter(id=course_id).values_list("id", flat=True).first()
    return flag_decision(p_correct=p_correct, threshold=threshold, budget=budget,
                         today=today_counts(course_id=course_id), random_draw=draw, margin=margin,
                         question_taken=question_taken_today(course_id=course_id, key=key))


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


def _bump_similar_tasks(score: AnswerScore) -> None:
    """Another student asked what an open task's student asked: that task moves up the queue."""
    similar = list(ReviewTask.objects.filter(course_id=score.course_id, question_key=score.question_key,
                                             status__in=ReviewTask.UNRESOLVED))
    if not similar:
        return
    askers = askers_of(course_id=score.course_id, key=score.question_key)
    for task in similar:
        ReviewTask.objects.filter(id=task.id).update(
            askers=askers, priority=task_priority(p_correct=task.p_correct, askers=askers,
                                                  held=task.reason == Flag.DRAFT))
