"""How fast the router learns as verdicts arrive in batches, against verdicts on random answers (pure).

Answers are split into a pool that teachers review and a held-out test set. Each round, a batch of pool
answers gets its verdicts and the router is refitted on every verdict so far; its AUROC is measured on the
test set. "router" picks each batch as production does: the answers the current router finds least likely
right, plus a random share; "random" picks at random. Both end with the whole pool, so they share a final
AUROC; what differs is how many verdicts each needs to come (and stay) within ``tolerance`` of it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from annotation.router.metrics import wrong_answer_auroc
from annotation.router.model import PRIOR, NotEnoughVerdicts, RouterModel, fit_router

STRATEGIES = ("router", "random")


@dataclass(frozen=True)
class Curve:
    verdicts: list[int]
    auroc: list[float]


def learning_curve(rows: Sequence[dict], correct: np.ndarray, pool: np.ndarray, test: np.ndarray, *,
                   strategy: str, batch: int, random_share: float, rng: np.random.Generator,
                   min_per_class: int) -> Curve:
    model: RouterModel = PRIOR
    remaining, labelled = list(pool), []
    verdicts, aurocs = [], []
    test_rows = [rows[i] for i in test]
    while remaining:
        chosen = _next_batch(model, rows, remaining, strategy, batch, random_share, rng)
        labelled += chosen
        remaining = [i for i in remaining if i not in set(chosen)]
        try:
            model = fit_router([rows[i] for i in labelled], correct[labelled], min_per_class=min_per_class)
        except NotEnoughVerdicts:
            model = PRIOR
        verdicts.append(len(labelled))
        aurocs.append(wrong_answer_auroc(model.p_correct_many(test_rows), correct[test]) or 0.5)
    return Curve(verdicts, aurocs)


def _next_batch(model: RouterModel, rows, remaining: list[int], strategy: str, batch: int, random_share: float,
                rng: np.random.Generator) -> list[int]:
    if strategy == "random" or len(remaining) <= batch:
        return list(rng.permutation(remaining)[:batch])
    flagged = batch - int(round(batch * random_share))
    p = model.p_correct_many([rows[i] for i in remaining])
    least_likely = [remaining[j] for j in np.argsort(p, kind="stable")[:flagged]]
    others = [i for i in remaining if i not in set(least_likely)]
    return least_likely + list(rng.permutation(others)[: batch - flagged])


def verdicts_needed(curve: Curve, tolerance: float) -> int:
    """The fewest verdicts after which AUROC stays within ``tolerance`` of its final value."""
    final = curve.auroc[-1]
    needed = curve.verdicts[-1]
    for n, auroc in zip(reversed(curve.verdicts), reversed(curve.auroc)):
        if abs(auroc - final) > tolerance:
            break
        needed = n
    return needed


def active_simulation(rows: Sequence[dict], correct: Sequence[bool], *, batch: int = 10, repeats: int = 10,
                      test_share: float = 0.3, random_share: float = 0.2, tolerance: float = 0.02,
                      min_per_class: int = 5, seed: int = 0) -> dict:
    y = np.asarray(correct, dtype=bool)
    rng = np.random.default_rng(seed)
    needed = {s: [] for s in STRATEGIES}
    curves = {s: [] for s in STRATEGIES}
    for _ in range(repeats):
        pool, test = _stratified_split(y, test_share, rng)
        for strategy in STRATEGIES:
            curve = learning_curve(rows, y, pool, test, strategy=strategy, batch=batch, random_share=random_share,
                                   rng=rng, min_per_class=min_per_class)
            curves[strategy].append(curve.auroc)
            needed[strategy].append(verdicts_needed(curve, tolerance))
    verdict_counts = learning_curve_points(len(pool), batch)
    return {
        "batch": batch, "repeats": repeats, "pool": len(pool), "test": len(test), "tolerance": tolerance,
        "router_random_share": random_share,
        **{s: {
            "verdicts_needed_mean": round(float(np.mean(needed[s])), 1),
            "verdicts_needed_median": float(np.median(needed[s])),
            "final_auroc_mean": round(float(np.mean([c[-1] for c in curves[s]])), 4),
            "curve": [{"verdicts": n, "auroc": round(float(a), 4)}
                      for n, a in zip(verdict_counts, np.mean(curves[s], axis=0))],
        } for s in STRATEGIES},
    }


def learning_curve_points(pool: int, batch: int) -> list[int]:
    return [min(pool, batch * (k + 1)) for k in range(-(-pool // batch))]


def _stratified_split(y: np.ndarray, test_share: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    test = []
    for label in (True, False):
        members = rng.permutation(np.flatnonzero(y == label))
        test.extend(members[: int(round(len(members) * test_share))])
    test = np.array(sorted(test), dtype=int)
    return np.setdiff1d(np.arange(len(y)), test), test
