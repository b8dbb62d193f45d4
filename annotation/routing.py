"""Scoring every tutor answer and flagging the likely-wrong ones for the course's teachers (a service).

``answer_route`` runs once per completed answer, in the process that generated it, before the answer frame
goes out: the confidence the student sees is the router's calibrated probability that the answer is right.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from annotation.models import AnswerScore, ReviewEvent, ReviewTask, RouterVersion
from annotation.router.features import AnswerEvidence, answer_features, question_key
from annotation.router.flagging import FlagDecision, flag_decision, flag_threshold, task_priority
from annotation.router.model import PRIOR, RouterModel
from annotation.selectors import (
    askers_of, course_daily_budget, open_likely_wrong_today, recent_answer_rate, today_counts,
)
from learning.models import Course, Passage
from tutor.models import Message

RECENT_DAYS = 7


@dataclass(frozen=True)
class RouteResult:
    p_correct: float
    flag: str
    task_id: int | None = None


def answer_route(*, answer_id: int, random_draw: float | None = None) -> RouteResult:
    """Score a completed answer, store the score as its confidence, and flag it for review within budget.

    Called once per answer; a second call for the same answer changes nothing and returns its score."""
    answer = Message.objects.select_related("reply_to", "conversation").get(id=answer_id)
    existing = AnswerScore.objects.filter(message_id=answer_id).first()
    if existing is not None:
        return RouteResult(existing.p_correct, existing.flag)
    features = answer_features(_evidence(answer))
    version_id, model = active_router()
    p_correct = model.p_correct(features)
    key = question_key(answer.reply_to.text)
    draw = random.random() if random_draw is None else random_draw
    with transaction.atomic():
        decision = _decide(answer.conversation.course_id, p_correct, draw)
        score = AnswerScore.objects.create(
            message=answer, course_id=answer.conversation.course_id, student_id=answer.conversation.student_id,
            p_correct=p_correct, features=features, router_version_id=version_id, question_key=key,
            flag=decision.flag,
        )
        Message.objects.filter(id=answer_id).update(confidence=p_correct)
        _bump_similar_tasks(score)
        task = _flag(score, decision) if decision.flag else None
    return RouteResult(p_correct, decision.flag, task.id if task else None)


def _evidence(answer: Message) -> AnswerEvidence:
    context = answer.context or {}
    hits = context.get("passages") or []
    texts = dict(Passage.objects.filter(id__in=[h["id"] for h in hits if "id" in h]).values_list("id", "text"))
    return AnswerEvidence(
        question=answer.reply_to.text, answer=answer.text, token_features=answer.features or {},
        passage_texts=tuple(texts[h["id"]] for h in hits if h.get("id") in texts),
        passage_scores=tuple(float(h.get("score") or 0.0) for h in hits),
        cut_short=(answer.features or {}).get("finish_reason") == "length",
        redactions=int(context.get("redactions") or 0),
    )


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


def _decide(course_id: int, p_correct: float, draw: float) -> FlagDecision:
    budget = course_daily_budget(course_id=course_id)
    if budget.reviews == 0:
        return FlagDecision("")
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    recent = list(AnswerScore.objects.filter(course_id=course_id, created_at__gte=since)
                  .order_by("-created_at").values_list("p_correct", flat=True)[:5000])
    threshold = flag_threshold(
        recent, recent_answer_rate(course_id=course_id, days=RECENT_DAYS), budget,
        default=settings.ANNOTATION_FLAG_BELOW, min_history=settings.ANNOTATION_THRESHOLD_HISTORY,
    )
    if p_correct >= threshold and draw >= budget.random_share:
        return FlagDecision("")  # the common case decides without a lock
    # Budget counts are read under the course's row lock, so two answers cannot both take the last slot.
    Course.objects.select_for_update().filter(id=course_id).values_list("id", flat=True).first()
    return flag_decision(p_correct=p_correct, threshold=threshold, budget=budget,
                         today=today_counts(course_id=course_id), random_draw=draw)


def _flag(score: AnswerScore, decision: FlagDecision) -> ReviewTask:
    if decision.replaces_task:
        _supersede_least_bad(score.course_id)
    askers = askers_of(course_id=score.course_id, key=score.question_key)
    task = ReviewTask.objects.create(
        answer_id=score.message_id, course_id=score.course_id, reason=decision.flag, p_correct=score.p_correct,
        askers=askers, priority=task_priority(p_correct=score.p_correct, askers=askers),
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
            askers=askers, priority=task_priority(p_correct=task.p_correct, askers=askers))
