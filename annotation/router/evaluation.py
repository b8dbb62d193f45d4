"""Honest estimates of a router fitted to verdicts: every answer scored by a model that never saw it (pure)."""
from __future__ import annotations

from dataclasses import asdict
from typing import Sequence

import numpy as np

from annotation.router.metrics import (
    brier_score, expected_calibration_error, reliability_bins, wrong_answer_auroc,
)
from annotation.router.model import PRIOR, NotEnoughVerdicts, RouterModel, fit_router


def out_of_fold_p(rows: Sequence[dict], correct: Sequence[bool], *, folds: int = 5, seed: int = 0,
                  fallback: RouterModel = PRIOR) -> np.ndarray:
    """p_correct of each answer from a router fitted on the other folds (``fallback`` where a fold's
    training part has too few verdicts of one kind). Folds are stratified: each holds its share of the
    right and of the wrong answers, as scikit-learn's StratifiedKFold would."""
    y = np.asarray(correct, dtype=bool)
    rng = np.random.default_rng(seed)
    fold_of = np.zeros(len(y), dtype=int)
    for label in (True, False):
        members = rng.permutation(np.flatnonzero(y == label))
        fold_of[members] = (np.arange(len(members)) + rng.integers(folds)) % folds
    p = np.zeros(len(y))
    for fold in range(folds):
        held, train = np.flatnonzero(fold_of == fold), np.flatnonzero(fold_of != fold)
        try:
            model = fit_router([rows[i] for i in train], y[train])
        except NotEnoughVerdicts:
            model = fallback
        p[held] = model.p_correct_many([rows[i] for i in held])
    return p


def repeated_out_of_fold_p(rows: Sequence[dict], correct: Sequence[bool], *, repeats: int = 5, seed: int = 0
                           ) -> tuple[np.ndarray, list[float]]:
    """Each answer's out-of-fold p_correct averaged over ``repeats`` different fold splits (it is out of fold
    in every one), and the AUROC of each split: one split of a few hundred answers is a noisy estimate."""
    runs = [out_of_fold_p(rows, correct, seed=seed + r) for r in range(repeats)]
    return np.mean(runs, axis=0), [wrong_answer_auroc(p, correct) for p in runs]


def router_report(p_correct: Sequence[float], correct: Sequence[bool]) -> dict:
    bins = reliability_bins(p_correct, correct)
    return {
        "answers": len(correct),
        "right": int(np.sum(correct)),
        "auroc": wrong_answer_auroc(p_correct, correct),
        "brier": brier_score(p_correct, correct),
        "ece": expected_calibration_error(bins),
        "reliability": [asdict(b) for b in bins],
    }
