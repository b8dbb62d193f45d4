"""Token-probability features and the confidence derived from them."""
from __future__ import annotations

import math

import pytest
import torch

from tutor.engine.confidence import ConfidenceAccumulator, features_from_steps, step_statistics
from tutor.engine.types import confidence_from_features


def test_uniform_distribution_has_maximal_entropy():
    log_prob, entropy = step_statistics(torch.zeros(2, 50), torch.tensor([3, 7]))
    assert torch.allclose(log_prob, torch.full((2,), -math.log(50)))
    assert torch.allclose(entropy, torch.full((2,), math.log(50)))


def test_certain_choice_has_zero_logprob_and_entropy_even_with_minus_infinity():
    logits = torch.full((1, 10), -math.inf)
    logits[0, 4] = 5.0
    log_prob, entropy = step_statistics(logits, torch.tensor([4]))
    assert log_prob.item() == 0.0
    assert entropy.item() == 0.0


def test_bfloat16_logits_are_scored_in_float32():
    logits = torch.randn(3, 100).to(torch.bfloat16)
    log_prob, entropy = step_statistics(logits, torch.tensor([0, 1, 2]))
    assert log_prob.dtype == entropy.dtype == torch.float32


def test_features_aggregate_mean_min_and_entropy():
    torch.manual_seed(0)
    steps = [torch.randn(30) * 3 for _ in range(6)]
    chosen = [int(step.argmax()) if i % 2 else 0 for i, step in enumerate(steps)]
    features = features_from_steps(steps, chosen)
    log_probs = [float(torch.log_softmax(s, -1)[c]) for s, c in zip(steps, chosen)]
    assert features.n_tokens == 6
    assert features.mean_logprob == pytest.approx(sum(log_probs) / 6, abs=1e-6)
    assert features.min_logprob == pytest.approx(min(log_probs), abs=1e-6)
    assert 0.0 <= features.mean_entropy <= math.log(30)
    assert 0.0 <= confidence_from_features(features) <= 1.0


def test_no_tokens_gives_zero_confidence_and_finite_features():
    features = ConfidenceAccumulator().features()
    assert features.n_tokens == 0
    assert all(math.isfinite(value) for value in features.as_dict().values())
    assert confidence_from_features(features) == 0.0
