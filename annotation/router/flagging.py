"""Which answers go to teachers, within a daily review budget (pure).

Each course has a budget per day: its teachers times the reviews each will do. Answers arrive one at a
time, so "the least likely to be right, within budget" is approximated online: an answer is flagged when
its probability of being right is below the course's threshold, the quantile of its recent answers that
would fill the budget; once the budget is spent, a worse answer replaces the least-bad open task of the day
that nobody has claimed. A small share of confident answers is sampled at random (with its own small cap)
so that the router's calibration is also checked where it is sure.

The rest of the budget is split (``picking.split_budget``) into *fix*, the likely-wrong answers above, and
*learn*: answers close to the router's decision boundary (p near 0.5), whose verdicts teach it most. Online,
an answer is picked to learn when it is within the course's learn margin of the boundary (the distance that
picks about as many recent answers a day as the learn part allows), its slots are not spent, and no task of the
day already holds the same question: a teacher does not review ten near-copies.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from annotation.router.picking import boundary_distance, split_budget

DEFAULT_LEARN_MARGIN = 0.1  # p within 0.4-0.6, until a course has history enough for its own margin


@dataclass(frozen=True)
class DailyBudget:
    reviews: int  # teachers x reviews per teacher per day
    random_share: float  # of confident answers, sampled at random
    learn_share: float = 0.0  # of the rest, for the answers that teach the router most

    @property
    def sample_cap(self) -> int:
        return math.ceil(self.reviews * self.random_share) if self.reviews else 0

    @property
    def low_confidence_cap(self) -> int:
        return split_budget(self.reviews - self.sample_cap, self.learn_share).fix

    @property
    def learn_cap(self) -> int:
        return split_budget(self.reviews - self.sample_cap, self.learn_share).learn


@dataclass(frozen=True)
class DayCounts:
    low_confidence: int  # tasks flagged today as likely wrong, not superseded
    random_sample: int
    replaceable_p: float | None  # the highest p_correct among today's open, unclaimed likely-wrong tasks
    learn: int = 0  # tasks flagged today to teach the router


@dataclass(frozen=True)
class FlagDecision:
    flag: str  # "", "low_confidence", "learn" or "random_sample"
    replaces_task: bool = False  # the least-bad open task of the day is dropped for this one


NOT_FLAGGED = FlagDecision("")


def flag_threshold(recent_p_correct: Sequence[float], answers_per_day: float, budget: DailyBudget,
                   *, default: float, min_history: int) -> float:
    """Below this probability of being right, an answer is likely enough wrong to flag.

    With too little history, ``default``; else the quantile of recent answers that flags about as many a day
    as the budget allows."""
    if len(recent_p_correct) < min_history or answers_per_day <= 0:
        return default
    share = min(1.0, budget.low_confidence_cap / answers_per_day)
    if share <= 0:
        return 0.0
    return float(np.quantile(np.asarray(recent_p_correct, dtype=float), share))


def learn_margin(recent_p_correct: Sequence[float], answers_per_day: float, budget: DailyBudget,
                 *, min_history: int) -> float:
    """Closer than this to the decision boundary, an answer's verdict is worth a learn slot: the quantile of
    recent answers' distances that picks about as many a day as the learn part allows (``DEFAULT_LEARN_MARGIN``
    with too little history)."""
    if budget.learn_cap <= 0:
        return 0.0
    if len(recent_p_correct) < min_history or answers_per_day <= 0:
        return DEFAULT_LEARN_MARGIN
    share = min(1.0, budget.learn_cap / answers_per_day)
    # Strictly closer than the margin is picked: a hair above the quantile keeps the closest one in.
    return float(np.quantile(boundary_distance(np.asarray(recent_p_correct, dtype=float)), share)) + 1e-9


def flag_decision(*, p_correct: float, threshold: float, budget: DailyBudget, today: DayCounts,
                  random_draw: float, margin: float = 0.0, question_taken: bool = False) -> FlagDecision:
    """``margin``: the course's learn margin; ``question_taken``: a task of the day holds the same question."""
    if budget.reviews <= 0:
        return NOT_FLAGGED
    if p_correct < threshold:
        if today.low_confidence < budget.low_confidence_cap:
            return FlagDecision("low_confidence")
        if today.replaceable_p is not None and p_correct < today.replaceable_p:
            return FlagDecision("low_confidence", replaces_task=True)
    if boundary_distance(p_correct) < margin and today.learn < budget.learn_cap and not question_taken:
        return FlagDecision("learn")
    if p_correct >= threshold and random_draw < budget.random_share and today.random_sample < budget.sample_cap:
        return FlagDecision("random_sample")
    return NOT_FLAGGED


# Above any priority the formula gives (askers are students of one course): a held draft leads the queue.
HELD_FIRST = 1000.0


def task_priority(*, p_correct: float, askers: int, held: bool = False) -> float:
    """A draft a student is waiting for first; then likely wrong first; among equally likely, the question more
    students asked."""
    return (HELD_FIRST if held else 0.0) + (1.0 - p_correct) * (1.0 + math.log(max(askers, 1)))
