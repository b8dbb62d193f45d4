"""How fast the router learns as verdicts arrive in batches, by how each batch is picked (pure).

Answers are split into a pool that teachers review and a test set that stands for a day of new answers.
Each round, a batch of pool answers gets its verdicts and the router is refitted on every verdict so far; its
AUROC is measured on the test set. A batch is split as a course's daily budget is (``annotation.router.picking``):
*fix* slots take the answers the current router finds least likely right, *learn* slots are picked by a learn
strategy. The plans compared:

- ``random``: every slot at random, the baseline;
- ``fix``: every slot fixes (production before the split);
- ``uncertainty``, ``diverse``, ``model_change``: every slot learns, by that strategy;
- ``fix+<strategy>``: the split, ``learn_share`` of the slots learning.

All end with the whole pool, so they share a final AUROC; what differs is how many verdicts each needs to come
(and stay) within ``tolerance`` of it. Each repeat draws a new split, shared by every plan (paired). The *fix*
part is judged on the test set: each round, the wrong answers among the fix-slot count of test answers the
router of that round finds least likely right, that is what a day's fix part would catch with that router.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from threadpoolctl import threadpool_limits

from annotation.router.metrics import wrong_answer_auroc
from annotation.router.model import PRIOR, NotEnoughVerdicts, RouterModel, fit_router
from annotation.router.picking import LEARN_STRATEGIES, pick_least_likely, pick_to_learn, split_budget

BOOTSTRAP = 2000


@dataclass(frozen=True)
class Plan:
    learn_strategy: str
    learn_share: float


@dataclass(frozen=True)
class Curve:
    verdicts: list[int]
    auroc: list[float]
    fix_caught: list[int]  # wrong answers among the fix-slot count of test answers least likely right, per round


@dataclass(frozen=True)
class Answers:
    rows: Sequence[dict]
    correct: np.ndarray
    embeddings: np.ndarray | None


def plans_for(learn_strategy: str, learn_share: float) -> dict[str, Plan]:
    plans = {"random": Plan("random", 1.0), "fix": Plan("random", 0.0)}
    plans.update({s: Plan(s, 1.0) for s in LEARN_STRATEGIES if s != "random"})
    plans[f"fix+{learn_strategy}"] = Plan(learn_strategy, learn_share)
    return plans


def learning_curve(answers: Answers, pool: np.ndarray, test: np.ndarray, *, plan: Plan, batch: int,
                   fix_slots: int, rng: np.random.Generator, min_per_class: int) -> Curve:
    model: RouterModel = PRIOR
    remaining, labelled = list(pool), []
    curve = Curve([], [], [])
    test_rows = [answers.rows[i] for i in test]
    while remaining:
        chosen = set(next_batch(model, answers, remaining, plan, batch, rng))
        labelled += [i for i in remaining if i in chosen]
        remaining = [i for i in remaining if i not in chosen]
        # In pool order, not pick order: the cross-validated calibration's folds follow the order, and every
        # plan must end with the same model on the same verdicts.
        labelled = sorted(labelled)
        try:
            model = fit_router([answers.rows[i] for i in labelled], answers.correct[labelled],
                               min_per_class=min_per_class)
        except NotEnoughVerdicts:
            model = PRIOR
        p_test = model.p_correct_many(test_rows)
        curve.verdicts.append(len(labelled))
        curve.auroc.append(wrong_answer_auroc(p_test, answers.correct[test]) or 0.5)
        curve.fix_caught.append(int(np.sum(~answers.correct[test][pick_least_likely(p_test, fix_slots)])))
    return curve


def next_batch(model: RouterModel, answers: Answers, remaining: list[int], plan: Plan, batch: int,
               rng: np.random.Generator) -> list[int]:
    if len(remaining) <= batch:
        return list(remaining)
    rows = [answers.rows[i] for i in remaining]
    p = model.p_correct_many(rows)
    split = split_budget(batch, plan.learn_share)
    fixed = pick_least_likely(p, split.fix)
    others = np.setdiff1d(np.arange(len(remaining)), fixed)
    extra = {}
    if plan.learn_strategy == "diverse":
        extra["embeddings"] = answers.embeddings[np.asarray(remaining)[others]]
    if plan.learn_strategy == "model_change":
        extra["standardised"] = model.standardised_many([rows[j] for j in others])
    learned = others[pick_to_learn(plan.learn_strategy, p[others], split.learn, rng, **extra)]
    return [remaining[j] for j in [*fixed, *learned]]


def verdicts_needed(curve: Curve, tolerance: float) -> int:
    """The fewest verdicts after which AUROC stays within ``tolerance`` of its final value."""
    final = curve.auroc[-1]
    needed = curve.verdicts[-1]
    for n, auroc in zip(reversed(curve.verdicts), reversed(curve.auroc)):
        if abs(auroc - final) > tolerance:
            break
        needed = n
    return needed


def active_simulation(rows: Sequence[dict], correct: Sequence[bool], *, embeddings: np.ndarray | None = None,
                      batch: int = 10, repeats: int = 20, test_share: float = 0.3, learn_strategy: str = "uncertainty",
                      learn_share: float = 0.5, tolerance: float = 0.02, min_per_class: int = 5,
                      seed: int = 0) -> dict:
    """Every plan of ``plans_for`` on ``repeats`` paired splits. ``embeddings``: one row per answer (of its
    question); without them the diverse plans are left out."""
    started = time.perf_counter()
    answers = Answers(rows, np.asarray(correct, dtype=bool), embeddings)
    plans = {name: plan for name, plan in plans_for(learn_strategy, learn_share).items()
             if embeddings is not None or plan.learn_strategy != "diverse"}
    fix_slots = split_budget(batch, learn_share).fix
    rng = np.random.default_rng(seed)
    curves: dict[str, list[Curve]] = {name: [] for name in plans}
    # The fits are tiny: BLAS threads only contend (one thread made it about 5x faster on 2 busy cores).
    with threadpool_limits(limits=1):
        for _ in range(repeats):
            pool, test = _stratified_split(answers.correct, test_share, rng)
            for name, plan in plans.items():
                curves[name].append(learning_curve(answers, pool, test, plan=plan, batch=batch,
                                                   fix_slots=fix_slots, rng=rng, min_per_class=min_per_class))
    needed = {name: np.array([verdicts_needed(c, tolerance) for c in curves[name]], dtype=float) for name in plans}
    caught = {name: np.array([np.mean(c.fix_caught) for c in curves[name]]) for name in plans}
    return {
        "batch": batch, "repeats": repeats, "pool": len(pool), "test": len(test), "tolerance": tolerance,
        "learn_share": learn_share, "fix_slots_per_batch": fix_slots, "embeddings": embeddings is not None,
        "plans": {name: {**_plan_report(plans[name], curves[name], needed[name], caught[name], rng),
                         "vs_random": paired_ratio(needed[name], needed["random"], rng),
                         "fix_caught_vs_fix_only": paired_ratio(caught[name], caught["fix"], rng)}
                  for name in plans},
        "seconds": round(time.perf_counter() - started, 1),
    }


def _plan_report(plan: Plan, curves: list[Curve], needed: np.ndarray, caught: np.ndarray,
                 rng: np.random.Generator) -> dict:
    return {
        "learn_strategy": plan.learn_strategy if plan.learn_share > 0 else None, "learn_share": plan.learn_share,
        "verdicts_needed": {"mean": round(float(needed.mean()), 1), "ci95": mean_ci(needed, rng),
                            "median": float(np.median(needed))},
        "fix_caught_per_day": {"mean": round(float(caught.mean()), 3), "ci95": mean_ci(caught, rng, digits=3)},
        "final_auroc_mean": round(float(np.mean([c.auroc[-1] for c in curves])), 4),
        "curve": [{"verdicts": n, "auroc": round(float(a), 4)}
                  for n, a in zip(curves[0].verdicts, np.mean([c.auroc for c in curves], axis=0))],
    }


def mean_ci(values: np.ndarray, rng: np.random.Generator, *, digits: int = 1) -> list[float]:
    """A 95 % percentile-bootstrap interval of the mean."""
    samples = rng.choice(values, size=(BOOTSTRAP, len(values)), replace=True).mean(axis=1)
    return [round(float(v), digits) for v in np.percentile(samples, [2.5, 97.5])]


def paired_ratio(values: np.ndarray, baseline: np.ndarray, rng: np.random.Generator) -> dict:
    """mean(values) / mean(baseline) over paired repeats, with a 95 % percentile-bootstrap interval."""
    picks = rng.integers(len(values), size=(BOOTSTRAP, len(values)))
    samples = values[picks].mean(axis=1) / np.maximum(baseline[picks].mean(axis=1), 1e-12)
    ratio = float(values.mean() / max(baseline.mean(), 1e-12))
    return {"ratio": round(ratio, 3), "ci95": [round(float(v), 3) for v in np.percentile(samples, [2.5, 97.5])]}


def _stratified_split(y: np.ndarray, test_share: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    test = []
    for label in (True, False):
        members = rng.permutation(np.flatnonzero(y == label))
        test.extend(members[: int(round(len(members) * test_share))])
    test = np.array(sorted(test), dtype=int)
    return np.setdiff1d(np.arange(len(y)), test), test
