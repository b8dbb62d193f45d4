"""Comparing two versions on the same questions: the exact McNemar test and an interval for the difference (pure).

Both versions answer the same cases, so the evidence is in the discordant pairs: ``gains`` (wrong before, right
after) and ``losses`` (right before, wrong after). Under "no difference" each discordant pair is a fair coin,
so the exact McNemar test is a binomial test on them; cases both versions got right or both got wrong say
nothing about which is better.

The interval for the difference in accuracy (after minus before) is Newcombe's hybrid score interval for paired
proportions (Newcombe 1998, method 10): Wilson intervals for each accuracy, combined with the correlation of the
pairs. Unlike the Wald interval it stays inside [-1, 1] and is not degenerate when a cell is 0, which is the
usual case on a few dozen questions. Its one degenerate case is a set without discordant pairs, where method 10
gives a zero-width interval; there the bound used is the Wilson interval of the discordant share (0 of n),
since the difference can be no larger than that share.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from statistics import NormalDist
from typing import Literal, Sequence

Alternative = Literal["two-sided", "gain", "loss"]


def mcnemar_exact(*, gains: int, losses: int, alternative: Alternative = "two-sided") -> float:
    """The exact McNemar p-value. ``gain``: is the candidate better? ``loss``: is it worse?"""
    if gains < 0 or losses < 0:
        raise ValueError("gains and losses must be counts (0 or more)")
    if alternative not in ("two-sided", "gain", "loss"):
        raise ValueError(f"alternative must be two-sided, gain or loss, not {alternative!r}")
    n = gains + losses
    if n == 0:
        return 1.0
    if alternative == "gain":
        return _binomial_tail(n, losses)  # as few losses as this, or fewer
    if alternative == "loss":
        return _binomial_tail(n, gains)
    return min(1.0, 2 * _binomial_tail(n, min(gains, losses)))


def _binomial_tail(n: int, k: int) -> float:
    """P(X <= k) for X ~ Binomial(n, 1/2), exactly."""
    return sum(math.comb(n, i) for i in range(k + 1)) / 2**n


def smallest_detectable_loss(n: int, alpha: float) -> int | None:
    """The fewest lost questions out of ``n`` (none gained) that the one-sided test finds significant; None when
    even losing every one of them would not be."""
    _check_alpha(alpha)
    for losses in range(1, n + 1):
        if mcnemar_exact(gains=0, losses=losses, alternative="loss") <= alpha:
            return losses
    return None


def wilson_interval(right: int, n: int, z: float) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    p = right / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_paired_interval(*, both: int, gains: int, losses: int, neither: int,
                             confidence: float = 0.95) -> tuple[float, float]:
    """Interval for accuracy after minus accuracy before (fractions in [-1, 1])."""
    if min(both, gains, losses, neither) < 0:
        raise ValueError("the four cells must be counts (0 or more)")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    n = both + gains + losses + neither
    if n == 0:
        return -1.0, 1.0
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    if gains == losses == 0:
        bound = wilson_interval(0, n, z)[1]
        return -bound, bound
    before, after = (both + losses) / n, (both + gains) / n
    low_b, high_b = wilson_interval(both + losses, n, z)
    low_a, high_a = wilson_interval(both + gains, n, z)
    margins = (both + losses) * (gains + neither) * (both + gains) * (losses + neither)
    phi = (both * neither - gains * losses) / math.sqrt(margins) if margins else 0.0
    difference = after - before
    below = math.sqrt(max(0.0, (after - low_a) ** 2 - 2 * phi * (after - low_a) * (high_b - before)
                          + (high_b - before) ** 2))
    above = math.sqrt(max(0.0, (high_a - after) ** 2 - 2 * phi * (high_a - after) * (before - low_b)
                          + (before - low_b) ** 2))
    return max(-1.0, difference - below), min(1.0, difference + above)


@dataclass(frozen=True)
class PairedDifference:
    """One question set, both versions: counts, the difference in points with its interval, and p-values."""

    n: int
    before_right: int
    after_right: int
    gains: int
    losses: int
    difference_points: float
    ci_low_points: float
    ci_high_points: float
    confidence: float
    p_gain: float  # one-sided exact McNemar: is the candidate better?
    p_loss: float  # one-sided exact McNemar: is it worse?
    p_two_sided: float

    def as_dict(self) -> dict:
        return asdict(self)


def paired_difference(before: Sequence[bool], after: Sequence[bool], *, confidence: float = 0.95) -> PairedDifference:
    """``before[i]`` and ``after[i]``: whether each version got case ``i`` right (failed cases left out)."""
    if len(before) != len(after):
        raise ValueError(f"paired verdicts must match one to one: {len(before)} before, {len(after)} after")
    cells = {(True, True): 0, (False, True): 0, (True, False): 0, (False, False): 0}
    for pair in zip(before, after):
        cells[(bool(pair[0]), bool(pair[1]))] += 1
    both, gains, losses, neither = cells[True, True], cells[False, True], cells[True, False], cells[False, False]
    n = len(before)
    low, high = newcombe_paired_interval(both=both, gains=gains, losses=losses, neither=neither,
                                         confidence=confidence)
    return PairedDifference(
        n=n, before_right=both + losses, after_right=both + gains, gains=gains, losses=losses,
        difference_points=round(100.0 * (gains - losses) / n, 2) if n else 0.0,
        ci_low_points=round(100.0 * low, 2), ci_high_points=round(100.0 * high, 2), confidence=confidence,
        p_gain=mcnemar_exact(gains=gains, losses=losses, alternative="gain"),
        p_loss=mcnemar_exact(gains=gains, losses=losses, alternative="loss"),
        p_two_sided=mcnemar_exact(gains=gains, losses=losses),
    )


def _check_alpha(alpha: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError("the significance level must be between 0 and 1")
