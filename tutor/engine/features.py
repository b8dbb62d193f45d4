"""Confidence features from per-token statistics, without torch (shared by the local and the HTTP engines).

The local engine sees the whole distribution at each step; an OpenAI-compatible server only returns the
chosen token's log-probability and the ``top_logprobs`` best alternatives. ``topk_entropy`` is the entropy of
those k renormalised, an approximation of the full entropy: it ignores the tail, so it is at most log k and
usually below the true entropy when the tail holds much probability. Where the top k hold nearly all the mass
(a small model's confident tokens) the two agree closely; on flat distributions it underestimates.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from .types import ConfidenceFeatures

# A log-probability a server could not express (-inf, NaN, or a -9999-style sentinel) counts as this.
FLOOR_LOGPROB = -100.0


@dataclass
class ConfidenceAccumulator:
    """Running sums for one sequence; cheap to update once per generated token."""

    sum_log_prob: float = 0.0
    min_log_prob: float = math.inf
    sum_entropy: float = 0.0
    n_tokens: int = 0

    def add(self, log_prob: float, entropy: float) -> None:
        self.sum_log_prob += log_prob
        self.min_log_prob = min(self.min_log_prob, log_prob)
        self.sum_entropy += entropy
        self.n_tokens += 1

    def features(self) -> ConfidenceFeatures:
        if self.n_tokens == 0:
            # No evidence at all; zeros keep the features JSON-serialisable.
            return ConfidenceFeatures(mean_logprob=0.0, min_logprob=0.0, mean_entropy=0.0, n_tokens=0)
        return ConfidenceFeatures(
            mean_logprob=self.sum_log_prob / self.n_tokens,
            min_logprob=self.min_log_prob,
            mean_entropy=self.sum_entropy / self.n_tokens,
            n_tokens=self.n_tokens,
        )


def clean_logprob(value: object) -> float:
    """A server's log-probability as a finite float in [FLOOR_LOGPROB, 0]; ValueError if it is not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"a log-probability must be a number, not {value!r}")
    if math.isnan(value):
        return FLOOR_LOGPROB
    return min(0.0, max(FLOOR_LOGPROB, float(value)))


def topk_entropy(logprobs: Iterable[float]) -> float:
    """Entropy in nats of the distribution over the given tokens alone, renormalised (see the module docstring)."""
    values = [clean_logprob(value) for value in logprobs]
    if len(values) < 2:
        return 0.0
    top = max(values)
    weights = [math.exp(value - top) for value in values]  # shifted: no underflow for very unlikely tokens
    total = sum(weights)
    return -sum((w / total) * math.log(w / total) for w in weights if w > 0)
