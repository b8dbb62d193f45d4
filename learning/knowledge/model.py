"""Student-knowledge model: a multidimensional logistic (IRT/Elo-like) model with Gaussian beliefs.

Pure module (numpy and scikit-learn only, no Django), shared by the app and the benchmark.

The model
    Every item i has skills S_i, a discrimination a_i and a difficulty b_i.  Every student has
    an ability per skill plus one *general* ability (key ``GENERAL``, loaded by every item): the
    general ability carries what a student shows on one skill over to skills not seen yet,
    which per-skill models such as BKT cannot do.  With mean-of-skills weights w = 1/|S_i|::

        logit P(correct) = a_i * (theta_general + sum_{k in S_i} w * theta_k) - b_i

    Items tagged with several skills are therefore handled natively (compensatory), and every
    tagged skill is updated after an attempt, in proportion to its weight and its uncertainty.

The belief
    Per student and skill a Gaussian N(mu, var) (``SkillEstimate``); skills never practised
    fall back to the population prior (``SkillParams``).  Predictions average the logistic over
    that uncertainty (probit approximation), so an uncertain belief predicts nearer 0.5.

The online update (``KnowledgeModel.update``, tens of microseconds)
    One Laplace / extended-Kalman step on the diagonal Gaussian (as in Glicko or TrueSkill):
    with x = a_i * w, v = x' Var x and h = p (1 - p)::

        mu_k  += var_k x_k (y - p) / (1 + h v)
        var_k -= (var_k x_k)^2 h / (1 + h v)

    The variance shrinks by the same amount whatever the answer, which is what makes the
    "diagnose" selection criterion exact for this model (see selection.py).  Before each
    attempt, ``process_noise`` is added to the variance of the item's skills, so a belief never
    freezes and learning or forgetting keeps being tracked; after it, the mean of each tagged
    skill grows by ``learning_rate * (log(2 + n) - log(1 + n))`` (n = earlier attempts on the
    skill): the average gain from practice, fitted from data like a PFA/AFM learning curve.

Calibration (``calibrate`` / ``calibrate_log`` in calibration.py, run by a background job)
    1. One scikit-learn ``LogisticRegression`` (L2, i.e. MAP with unit-Gaussian priors) on
       sparse features: one column per (student, skill) and per student (the general ability),
       one per item (easiness), one per skill (population mean ability), one per skill with
       w * log(1 + earlier attempts on the skill) (learning rate), and the author hint.
    2. A second fit with the first fit's ability per attempt times an item one-hot gives the
       discriminations (global slope + per-item deviation, shrunk toward the global slope).
    3. The prior variances and the process noise are chosen by coordinate search on the
       log-loss of the strictly online replay (``replay``) over a sample of the students.
    Author hints enter as a feature, so an item with few attempts is shrunk toward what its hint
    predicts; the fitted hint-to-difficulty line also cold-starts new items (``ColdStart``).
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from types import MappingProxyType

import numpy as np

GENERAL = "*"
HINT_DIFFICULTY = {"very easy": -2.0, "easy": -1.0, "medium": 0.0, "hard": 1.0, "very hard": 2.0}
_PROBIT = math.pi / 8


# ---------------------------------------------------------------- numeric core (floats or arrays)
def predictive_probability(logit, logit_var):
    """P(correct) with the logit ~ N(logit, logit_var): the probit approximation of the average."""
    return 1.0 / (1.0 + np.exp(-logit / np.sqrt(1.0 + _PROBIT * logit_var)))


def logit_moments(mu, var, weights, discrimination, difficulty):
    """Mean and variance of an item's logit; mu, var, weights are (..., dims)."""
    logit = discrimination * (weights * mu).sum(-1) - difficulty
    return logit, discrimination**2 * (weights**2 * var).sum(-1)


def posterior(mu, var, weights, discrimination, p, logit_var, correct):
    """One extended-Kalman step on a diagonal Gaussian; returns the new (mu, var)."""
    h = p * (1.0 - p)
    gain = var * weights * np.expand_dims(discrimination / (1.0 + h * logit_var), -1)
    new_mu = mu + gain * np.expand_dims(correct - p, -1)
    return new_mu, var - gain * var * weights * np.expand_dims(discrimination * h, -1)


