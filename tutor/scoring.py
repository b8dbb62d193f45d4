"""How sure the tutor is of a finished answer: the one confidence stored with it and sent to the student.

The default trusts the engine's own confidence. A higher app installs a better scorer at start-up
(annotation's confidence router, in its ``AppConfig.ready``), the way the engine is installed, so tutor never
imports the app that judges its answers. The scorer runs before the answer is stored, so the confidence is
written once; what it does with the stored answer (flag it for teachers, say) it returns as ``after_store``,
and what it does with an answer the tutor abstained from showing (asked the teachers instead) as
``after_abstain``.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Callable, Sequence

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FinishedAnswer:
    """A generated answer about to be stored, with everything a scorer may judge it by."""

    answer_id: int
    course_id: int
    student_id: int
    question: str
    text: str
    features: dict  # as stored on the message: token features, dropped_turns, finish_reason
    context: dict  # as stored on the message: passages, redactions, weak skills, open item
    engine_confidence: float
    sources: tuple[dict, ...] = ()  # the course-notes sentences the answer cites: {"passage", "title", "text"}


def _nothing() -> None:
    pass


@dataclass(frozen=True)
class Scoring:
    confidence: float
    after_store: Callable[[], None] = field(default=_nothing)  # runs once, only if the answer was stored
    after_abstain: Callable[[], None] = field(default=_nothing)  # instead, when the tutor abstained
    # Scored in one batch with others: the follow-ups of all of them that were stored, run at once, given each
    # one's (scoring, abstained); instead of after_store / after_abstain, which stay the fallback.
    together: "Callable[[list[tuple[Scoring, bool]]], None] | None" = field(default=None, compare=False)


AnswerScorer = Callable[[FinishedAnswer], Scoring]
AnswersScorer = Callable[[Sequence[FinishedAnswer]], list[Scoring]]  # one Scoring per answer, in order


def engine_confidence(answer: FinishedAnswer) -> Scoring:
    return Scoring(answer.engine_confidence)


_scorer: AnswerScorer = engine_confidence
_batch_forms: dict[AnswerScorer, AnswersScorer] = {}
_lock = threading.Lock()


def set_answer_scorer(scorer: AnswerScorer | None, *, many: AnswersScorer | None = None) -> AnswerScorer:
    """Install the process-wide scorer (None: the engine's confidence); returns the previous one. ``many``: the
    same scorer for a batch at once (reading what the answers share once); it stays with ``scorer``, so putting
    a previous scorer back puts back its batch form too."""
    global _scorer
    with _lock:
        previous, _scorer = _scorer, scorer or engine_confidence
        if many is not None:
            _batch_forms[_scorer] = many
    return previous


def answer_score(answer: FinishedAnswer) -> Scoring:
    """The installed scorer's verdict; a scorer that fails costs the calibrated score, never the answer."""
    try:
        return _scorer(answer)
    except Exception:
        logger.exception("scoring answer %s failed; it keeps the engine's confidence", answer.answer_id)
        return engine_confidence(answer)


def answers_score(answers: Sequence[FinishedAnswer]) -> list[Scoring]:
    """``answer_score`` for each of ``answers``, through the scorer's batch form when it has one; a batch that
    fails is scored answer by answer."""
    many = _batch_forms.get(_scorer)
    if many is not None and answers:
        try:
            return many(answers)
        except Exception:
            logger.exception("scoring %d answers together failed; scoring them one by one", len(answers))
    return [answer_score(answer) for answer in answers]


def scoring_after_store(scoring: Scoring, answer_id: int, abstained: bool = False) -> None:
    """The scorer's work on the stored answer; its failure leaves the answer and its confidence as stored.
    A savepoint: inside a batch's transaction (tutor.services.answers_complete), a failure undoes only this."""
    try:
        with transaction.atomic():
            (scoring.after_abstain if abstained else scoring.after_store)()
    except Exception:
        logger.exception("the scorer's follow-up for answer %s failed", answer_id)


def scorings_after_store(stored: Sequence[tuple[Scoring, int, bool]]) -> None:
    """``scoring_after_store`` for many stored answers, given each one's (scoring, answer id, abstained): the
    follow-ups of answers scored together run together, in one savepoint; should that fail, each runs on its
    own, so a failure still undoes only its own work."""
    groups: dict[int, list[tuple[Scoring, int, bool]]] = {}
    for item in stored:
        groups.setdefault(id(item[0].together) if item[0].together else id(item), []).append(item)
    for items in groups.values():
        together = items[0][0].together
        if together is not None and _ran_together(together, items):
            continue
        for scoring, answer_id, abstained in items:
            scoring_after_store(scoring, answer_id, abstained)


def _ran_together(together, items: list[tuple[Scoring, int, bool]]) -> bool:
    try:
        with transaction.atomic():
            together([(scoring, abstained) for scoring, _, abstained in items])
        return True
    except Exception:
        logger.exception("the scorer's follow-up for %d answers together failed; running them one by one",
                         len(items))
        return False
