"""Calibration: item parameters and priors fitted from all attempts with scikit-learn (pure: no Django).

See model.py for the model these parameters feed.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import numpy as np

from learning.knowledge.model import (
    ArrayModel, AttemptLog, ColdStart, ItemParams, KnowledgeModel, SkillParams, hint_difficulty, occurrences_before,
    replay, student_pairs,
)

# ---------------------------------------------------------------- calibration
# Column scales set each block's prior standard deviation: sklearn's L2 penalty is a unit-Gaussian
# prior on the fitted coefficient, and a column scaled by s makes it N(0, s^2) on the parameter.
_SCALE = {"ability": 1.0, "item": 2.0, "skill": 2.0, "learning": 1.0, "hint": 10.0, "slope": 0.3, "global": 10.0}
_VAR_FACTORS = (0.25, 0.5, 1.0, 2.0, 4.0)
_NOISE_GRID = (0.0, 0.003, 0.01, 0.03, 0.1)


def encode_attempts(attempts: Iterable[tuple[str, str, object]]) -> tuple[AttemptLog, list[str], list[str]]:
    """(student, item, correct) triples in time order -> an AttemptLog, student ids, item ids."""
    students, items, codes = {}, {}, []
    for student, item, correct in attempts:
        codes.append((students.setdefault(student, len(students)), items.setdefault(item, len(items)), bool(correct)))
    table = np.array(codes, dtype=np.int64).reshape(-1, 3)
    table = table[np.argsort(table[:, 0], kind="stable")]  # group by student, keep time order
    return AttemptLog(table[:, 0], table[:, 1], table[:, 2].astype(float)), list(students), list(items)


def calibrate(attempts: Iterable[tuple[str, str, object]], item_skills: Mapping[str, Sequence[str]],
              hints: Mapping[str, object] | None = None, *, tune: bool = True, seed: int = 0) -> KnowledgeModel:
    """Fit a model from all attempts ((student, item, correct), in time order per student).

    ``item_skills`` must cover every attempted item; items in it never attempted are cold-started
    from their ``hints`` (see ``hint_difficulty``)."""
    log, _, attempted = encode_attempts(attempts)
    item_ids = list(dict.fromkeys([*attempted, *item_skills]))
    hint_b = [hint_difficulty((hints or {}).get(i)) for i in item_ids]
    return calibrate_log(log, item_ids, [item_skills[i] for i in item_ids], hint_b, tune=tune, seed=seed)


def _sparse(rows, cols, values, shape):
    from scipy.sparse import csr_matrix

    return csr_matrix((values, (rows, cols)), shape=shape)


def _blocks(log: AttemptLog, arrays: ArrayModel, hints: np.ndarray) -> dict:
    """Sparse feature blocks of the first fit (see the module docstring)."""
    n, n_skills, n_items = len(log), len(arrays.skills), len(arrays.difficulty)
    pairs, _ = student_pairs(log, arrays)
    dims, weights = arrays.dims[log.item], arrays.weights[log.item]
    rows = np.repeat(np.arange(n), dims.shape[1]).reshape(dims.shape)
    real, skill = weights > 0, (weights > 0) & (dims < n_skills)
    practice = np.log1p(occurrences_before(pairs.ravel()).reshape(pairs.shape))
    has_hint = ~np.isnan(hints[log.item])
    return {
        "ability": _sparse(rows[real], pairs[real], weights[real], (n, pairs.max() + 1)),
        "item": _sparse(np.arange(n), log.item, np.ones(n), (n, n_items)),
        "skill": _sparse(rows[skill], dims[skill], weights[skill], (n, n_skills)),
        "learning": _sparse(rows[skill], dims[skill], (weights * practice)[skill], (n, n_skills)),
        "hint": np.c_[np.where(has_hint, hints[log.item], 0.0), has_hint],
    }


def _fit_blocks(blocks: dict, correct: np.ndarray) -> tuple[dict, float]:
    """One L2 logistic regression over the blocks; returns each block's coefficients and the intercept."""
    from scipy.sparse import hstack
    from sklearn.linear_model import LogisticRegression

    names = list(blocks)
    design = hstack([blocks[k] * _SCALE[k] for k in names], format="csr")
    # newton-cg: a few Hessian-free Newton steps; L-BFGS needs hundreds of iterations on this design.
    fitted = LogisticRegression(C=1.0, solver="newton-cg", tol=1e-4, max_iter=200).fit(design, correct)
    bounds = np.cumsum([0] + [blocks[k].shape[1] for k in names])
    coef = fitted.coef_[0]
    return {k: coef[bounds[j]:bounds[j + 1]] * _SCALE[k] for j, k in enumerate(names)}, float(fitted.intercept_[0])


def _difficulties(coef: dict, intercept: float, hints: np.ndarray) -> np.ndarray:
    hint_term = np.where(np.isnan(hints), 0.0, hints) * coef["hint"][0] + ~np.isnan(hints) * coef["hint"][1]
    return -(intercept + coef["item"] + hint_term)