def practice_gain(learning_rate, attempts_before):
    return learning_rate * (np.log1p(attempts_before + 1.0) - np.log1p(attempts_before))


# ---------------------------------------------------------------- parameters and state
def hint_difficulty(hint) -> float | None:
    """An author hint ("easy", "medium", "hard", "very easy/hard", or a logit) as a difficulty."""
    if hint is None or hint == "":
        return None
    if isinstance(hint, str) and hint.strip().lower() in HINT_DIFFICULTY:
        return HINT_DIFFICULTY[hint.strip().lower()]
    try:
        return float(hint)
    except ValueError:
        raise ValueError(f"unknown difficulty hint {hint!r}; use {sorted(HINT_DIFFICULTY)} or a number") from None


@dataclass(frozen=True)
class ItemParams:
    """Item parameters; serialised as {"skills": [...], "difficulty": b, "discrimination": a}."""

    skills: tuple[str, ...]
    difficulty: float = 0.0
    discrimination: float = 1.0

    def __post_init__(self):
        if not self.skills:
            raise ValueError("an item needs at least one skill")
        object.__setattr__(self, "skills", tuple(dict.fromkeys(self.skills)))  # dedupe, keep order

    def to_dict(self) -> dict:
        return {"skills": list(self.skills), "difficulty": self.difficulty, "discrimination": self.discrimination}

    @classmethod
    def from_dict(cls, data: Mapping) -> ItemParams:
        return cls(tuple(data["skills"]), float(data["difficulty"]), float(data.get("discrimination", 1.0)))


@dataclass(frozen=True)
class ColdStart:
    """Parameters of an item calibration has not seen: difficulty from the author's hint through
    the calibrated line ``hint_intercept + hint_slope * hint``, else ``difficulty``."""

    difficulty: float = 0.0
    hint_intercept: float = 0.0
    hint_slope: float = 1.0
    discrimination: float = 1.0

    def item(self, skills: Sequence[str], hint=None) -> ItemParams:
        value = hint_difficulty(hint)
        difficulty = self.difficulty if value is None else self.hint_intercept + self.hint_slope * value
        return ItemParams(tuple(skills), difficulty, self.discrimination)


@dataclass(frozen=True)
class SkillParams:
    """Population level of one skill: prior N(mu, var) and mean practice gain per log-attempt."""

    mu: float = 0.0
    var: float = 0.5
    learning_rate: float = 0.0


@dataclass(frozen=True)
class SkillEstimate:
    """A student's belief about one skill; serialised as {"mu", "var", "attempts"}."""

    mu: float
    var: float
    attempts: int = 0


@dataclass(frozen=True)
class StudentState:
    """All of a student's beliefs (skills never practised are absent) and the last item answered."""

    estimates: Mapping[str, SkillEstimate] = field(default_factory=lambda: MappingProxyType({}))
    last_item: str | None = None

    def to_dict(self) -> dict:
        skills = {k: {"mu": e.mu, "var": e.var, "attempts": e.attempts} for k, e in self.estimates.items()}
        return {"skills": skills, "last_item": self.last_item}

    @classmethod
    def from_dict(cls, data: Mapping) -> StudentState:
        estimates = {k: SkillEstimate(float(e["mu"]), float(e["var"]), int(e.get("attempts", 0)))
                     for k, e in data.get("skills", {}).items()}
        return cls(MappingProxyType(estimates), data.get("last_item"))


def item_dimensions(item: ItemParams) -> tuple[list[str], np.ndarray]:
    """The belief dimensions an item loads on (general first) and their weights."""
    return [GENERAL, *item.skills], np.array([1.0] + [1.0 / len(item.skills)] * len(item.skills))


