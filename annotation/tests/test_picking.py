import numpy as np
import pytest

from annotation.router.picking import (
    LEARN_STRATEGIES, BudgetSplit, kmeans_labels, pick_diverse, pick_least_likely, pick_model_change,
    pick_to_learn, pick_uncertain, split_budget,
)
from learning.tests.fake_encoder import HashingEncoder


@pytest.mark.parametrize("reviews, share, split", [
    (0, 0.5, BudgetSplit(0, 0)),
    (1, 0.5, BudgetSplit(1, 0)),  # the odd slot fixes
    (1, 1.0, BudgetSplit(0, 1)),
    (1, 0.0, BudgetSplit(1, 0)),
    (7, 0.5, BudgetSplit(4, 3)),
    (10, 0.3, BudgetSplit(7, 3)),  # 10 x 0.3 is 2.9999...: still 3 learn slots
    (10, 1.0, BudgetSplit(0, 10)),
])
def test_the_budget_splits_at_its_edges(reviews, share, split):
    assert split_budget(reviews, share) == split
    assert split.fix + split.learn == reviews


@pytest.mark.parametrize("reviews, share", [(-1, 0.5), (5, -0.1), (5, 1.5)])
def test_a_bad_split_is_refused(reviews, share):
    with pytest.raises(ValueError, match="budget|share"):
        split_budget(reviews, share)


def test_fix_takes_the_least_likely_right_and_uncertainty_the_closest_to_the_boundary():
    p = np.array([0.9, 0.05, 0.52, 0.3, 0.45, 0.7])
    assert pick_least_likely(p, 2) == [1, 3]
    assert pick_uncertain(p, 2) == [2, 4]
    assert pick_least_likely(p, 0) == [] and pick_uncertain(p, 0) == []


def test_model_change_prefers_unsure_answers_with_unusual_features():
    p = np.array([0.5, 0.5, 0.99])
    standardised = np.array([[0.0, 0.0], [3.0, -2.0], [5.0, 5.0]])
    assert pick_model_change(p, standardised, 3) == [1, 0, 2]


def _near_copies():
    """Six wordings of each of three questions, all about as uncertain, the copies of one question first."""
    topics = ["add the fractions one half and one third", "which gas do plants take in for photosynthesis",
              "what is the denominator of three quarters"]
    questions = [f"{t} {suffix}" for t in topics for suffix in ("please", "now", "again", "today", "quickly", "ok")]
    p = np.array([0.5 + 0.001 * i for i in range(len(questions))])
    return questions, p, HashingEncoder().encode(questions)


def test_diverse_picks_spread_over_the_question_clusters():
    questions, p, embeddings = _near_copies()
    assert pick_uncertain(p, 3) == [0, 1, 2]  # one question's copies: three verdicts on one question
    picks = pick_diverse(p, embeddings, 3, np.random.default_rng(0), shortlist=6)
    assert len(picks) == 3
    assert len({questions[i].rsplit(" ", 1)[0] for i in picks}) == 3  # one of each question


def test_kmeans_separates_clear_clusters():
    rng = np.random.default_rng(1)
    points = np.concatenate([rng.normal(centre, 0.05, size=(10, 2)) for centre in (0.0, 5.0, 10.0)])
    labels = kmeans_labels(points, 3, np.random.default_rng(0))
    assert {len(set(labels[k * 10:(k + 1) * 10])) for k in range(3)} == {1}
    assert len(set(labels)) == 3


@pytest.mark.parametrize("strategy", LEARN_STRATEGIES)
def test_every_strategy_is_deterministic_under_a_seed(strategy):
    rng = np.random.default_rng(5)
    p = rng.random(60)
    extra = {"embeddings": rng.normal(size=(60, 8)), "standardised": rng.normal(size=(60, 4))}
    first = pick_to_learn(strategy, p, 7, np.random.default_rng(42), **extra)
    again = pick_to_learn(strategy, p, 7, np.random.default_rng(42), **extra)
    assert first == again and len(set(first)) == 7 and all(0 <= i < 60 for i in first)


def test_random_picks_change_with_the_seed_and_a_strategy_needs_its_inputs():
    p = np.linspace(0, 1, 50)
    assert pick_to_learn("random", p, 5, np.random.default_rng(1)) != pick_to_learn(
        "random", p, 5, np.random.default_rng(2))
    with pytest.raises(ValueError, match="embeddings"):
        pick_to_learn("diverse", p, 5, np.random.default_rng(0))
    with pytest.raises(ValueError, match="standardised"):
        pick_to_learn("model_change", p, 5, np.random.default_rng(0))
    with pytest.raises(ValueError, match="unknown learn strategy"):
        pick_to_learn("entropy", p, 5, np.random.default_rng(0))
