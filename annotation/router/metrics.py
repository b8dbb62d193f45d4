"""How good a router is: ranking (AUROC), catching wrong answers within a budget, calibration (pure)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
from sklearn.metrics import roc_auc_score


def wrong_answer_auroc(p_correct: Sequence[float], correct: Sequence[bool]) -> float | None:
    """AUROC of (1 - p_correct) for telling wrong answers from right ones; None with only one class."""
    correct = np.asarray(correct, dtype=bool)
    if correct.all() or not correct.any():
        return None
    return float(roc_auc_score(~correct, -np.asarray(p_correct, dtype=float)))


def catch_rate(p_correct: Sequence[float], correct: Sequence[bool], share: float) -> float | None:
    """Of all wrong answers, the share found by flagging the ``share`` of answers least likely to be right.

    Ties at the cut are broken in answer order, so a constant score does no better than chance would on
    average (it takes the first answers)."""
    correct = np.asarray(correct, dtype=bool)
    wrong = int((~correct).sum())
    if wrong == 0:
        return None
    flagged = np.argsort(np.asarray(p_correct, dtype=float), kind="stable")[: flagged_count(len(correct), share)]
    return float((~correct[flagged]).sum() / wrong)


def random_catch_rate(correct: Sequence[bool], share: float) -> float | None:
    """What flagging a random ``share`` of answers catches on average (exactly: flagged / total)."""
    correct = np.asarray(correct, dtype=bool)
    if (~correct).sum() == 0:
        return None
    return flagged_count(len(correct), share) / len(correct)


def flagged_count(total: int, share: float) -> int:
    return int(round(total * share))


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    count: int
    mean_predicted: float | None
    observed: float | None  # share of these answers that were right


def reliability_bins(p_correct: Sequence[float], correct: Sequence[bool], n_bins: int = 10) -> list[ReliabilityBin]:
    p = np.clip(np.asarray(p_correct, dtype=float), 0.0, 1.0)
    y = np.asarray(correct, dtype=float)
    index = np.minimum((p * n_bins).astype(int), n_bins - 1)
    bins = []
    for b in range(n_bins):
        members = index == b
        count = int(members.sum())
        bins.append(ReliabilityBin(
            b / n_bins, (b + 1) / n_bins, count,
            float(p[members].mean()) if count else None, float(y[members].mean()) if count else None,
        ))
    return bins


def expected_calibration_error(bins: Sequence[ReliabilityBin]) -> float | None:
    total = sum(b.count for b in bins)
    if total == 0:
        return None
    return sum(b.count * abs(b.mean_predicted - b.observed) for b in bins if b.count) / total


def brier_score(p_correct: Sequence[float], correct: Sequence[bool]) -> float | None:
    if len(p_correct) == 0:
        return None
    return float(np.mean((np.asarray(p_correct, dtype=float) - np.asarray(correct, dtype=float)) ** 2))