@dataclass(frozen=True)
class KnowledgeModel:
    """Calibrated parameters plus predict/update; immutable, so one instance serves all requests."""

    items: Mapping[str, ItemParams]
    skills: Mapping[str, SkillParams] = field(default_factory=dict)
    general: SkillParams = SkillParams(var=1.0)
    default_skill: SkillParams = SkillParams()
    process_noise: float = 0.0
    cold_start: ColdStart = ColdStart()

    def skill_params(self, skill: str) -> SkillParams:
        return self.general if skill == GENERAL else self.skills.get(skill, self.default_skill)

    def estimate(self, state: StudentState, skill: str) -> SkillEstimate:
        if skill in state.estimates:
            return state.estimates[skill]
        prior = self.skill_params(skill)
        return SkillEstimate(prior.mu, prior.var)

    def _before_attempt(self, state: StudentState, item: ItemParams):
        keys, weights = item_dimensions(item)
        beliefs = [self.estimate(state, key) for key in keys]
        noise = np.array([0.0] + [self.process_noise] * len(item.skills))
        var = np.array([b.var for b in beliefs]) + noise
        return keys, weights, beliefs, np.array([b.mu for b in beliefs]), var

    def predict(self, state: StudentState, item_id: str) -> float:
        """P(correct) of the student's next attempt at ``item_id``."""
        item = self.items[item_id]
        _, weights, _, mu, var = self._before_attempt(state, item)
        return float(predictive_probability(*logit_moments(mu, var, weights, item.discrimination, item.difficulty)))

    def update(self, state: StudentState, item_id: str, correct: bool) -> StudentState:
        """The student's state after one attempt (the input state is not modified)."""
        item = self.items[item_id]
        keys, weights, beliefs, mu, var = self._before_attempt(state, item)
        logit, logit_var = logit_moments(mu, var, weights, item.discrimination, item.difficulty)
        p = predictive_probability(logit, logit_var)
        mu, var = posterior(mu, var, weights, item.discrimination, p, logit_var, float(correct))
        estimates = dict(state.estimates)
        for key, belief, new_mu, new_var in zip(keys, beliefs, mu.tolist(), var.tolist()):
            gain = 0.0 if key == GENERAL else practice_gain(self.skill_params(key).learning_rate, belief.attempts)
            estimates[key] = SkillEstimate(new_mu + float(gain), new_var, belief.attempts + 1)
        return StudentState(MappingProxyType(estimates), item_id)

    def with_new_items(self, items: Mapping[str, tuple[Sequence[str], object]]) -> KnowledgeModel:
        """A model that also knows new items, given as {item id: (skills, author hint or None)}."""
        return replace(self, items={**self.items, **{i: self.cold_start.item(*spec) for i, spec in items.items()}})

    def to_dict(self) -> dict:
        """JSON-able: items as ``ItemParams.to_dict``, skills as {"mu", "var", "learning_rate"}."""
        return {"version": 1, "items": {i: p.to_dict() for i, p in self.items.items()},
                "skills": {k: asdict(s) for k, s in self.skills.items()}, "general": asdict(self.general),
                "default_skill": asdict(self.default_skill), "process_noise": self.process_noise,
                "cold_start": asdict(self.cold_start)}

    @classmethod
    def from_dict(cls, data: Mapping) -> KnowledgeModel:
        return cls({i: ItemParams.from_dict(p) for i, p in data["items"].items()},
                   {k: SkillParams(**s) for k, s in data["skills"].items()}, SkillParams(**data["general"]),
                   SkillParams(**data["default_skill"]), float(data["process_noise"]), ColdStart(**data["cold_start"]))

    def to_arrays(self, item_ids: Sequence[str], skills: Sequence[str] | None = None) -> ArrayModel:
        """The model as arrays over ``item_ids`` (for vectorised replay and selection)."""
        items = [self.items[i] for i in item_ids]
        vocabulary = tuple(skills) if skills is not None else tuple(sorted({k for i in items for k in i.skills}))
        dims, weights = item_matrix(items, vocabulary)
        params = [self.skill_params(k) for k in vocabulary] + [self.general, SkillParams(0.0, 0.0)]
        return ArrayModel(
            vocabulary, dims, weights, np.array([i.discrimination for i in items]),
            np.array([i.difficulty for i in items]), np.array([p.mu for p in params]),
            np.array([p.var for p in params]), np.array([p.learning_rate for p in params]), self.process_noise,
        )


