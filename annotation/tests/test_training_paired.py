"""The paired comparison the gate rests on: exact McNemar p-values and Newcombe's interval (pure)."""
from __future__ import annotations

import pytest

from annotation.training.paired import (
    mcnemar_exact, newcombe_paired_interval, paired_difference, smallest_detectable_loss,
)


@pytest.mark.parametrize("gains, losses, alternative, p", [
    (6, 0, "two-sided", 0.03125),
    (0, 6, "two-sided", 0.03125),
    (3, 3, "two-sided", 1.0),
    (0, 0, "two-sided", 1.0),
    (5, 0, "gain", 0.03125),
    (5, 0, "loss", 1.0),
    (1, 4, "loss", 0.1875),  # P(X <= 1), X ~ Bin(5, 1/2) = 6/32
    (8, 2, "two-sided", 0.109375),  # 2 * 56/1024
])
def test_mcnemar_exact_known_values(gains, losses, alternative, p):
    assert mcnemar_exact(gains=gains, losses=losses, alternative=alternative) == pytest.approx(p)


def test_mcnemar_rejects_bad_input_with_a_clear_error():
    with pytest.raises(ValueError, match="counts"):
        mcnemar_exact(gains=-1, losses=2)
    with pytest.raises(ValueError, match="alternative"):
        mcnemar_exact(gains=1, losses=2, alternative="greater")


def test_newcombe_interval_matches_the_published_example():
    # Newcombe (1998), Stat Med 17:2635, example with cells 36, 12, 2, 0: method 10 gives 0.0569 to 0.3404.
    low, high = newcombe_paired_interval(both=36, gains=12, losses=2, neither=0)
    assert (round(low, 4), round(high, 4)) == (0.0569, 0.3404)


def test_newcombe_interval_is_mirrored_bounded_and_narrows_with_more_pairs():
    low, high = newcombe_paired_interval(both=10, gains=2, losses=7, neither=11)
    mirrored = newcombe_paired_interval(both=10, gains=7, losses=2, neither=11)
    assert (low, high) == pytest.approx((-mirrored[1], -mirrored[0]))
    assert low < -5 / 30 < high
    assert newcombe_paired_interval(both=0, gains=30, losses=0, neither=0)[1] <= 1.0
    small = newcombe_paired_interval(both=5, gains=0, losses=0, neither=5)
    large = newcombe_paired_interval(both=50, gains=0, losses=0, neither=50)
    assert small[0] < large[0] < 0 < large[1] < small[1]


def test_paired_difference_counts_the_discordant_pairs():
    before = [True] * 10 + [False] * 20
    after = [True] * 8 + [False] * 2 + [True] * 5 + [False] * 15
    difference = paired_difference(before, after)
    assert (difference.n, difference.before_right, difference.after_right) == (30, 10, 13)
    assert (difference.gains, difference.losses, difference.difference_points) == (5, 2, 10.0)
    assert difference.ci_low_points < 10.0 < difference.ci_high_points
    assert difference.p_gain == pytest.approx(29 / 128)  # P(X <= 2), X ~ Bin(7, 1/2)
    with pytest.raises(ValueError, match="one to one"):
        paired_difference([True], [])


def test_the_smallest_detectable_loss_follows_the_set_size():
    assert smallest_detectable_loss(30, 0.05) == 5  # 1/32 <= 0.05 < 1/16
    assert smallest_detectable_loss(4, 0.05) is None
    assert smallest_detectable_loss(30, 0.01) == 7
