"""Which answers go to teachers, within a daily review budget (pure).

Each course has a budget per day: its teachers times the reviews each will do. Answers arrive one at a
time, so "the least likely to be right, within budget" is approximated online: an answer is flagged when
its probability of being right is below the course's threshold, the quantile of its recent answers that
would fill the budget; once the budget is spent, a worse answer replaces the least-bad open task of the day
that nobody has claimed. A small share of confident answers is sampled at random (with its own small cap)
so that the router's calibration is also checked where it is sure.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class DailyBudget:
    reviews: int  # teachers x reviews per teacher per day
    random_share: float  # of confident answers, sampled at random

    @property
    def sample_cap(self) -> int:
        return math.ceil(self.reviews * self.random_share) if self.reviews else 0

    @property
    def low_confidence_cap(self) -> int:
        return self.reviews - self.sample_cap


@dataclass(frozen=True)
class DayCounts:
    low_confidence: int  # tasks flagged today as likely wrong, not superseded
    random_sample: int
    replaceable_p: float | None  # the highest p_correct among today's open, unclaimed likely-wrong tasks


@dataclass(frozen=True)
class FlagDecision:
    flag: str  # "", "low_confidence" or "random_sample"
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


def flag_decision(*, p_correct: float, threshold: float, budget: DailyBudget, today: DayCounts,
                  random_draw: float) -> FlagDecision:
    if budget.reviews <= 0:
        return NOT_FLAGGED
    if p_correct < threshold:
        if today.low_confidence < budget.low_confidence_cap:
            return FlagDecision("low_confidence")
        if today.replaceable_p is not None and p_correct < today.replaceable_p:
            return FlagDecision("low_confidence", replaces_task=True)
        return NOT_FLAGGED
    if random_draw < budget.random_share and today.random_sample < budget.sample_cap:
        return FlagDecision("random_sample")
    return NOT_FLAGGED


# Above any priority the formula gives (askers are students of one course): a held draft leads the queue.
HELD_FIRST = 1000.0


def task_priority(*, p_correct: float, askers: int, held: bool = False) -> float:
    """A draft a student is waiting for first; then likely wrong first; among equally likely, the question more
    students asked."""
    return (HELD_FIRST if held else 0.0) + (1.0 - p_correct) * (1.0 + math.log(max(askers, 1)))
