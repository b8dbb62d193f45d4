"""Adaptive item selection over an item bank: "diagnose" and "practice" modes.

Pure module (numpy only, no Django).  ``ItemBank`` holds the bank as arrays (item parameters and
an items x slots matrix of belief dimensions, see ``model.ArrayModel``), so that scoring 10,000
items is a handful of vectorised numpy operations, never a Python loop over items.

The student's uncertainty (``uncertainty``)
    The mean, over the bank's items, of the variance of the item's logit under the student's
    belief: sum_d load_d * var_d, with load_d = mean_i a_i^2 w_id^2.  It is the uncertainty
    that matters for predicting the student on this bank: a skill the bank barely uses counts
    little, the general ability (loaded by every item) counts a lot.

Diagnose (``select_diagnose``)
    Picks the item whose answer is expected to reduce that uncertainty most.  Under the model's
    update (an extended-Kalman step) the posterior variance of dimension d after an attempt at
    item i is the same whatever the answer, so the expected reduction is exact::

        reduction_i = sum_d load_d * (var_d x_id)^2 h_i / (1 + h_i v_i),  h_i = p_i (1 - p_i)

    with x_id = a_i w_id and v_i the logit variance.  Informative items are therefore those
    predicted near 50 % (large h), discriminating (large a) and loading on uncertain,
    much-used dimensions.  The tests check the choice against a brute-force exact-Bayes
    computation of the expected posterior variance on a grid.

Practice (``select_practice``)
    A skill is *mastered* when the predicted success on a typical item of that skill (median
    discrimination and difficulty of its items), with the uncertainty averaged in, reaches
    ``mastery_level``; an uncertain belief predicts nearer 50 %, so mastery needs evidence.
    Eligible skills are the unmastered skills whose prerequisites are all mastered.  Among the
    items that train an eligible skill and need no skill beyond eligible or mastered ones, it
    picks the one whose predicted success is nearest ``target`` (0.7: hard enough to learn
    from, easy enough to keep going).  When nothing is eligible (everything mastered, or a
    prerequisite cycle) it falls back to review: the same rule over the whole bank.

Neither mode proposes the item just answered (``StudentState.last_item`` unless given).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from learning.knowledge.model import (
    GENERAL, ArrayModel, KnowledgeModel, StudentState, predictive_probability,
)


@dataclass(frozen=True)
class Choice:
    item_id: str
    mode: str  # "diagnose", "practice" or "review"
    predicted_success: float
    score: float  # expected uncertainty reduction (diagnose) or |predicted - target| (practice)
    position: int  # index of the item in the bank


def _medians_by_skill(membership, values: np.ndarray) -> np.ndarray:
    """Per skill, the median of ``values`` over the items tagged with it (NaN when none)."""
    columns = membership.tocsc()
    result = np.full(columns.shape[1], np.nan)
    for dim in range(columns.shape[1]):
        tagged = columns.indices[columns.indptr[dim]:columns.indptr[dim + 1]]
        if len(tagged):
            result[dim] = np.median(values[tagged])
    return result


def _sparse_rows(arrays: ArrayModel, values: np.ndarray):
    from scipy.sparse import csr_matrix

    rows = np.repeat(np.arange(len(arrays.dims)), arrays.dims.shape[1])
    keep = arrays.weights.ravel() > 0
    shape = (len(arrays.dims), len(arrays.mu0))
    return csr_matrix((values.ravel()[keep], (rows[keep], arrays.dims.ravel()[keep])), shape=shape)


@dataclass(frozen=True)
class ItemBank:
    """The selectable items of a model; build once per calibration and share it read-only.

    The bank is held as sparse items x dimensions matrices, so that scoring all items is a few
    sparse matrix-vector products: ``loading`` (a_i w_id), ``loading_sq`` (its square) and
    ``membership`` (1 where item i is tagged with skill d)."""

    item_ids: tuple[str, ...]
    arrays: ArrayModel
    position: Mapping[str, int]
    dimension: Mapping[str, int]
    loading: object
    loading_sq: object
    membership: object
    noise: np.ndarray  # process noise added to each dimension's variance before an attempt
    loads: np.ndarray
    reference_discrimination: np.ndarray
    reference_difficulty: np.ndarray

    @classmethod
    def from_model(cls, model: KnowledgeModel, item_ids: Iterable[str] | None = None) -> ItemBank:
        item_ids = tuple(model.items if item_ids is None else item_ids)
        return cls.from_arrays(item_ids, model.to_arrays(item_ids))

    @classmethod
    def from_arrays(cls, item_ids: Sequence[str], arrays: ArrayModel) -> ItemBank:
        loading = _sparse_rows(arrays, arrays.discrimination[:, None] * arrays.weights)
        skill = arrays.dims < arrays.general_dim
        membership = _sparse_rows(replace(arrays, weights=arrays.weights * skill), np.ones(arrays.dims.shape))
        membership = membership[:, :arrays.general_dim].tocsr()
        noise = np.where(np.arange(len(arrays.mu0)) < arrays.general_dim, arrays.process_noise, 0.0)
        dimension = {**{k: d for d, k in enumerate(arrays.skills)}, GENERAL: arrays.general_dim}
        loading_sq = loading.multiply(loading).tocsr()
        loads = np.asarray(loading_sq.mean(axis=0)).ravel()
        return cls(tuple(item_ids), arrays, {i: n for n, i in enumerate(item_ids)}, dimension, loading, loading_sq,
                   membership, noise, loads, _medians_by_skill(membership, arrays.discrimination),
                   _medians_by_skill(membership, arrays.difficulty))

    def subset(self, positions: np.ndarray) -> ItemBank:
        """A bank of some of these items (the loads are recomputed for them)."""
        a = self.arrays
        sliced = replace(a, dims=a.dims[positions], weights=a.weights[positions],
                         discrimination=a.discrimination[positions], difficulty=a.difficulty[positions])
        return ItemBank.from_arrays([self.item_ids[p] for p in positions], sliced)

    def beliefs(self, state: StudentState) -> tuple[np.ndarray, np.ndarray]:
        """The state as (mu, var) vectors over the bank's dimensions (priors where unpractised)."""
        mu, var = self.arrays.mu0.copy(), self.arrays.var0.copy()
        dims = self.dimension
        for skill, estimate in state.estimates.items():
            if skill in dims:
                mu[dims[skill]], var[dims[skill]] = estimate.mu, estimate.var
        return mu, var


