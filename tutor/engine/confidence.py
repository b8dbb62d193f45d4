"""Token-probability features of a generated answer (torch only, no Django).

Each decode step yields the logits over the vocabulary and the chosen token;
from them we keep the chosen token's log-probability and the entropy of the
whole distribution, and aggregate those into ``ConfidenceFeatures``.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import torch

from .features import ConfidenceAccumulator
from .types import ConfidenceFeatures, confidence_from_features


def step_statistics(logits: torch.Tensor, chosen: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per row of ``logits`` (batch, vocab): log p(chosen) and the entropy in nats.

    Computed in float32 whatever the model's dtype, so that bfloat16 models do
    not produce coarse probabilities.
    """
    log_probs = torch.log_softmax(logits.float(), dim=-1)
    chosen_log_prob = log_probs.gather(-1, chosen.reshape(-1, 1).to(log_probs.device)).squeeze(-1)
    probs = log_probs.exp()
    # p * log p is 0 where p underflows to 0 (log p may be -inf there).
    plogp = torch.where(probs > 0, probs * log_probs, torch.zeros_like(probs))
    return chosen_log_prob, -plogp.sum(dim=-1)


def features_from_steps(step_logits: Iterable[torch.Tensor], chosen_ids: Sequence[int]) -> ConfidenceFeatures:
    """Features of one sequence from its per-step logits (each of shape (vocab,))."""
    accumulator = ConfidenceAccumulator()
    for logits, token_id in zip(step_logits, chosen_ids, strict=True):
        log_prob, entropy = step_statistics(logits.reshape(1, -1), torch.tensor([token_id]))
        accumulator.add(float(log_prob), float(entropy))
    return accumulator.features()


def confidence_of(features: ConfidenceFeatures) -> float:
    """The prior confidence in [0, 1] (see ``types.confidence_from_features``)."""
    return confidence_from_features(features)
