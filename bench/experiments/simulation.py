"""Synthetic experiments with a known true effect, analysed by the admin report's own code (pure).

Each synthetic student has an ability (logit, normal with SD ``ABILITY_SD``) and 1 + Poisson(2) next-item
outcomes; each outcome's item has a normal difficulty, the knowledge model's prediction is the true success
of a control student (a calibrated model), and the treatment arm adds ``effect`` to it (clipped to [0, 1]).
A student's value is the mean of correctness minus prediction; both arms then go through
``tutor.experiments.statistics.compare``, the function behind the admin report, and a run "finds" an effect
when its decision is final and the interval excludes zero. Power is that share with a true effect; the false
positive rate is that share with none. ``peeking`` is what looking every ``look_every`` students per arm and
stopping at the first interval that excludes zero would give instead: why the report waits for the plan.
"""
from __future__ import annotations

import numpy as np

from tutor.experiments.statistics import compare, planned_size

ABILITY_SD = 1.0
MEAN_EXTRA_OUTCOMES = 2.0


def simulated_values(rng: np.random.Generator, students: int, effect: float) -> np.ndarray:
    """Per-student next-item values (correct minus predicted, averaged) for one arm."""
    counts = 1 + rng.poisson(MEAN_EXTRA_OUTCOMES, students)
    owner = np.repeat(np.arange(students), counts)
    ability = rng.normal(0.0, ABILITY_SD, students)[owner]
    predicted = 1 / (1 + np.exp(-(ability - rng.normal(0.0, 1.0, len(owner)))))
    correct = rng.random(len(owner)) < np.clip(predicted + effect, 0.0, 1.0)
    return np.bincount(owner, weights=correct - predicted, minlength=students) / counts


def found(control: np.ndarray, treatment: np.ndarray, planned: int) -> bool:
    decision = compare(control.tolist(), treatment.tolist(), planned_per_arm=planned).decision
    return decision.final and decision.differs


def found_by_peeking(control: np.ndarray, treatment: np.ndarray, look_every: int) -> bool:
    """Stopping at the first look whose interval excludes zero, as if each look were final."""
    return any(found(control[:n], treatment[:n], n) for n in range(look_every, len(control) + 1, look_every))


def share_found(rng: np.random.Generator, *, effect: float, planned: int, runs: int,
                look_every: int) -> tuple[float, float, float]:
    """(share found at the planned size, share found by peeking, mean per-student SD) over ``runs`` experiments."""
    at_plan = peeking = 0
    sds = []
    for _ in range(runs):
        control, treatment = simulated_values(rng, planned, 0.0), simulated_values(rng, planned, effect)
        at_plan += found(control, treatment, planned)
        peeking += found_by_peeking(control, treatment, look_every)
        sds.append(float(np.std(control, ddof=1)))
    return at_plan / runs, peeking / runs, float(np.mean(sds))


def simulate(*, effect: float = 0.05, runs: int = 200, planned: int, seed: int = 0, look_every: int = 100) -> dict:
    rng = np.random.default_rng(seed)
    power, power_peeking, sd = share_found(rng, effect=effect, planned=planned, runs=runs, look_every=look_every)
    false_positive, fp_peeking, _ = share_found(rng, effect=0.0, planned=planned, runs=runs, look_every=look_every)
    return {
        "analysis": "fixed-horizon, Welch 95 % interval on per-student next-item correctness minus prediction",
        "effect": effect, "runs_per_case": runs, "planned_per_arm": planned, "seed": seed,
        "power": power, "false_positive_rate": false_positive,
        "per_student_sd": round(sd, 4), "planned_size_for_80_percent_power": planned_size(effect, sd),
        "peeking": {"look_every": look_every, "power": power_peeking, "false_positive_rate": fp_peeking},
    }
