"""Which answers a day's review budget goes to: the part that fixes, and the part that teaches (pure).

A course's budget is split, in a configurable ratio, in two:

- *fix*: the answers least likely to be right, so that teachers correct what students were wrongly told;
- *learn*: the answers whose verdict should teach the router most.

Each strategy below picks ``n`` of some candidate answers, given the router's probability that each is right
(and, for some, more about each answer), and returns their positions, best first. Every one is deterministic
under its ``rng``.

- ``random``: verdicts at random, the baseline every other strategy must beat;
- ``uncertainty``: the answers the router is least sure of, closest to p = 0.5 (its decision boundary);
- ``diverse``: among the ``shortlist × n`` least sure, one from each of ``n`` k-means clusters of the
  questions' embeddings, so that ten rewordings of one question do not take ten verdicts;
- ``model_change``: the largest expected change of the logistic model were its verdict known: the expected
  length of the log-loss gradient, 2·p·(1 − p)·‖x‖ over the standardised features and the bias.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LEARN_STRATEGIES = ("random", "uncertainty", "diverse", "model_change")
DIVERSE_SHORTLIST = 3  # candidates per pick that k-means spreads over (chosen on the tuning file)
KMEANS_ITERATIONS = 25
KMEANS_STARTS = 4  # k-means++ starts; the clustering with the least spread is kept


@dataclass(frozen=True)
class BudgetSplit:
    fix: int
    learn: int


def split_budget(reviews: int, learn_share: float) -> BudgetSplit:
    """``reviews`` split in two; an odd slot goes to *fix*, so a budget of 1 is never spent only on learning
    unless ``learn_share`` is 1."""
    if reviews < 0:
        raise ValueError(f"a budget is at least 0 reviews; got {reviews}")
    if not 0.0 <= learn_share <= 1.0:
        raise ValueError(f"expected a learn share from 0 to 1; got {learn_share}")
    learn = math.floor(reviews * learn_share + 1e-9)
    return BudgetSplit(fix=reviews - learn, learn=learn)


def boundary_distance(p: np.ndarray) -> np.ndarray:
    """How far each answer is from the router's decision boundary: 0 at p = 0.5, 0.5 when it is sure."""
    return np.abs(np.asarray(p, dtype=float) - 0.5)


def pick_least_likely(p: np.ndarray, n: int) -> list[int]:
    """*fix*: the ``n`` answers least likely to be right."""
    return [int(i) for i in np.argsort(np.asarray(p, dtype=float), kind="stable")[:max(n, 0)]]


def pick_random(count: int, n: int, rng: np.random.Generator) -> list[int]:
    return [int(i) for i in rng.permutation(count)[:max(n, 0)]]


def pick_uncertain(p: np.ndarray, n: int) -> list[int]:
    return [int(i) for i in np.argsort(boundary_distance(p), kind="stable")[:max(n, 0)]]


def pick_diverse(p: np.ndarray, embeddings: np.ndarray, n: int, rng: np.random.Generator, *,
                 shortlist: int = DIVERSE_SHORTLIST) -> list[int]:
    """The least sure answer of each of ``n`` clusters of the ``shortlist × n`` least sure answers."""
    if n <= 0:
        return []
    candidates = np.array(pick_uncertain(p, shortlist * n), dtype=int)
    if len(candidates) <= n:
        return [int(i) for i in candidates]
    labels = kmeans_labels(np.asarray(embeddings, dtype=float)[candidates], n, rng)
    distance = boundary_distance(p)[candidates]
    picks = [int(candidates[members[np.argmin(distance[members])]])
             for members in (np.flatnonzero(labels == k) for k in range(n)) if len(members)]
    return sorted(picks, key=lambda i: (boundary_distance(p)[i], i))


def pick_model_change(p: np.ndarray, standardised: np.ndarray, n: int) -> list[int]:
    """``standardised``: one row per answer, the features as the model sees them (before the bias)."""
    p = np.asarray(p, dtype=float)
    x = np.asarray(standardised, dtype=float)
    gradient = 2.0 * p * (1.0 - p) * np.sqrt(1.0 + np.sum(x * x, axis=1))
    return [int(i) for i in np.argsort(-gradient, kind="stable")[:max(n, 0)]]


def pick_to_learn(strategy: str, p: np.ndarray, n: int, rng: np.random.Generator, *,
                  embeddings: np.ndarray | None = None, standardised: np.ndarray | None = None) -> list[int]:
    """*learn*: ``n`` answers by one of LEARN_STRATEGIES."""
    if strategy == "random":
        return pick_random(len(p), n, rng)
    if strategy == "uncertainty":
        return pick_uncertain(p, n)
    if strategy == "diverse":
        if embeddings is None:
            raise ValueError("the diverse strategy needs the questions' embeddings")
        return pick_diverse(p, embeddings, n, rng)
    if strategy == "model_change":
        if standardised is None:
            raise ValueError("the model_change strategy needs the standardised features")
        return pick_model_change(p, standardised, n)
    raise ValueError(f"unknown learn strategy {strategy!r}; expected one of {', '.join(LEARN_STRATEGIES)}")


def kmeans_labels(points: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """The cluster (0..k-1) of each row of ``points``: the best of KMEANS_STARTS runs of Lloyd's k-means."""
    k = min(k, len(points))
    runs = [_lloyd(points, k, rng) for _ in range(KMEANS_STARTS)]
    return min(runs, key=lambda labels: _spread(points, labels))


def _spread(points: np.ndarray, labels: np.ndarray) -> float:
    return float(sum(np.sum((points[labels == c] - points[labels == c].mean(axis=0)) ** 2)
                     for c in np.unique(labels)))


def _lloyd(points: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    centres = _kmeans_plus_plus(points, k, rng)
    labels = np.zeros(len(points), dtype=int)
    for _ in range(KMEANS_ITERATIONS):
        labels = np.argmin(_squared_distances(points, centres), axis=1)
        moved = np.array([points[labels == c].mean(axis=0) if np.any(labels == c) else centres[c]
                          for c in range(k)])
        if np.allclose(moved, centres):
            break
        centres = moved
    return labels


def _kmeans_plus_plus(points: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    centres = [points[rng.integers(len(points))]]
    for _ in range(1, k):
        nearest = np.min(_squared_distances(points, np.array(centres)), axis=1)
        total = nearest.sum()
        # All points already coincide with a centre: any point will do (a duplicate centre stays empty).
        chosen = rng.integers(len(points)) if total <= 0 else rng.choice(len(points), p=nearest / total)
        centres.append(points[chosen])
    return np.array(centres)


def _squared_distances(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    return np.sum((points[:, None, :] - centres[None, :, :]) ** 2, axis=2)
