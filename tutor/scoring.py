"""How sure the tutor is of a finished answer: the one confidence stored with it and sent to the student.

The default trusts the engine's own confidence. A higher app installs a better scorer at start-up
(annotation's confidence router, in its ``AppConfig.ready``), the way the engine is installed, so tutor never
imports the app that judges its answers. The scorer runs before the answer is stored, so the confidence is
written once; what it does with the stored answer (flag it for teachers, say) it returns as ``after_store``,
what it does with an answer the tutor abstained from showing (asked the teachers instead) as
``after_abstain``, and with an answer held as a draft for the teachers' approval (tutor.drafts) as
``after_hold``.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Callable, NamedTuple, Sequence

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
    after_hold: Callable[[], None] = field(default=_nothing)  # instead, when the answer is held as a draft
    # Scored in one batch with others: the follow-ups of all of them that were stored, run at once, given each
    # one's StoredAnswer; instead of after_store / after_abstain / after_hold, which stay the fallback.
    together: "Callable[[list[StoredAnswer]], None] | None" = field(default=None, compare=False)


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


def scoring_after_store(scoring: Scoring, answer_id: int, abstained: bool = False, held: bool = False) -> None:
    """The scorer's work on the stored answer; its failure leaves the answer and its confidence as stored.
    A savepoint: inside a batch's transaction (tutor.services.answers_complete), a failure undoes only this."""
    follow_up = scoring.after_abstain if abstained else scoring.after_hold if held else scoring.after_store
    try:
        with transaction.atomic():
            follow_up()
    except Exception:
        logger.exception("the scorer's follow-up for answer %s failed", answer_id)


class StoredAnswer(NamedTuple):
    """A stored answer whose scorer's follow-up is due: which one runs depends on how it was stored."""

    scoring: Scoring
    answer_id: int
    abstained: bool = False  # the tutor told the student it asked the teachers
    held: bool = False  # held as a draft for the teachers' approval


def scorings_after_store(stored: Sequence[StoredAnswer]) -> None:
    """``scoring_after_store`` for many stored answers: the follow-ups of answers scored together run together,
    in one savepoint; should that fail, each runs on its own, so a failure still undoes only its own work."""
    groups: dict[int, list[StoredAnswer]] = {}
    for item in stored:
        groups.setdefault(id(item.scoring.together) if item.scoring.together else id(item), []).append(item)
    for items in groups.values():
        together = items[0].scoring.together
        if together is not None and _ran_together(together, items):
            continue
        for item in items:
            scoring_after_store(item.scoring, item.answer_id, item.abstained, item.held)


def _ran_together(together, items: list[StoredAnswer]) -> bool:
    try:
        with transaction.atomic():
            together(items)
        return True
    except Exception:
        logger.exception("the scorer's follow-up for %d answers together failed; running them one by one",
                         len(items))
        return False