def _discriminations(log: AttemptLog, blocks: dict, first: dict, hints: np.ndarray):
    """Second fit: per-item slope on the first fit's ability (a = global slope + shrunk deviation)."""
    ability = sum(blocks[k] @ first[k] for k in ("ability", "skill", "learning"))
    n, n_items = len(log), blocks["item"].shape[1]
    second, intercept = _fit_blocks({
        "slope": _sparse(np.arange(n), log.item, ability, (n, n_items)), "item": blocks["item"],
        "global": ability[:, None], "hint": blocks["hint"],
    }, log.correct)
    slopes = np.clip(second["global"][0] + second["slope"], 0.2, 4.0)
    hinted, (hint_slope, hint_offset) = ~np.isnan(hints), second["hint"]
    typical_slope = float(np.clip(second["global"][0], 0.2, 4.0))
    cold = ColdStart(-intercept, -intercept - hint_offset, -hint_slope, typical_slope)
    if not hinted.any():  # nothing to calibrate hints on: take them at face value around the average item
        cold = replace(cold, hint_intercept=-intercept, hint_slope=1.0)
    return slopes, _difficulties(second, intercept, hints), cold


def _starting_variances(log: AttemptLog, arrays: ArrayModel, abilities: np.ndarray) -> tuple[float, float, float]:
    """Twice the spread of the fitted (shrunk, hence too narrow) abilities: where tuning starts."""
    _, pair_dim = student_pairs(log, arrays)
    general, skill = pair_dim == arrays.general_dim, pair_dim < arrays.general_dim
    spread = lambda values, floor: max(float(np.var(values)) if len(values) > 1 else floor, floor)  # noqa: E731
    return 2 * spread(abilities[general], 0.05), 2 * spread(abilities[skill], 0.02), 0.0


def _tuning_log(log: AttemptLog, limit: int, seed: int) -> AttemptLog:
    students = np.unique(log.student)
    if len(students) > limit:
        students = np.random.default_rng(seed).choice(students, limit, replace=False)
    return log.take(np.flatnonzero(np.isin(log.student, students)))


def _log_loss(arrays: ArrayModel, log: AttemptLog) -> float:
    p = np.clip(replay(arrays, log), 1e-6, 1 - 1e-6)
    return float(-np.mean(log.correct * np.log(p) + (1 - log.correct) * np.log(1 - p)))


def _with_priors(arrays: ArrayModel, var_general: float, var_skill: float, noise: float) -> ArrayModel:
    var0 = np.full(len(arrays.var0), var_skill)
    var0[arrays.general_dim], var0[-1] = var_general, 0.0
    return replace(arrays, var0=var0, process_noise=noise)


def tune_priors(arrays: ArrayModel, log: AttemptLog, start: tuple[float, float, float]) -> tuple[float, float, float]:
    """(general var, skill var, process noise) by coordinate search on the online replay's log-loss."""
    best = list(start)
    grids = [[start[0] * f for f in _VAR_FACTORS], [start[1] * f for f in _VAR_FACTORS], list(_NOISE_GRID)]
    for position, grid in enumerate(grids):
        def loss(value):
            trial = best[:position] + [value] + best[position + 1:]
            return _log_loss(_with_priors(arrays, *trial), log)

        best[position] = min(grid, key=loss)
    return tuple(best)


def _with_variances(model: KnowledgeModel, var_general: float, var_skill: float, noise: float) -> KnowledgeModel:
    skills = {k: replace(s, var=var_skill) for k, s in model.skills.items()}
    return replace(model, skills=skills, general=replace(model.general, var=var_general),
                   default_skill=replace(model.default_skill, var=var_skill), process_noise=noise)


def calibrate_log(log: AttemptLog, item_ids: Sequence[str], item_skills: Sequence[Sequence[str]],
                  hints: Sequence[float | None] | None = None, *, tune: bool = True, seed: int = 0,
                  tune_students: int = 1000) -> KnowledgeModel:
    """``calibrate`` on already-encoded attempts (``log.item`` indexes ``item_ids``)."""
    hint_array = np.array([np.nan if h is None else h for h in (hints or [None] * len(item_ids))], dtype=float)
    arrays = KnowledgeModel({i: ItemParams(tuple(s)) for i, s in zip(item_ids, item_skills)}).to_arrays(item_ids)
    blocks = _blocks(log, arrays, hint_array)
    first, _ = _fit_blocks(blocks, log.correct)
    slopes, difficulties, cold = _discriminations(log, blocks, first, hint_array)
    skills = {k: SkillParams(float(m), learning_rate=max(float(r), 0.0))
              for k, m, r in zip(arrays.skills, first["skill"], first["learning"])}
    items = {i: ItemParams(tuple(s), float(b), float(a))
             for i, s, b, a in zip(item_ids, item_skills, difficulties, slopes)}
    variances = _starting_variances(log, arrays, first["ability"])
    model = _with_variances(KnowledgeModel(items, skills, cold_start=cold), *variances)
    if tune and len(log):
        sample = _tuning_log(log, tune_students, seed)
        variances = tune_priors(model.to_arrays(item_ids, arrays.skills), sample, variances)
    return _with_variances(model, *variances)