# ---------------------------------------------------------------- array form
@dataclass(frozen=True)
class ArrayModel:
    """Items as a dense (items x slots) dimension matrix; dims 0..S-1 are ``skills``, S is the
    general ability and S+1 a sink that padding slots point at with weight 0."""

    skills: tuple[str, ...]
    dims: np.ndarray
    weights: np.ndarray
    discrimination: np.ndarray
    difficulty: np.ndarray
    mu0: np.ndarray
    var0: np.ndarray
    learning_rate: np.ndarray
    process_noise: float

    @property
    def general_dim(self) -> int:
        return len(self.skills)

    def noise(self, dims: np.ndarray, weights: np.ndarray) -> np.ndarray:
        return self.process_noise * ((weights > 0) & (dims < self.general_dim))


def item_matrix(items: Sequence[ItemParams], skills: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    index = {k: d for d, k in enumerate(skills)}
    slots = 1 + max((len(i.skills) for i in items), default=1)
    dims = np.full((len(items), slots), len(skills) + 1, dtype=np.int64)
    weights = np.zeros((len(items), slots))
    dims[:, 0], weights[:, 0] = len(skills), 1.0
    for row, item in enumerate(items):
        known = [index[k] for k in item.skills if k in index]
        dims[row, 1:1 + len(known)] = known
        weights[row, 1:1 + len(known)] = 1.0 / len(item.skills)
    return dims, weights


@dataclass(frozen=True)
class AttemptLog:
    """Attempts as integer codes, grouped by student and in time order within a student."""

    student: np.ndarray
    item: np.ndarray
    correct: np.ndarray

    def __len__(self) -> int:
        return len(self.student)

    def take(self, rows: np.ndarray) -> AttemptLog:
        return AttemptLog(self.student[rows], self.item[rows], self.correct[rows])


def occurrences_before(codes: np.ndarray) -> np.ndarray:
    """For each position, how many earlier positions hold the same code (a vectorised cumcount)."""
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    starts = np.r_[0, np.flatnonzero(ordered[1:] != ordered[:-1]) + 1]
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(codes)]))
    result = np.empty(len(codes), dtype=np.int64)
    result[order] = np.arange(len(codes)) - run_start
    return result


def student_pairs(log: AttemptLog, arrays: ArrayModel) -> tuple[np.ndarray, np.ndarray]:
    """A code per (student, dimension) that occurs, for every (attempt, slot); code 0 is the sink.

    Beliefs are kept per occurring pair, never as a students x skills matrix, so memory stays
    proportional to the data however many skills a data set has."""
    n_dims = len(arrays.mu0)
    dims, weights = arrays.dims[log.item], arrays.weights[log.item]
    keys = np.where(weights > 0, log.student[:, None].astype(np.int64) * n_dims + dims, -1)
    unique, inverse = np.unique(np.r_[-1, keys.ravel()], return_inverse=True)
    return inverse[1:].reshape(keys.shape), unique % n_dims


def time_steps(student: np.ndarray) -> list[np.ndarray]:
    """Row indices grouped by position within the student's sequence (first attempts, seconds...)."""
    position = occurrences_before(student)
    order = np.argsort(position, kind="stable")
    return np.split(order, np.flatnonzero(np.diff(position[order])) + 1) if len(student) else []


def replay(arrays: ArrayModel, log: AttemptLog) -> np.ndarray:
    """Strictly online predictions: P(correct) of each attempt from that student's earlier attempts only.

    All students advance together (one numpy step per position in the sequence); the result is
    the same as calling ``KnowledgeModel.update`` attempt by attempt (tested)."""
    pairs, pair_dim = student_pairs(log, arrays)
    mu, var = arrays.mu0[pair_dim].copy(), arrays.var0[pair_dim].copy()
    attempts = np.zeros(len(pair_dim))
    predictions = np.empty(len(log))
    for rows in time_steps(log.student):
        item, slots = log.item[rows], pairs[rows]
        weights, dims = arrays.weights[item], arrays.dims[item]
        a, b = arrays.discrimination[item], arrays.difficulty[item]
        belief_var = var[slots] + arrays.noise(dims, weights)
        logit, logit_var = logit_moments(mu[slots], belief_var, weights, a, b)
        predictions[rows] = p = predictive_probability(logit, logit_var)
        new_mu, var[slots] = posterior(mu[slots], belief_var, weights, a, p, logit_var, log.correct[rows])
        mu[slots] = new_mu + practice_gain(arrays.learning_rate[dims], attempts[slots]) * (weights > 0)
        attempts[slots] += weights > 0
    return predictions