def _item_moments(bank: ItemBank, mu: np.ndarray, var: np.ndarray):
    attempt_var = var + bank.noise
    logit_var = bank.loading_sq @ attempt_var
    p = predictive_probability(bank.loading @ mu - bank.arrays.difficulty, logit_var)
    return attempt_var, logit_var, p


def predicted_success(bank: ItemBank, mu: np.ndarray, var: np.ndarray) -> np.ndarray:
    """P(correct) for every item of the bank (the same number ``KnowledgeModel.predict`` gives)."""
    return _item_moments(bank, mu, var)[2]


def uncertainty(bank: ItemBank, mu: np.ndarray, var: np.ndarray) -> float:
    """Mean logit variance over the bank's items under the belief (see the module docstring)."""
    return float(bank.loads @ var)


def expected_reduction(bank: ItemBank, mu: np.ndarray, var: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(predicted success, expected reduction of ``uncertainty``) for every item of the bank."""
    attempt_var, logit_var, p = _item_moments(bank, mu, var)
    h = p * (1 - p)
    return p, (bank.loading_sq @ (attempt_var**2 * bank.loads)) * h / (1 + h * logit_var)


def _selectable(bank: ItemBank, last_item: str | None, allowed: np.ndarray | None) -> np.ndarray:
    mask = np.ones(len(bank.item_ids), dtype=bool) if allowed is None else allowed.copy()
    if last_item in bank.position:
        mask[bank.position[last_item]] = False
    return mask


def items_of_skill(bank: ItemBank, skill: str) -> np.ndarray | None:
    """A mask of the items tagged with ``skill``; None when the bank has no such skill."""
    column = bank.dimension.get(skill)
    if column is None or column >= bank.arrays.general_dim:
        return None
    return np.asarray(bank.membership[:, column].todense()).ravel() > 0


def select_diagnose(bank: ItemBank, state: StudentState, *, last_item: str | None = None,
                    allowed: np.ndarray | None = None) -> Choice | None:
    """The item expected to reduce the uncertainty about the student most (None if none is left)."""
    mask = _selectable(bank, last_item or state.last_item, allowed)
    if not mask.any():
        return None
    p, reduction = expected_reduction(bank, *bank.beliefs(state))
    best = int(np.argmax(np.where(mask, reduction, -np.inf)))
    return Choice(bank.item_ids[best], "diagnose", float(p[best]), float(reduction[best]), best)


@dataclass(frozen=True)
class Prerequisites:
    """Prerequisite edges over a bank's skills, as (skill dim, prerequisite dim) arrays."""

    skill: np.ndarray
    required: np.ndarray

    @classmethod
    def compile(cls, bank: ItemBank, prerequisites: Mapping[str, Iterable[str]]) -> Prerequisites:
        """Edges naming a skill with no item in the bank are dropped: nothing could master it."""
        index = {k: d for d, k in enumerate(bank.arrays.skills)}
        edges = [(index[s], index[r]) for s, rs in prerequisites.items() for r in rs if s in index and r in index]
        pairs = np.array(edges, dtype=np.int64).reshape(-1, 2)
        return cls(pairs[:, 0], pairs[:, 1])


def mastery(bank: ItemBank, mu: np.ndarray, var: np.ndarray) -> np.ndarray:
    """Per skill, predicted success on a typical item of it (NaN for a skill with no items)."""
    general = bank.arrays.general_dim
    skills = slice(0, general)
    a, b = bank.reference_discrimination, bank.reference_difficulty
    ability, ability_var = mu[skills] + mu[general], var[skills] + var[general]
    return predictive_probability(a * ability - b, a**2 * ability_var)


def mastery_by_skill(bank: ItemBank, state: StudentState) -> dict[str, float]:
    """{skill: predicted success on a typical item of it}, e.g. for a student's progress page."""
    values = mastery(bank, *bank.beliefs(state))
    return {k: float(v) for k, v in zip(bank.arrays.skills, values) if not np.isnan(v)}


def eligible_skills(bank: ItemBank, mastered: np.ndarray, prerequisites: Prerequisites) -> np.ndarray:
    unmet = np.bincount(prerequisites.skill, ~mastered[prerequisites.required], len(mastered)) > 0
    return ~mastered & ~unmet & ~np.isnan(bank.reference_difficulty)


def _practice_candidates(bank: ItemBank, mastered: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Items that train an eligible skill and need no skill that is neither eligible nor mastered."""
    trains = bank.membership @ eligible.astype(float) > 0
    blocked = bank.membership @ (~(eligible | mastered)).astype(float) > 0
    return trains & ~blocked


def select_practice(bank: ItemBank, state: StudentState, prerequisites: Prerequisites, *, target: float = 0.7,
                    mastery_level: float = 0.8, last_item: str | None = None,
                    allowed: np.ndarray | None = None) -> Choice | None:
    """The item of an eligible skill whose predicted success is nearest ``target`` (see module doc), among the
    ``allowed`` items when given (``items_of_skill``: practice on one skill)."""
    mu, var = bank.beliefs(state)
    mastered = mastery(bank, mu, var) >= mastery_level
    selectable = _selectable(bank, last_item or state.last_item, allowed)
    candidates = selectable & _practice_candidates(bank, mastered, eligible_skills(bank, mastered, prerequisites))
    mode = "practice" if candidates.any() else "review"
    candidates = candidates if candidates.any() else selectable
    if not candidates.any():
        return None
    p = predicted_success(bank, mu, var)
    distance = np.where(candidates, np.abs(p - target), np.inf)
    best = int(np.argmin(distance))
    return Choice(bank.item_ids[best], mode, float(p[best]), float(distance[best]), best)
