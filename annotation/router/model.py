"""The router's model: the probability that a tutor answer is right, from its features (pure).

Before teachers have given verdicts it is ``PRIOR``, a hand-set logistic score. After, it is a
scikit-learn logistic regression on standardised features, calibrated by ``CalibratedClassifierCV``
(Platt scaling on cross-validated scores; isotonic once there are many verdicts). Everything the
fitted model needs is kept as plain numbers, so it is stored as JSON and applied without scikit-learn.

Confidence follows the check. Where the exact solver could judge an answer, its verdict outranks any score
learned from verdicts, which is fitted on few answers and knows the check only as one feature among many:

- no solver check applies (a factual question, or a calculation the solver does not do): p is the model's p;
- the solver verified the result the answer shows (``checked_by_solver``): p = max(p, VERIFIED_FLOOR), so a
  verified answer is never sent as a doubtful one, nor flagged as likely wrong (the random sample of
  confident answers still lets teachers check it);
- the answer shows a result the solver contradicts and that was not repaired (``solver_contradicted``):
  p = min(p, CONTRADICTED_CEILING), below the default flag threshold and among a course's lowest, so it is
  among the first answers flagged for the teachers.

Both bounds hold for the prior and for every fitted model, even one stored before these features existed:
they read the features, not the model's weights. A course-notes sentence backing the answer
(``checked_by_source``) is weaker evidence (words shared, not a value proved), so it only weighs in the score.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Sequence

import numpy as np

from annotation.router.features import FEATURE_NAMES, feature_vector

ISOTONIC_FROM = 1000  # verdicts; below this, isotonic calibration overfits (scikit-learn's own advice)
VERIFIED_FLOOR = 0.9
CONTRADICTED_CEILING = 0.1


class NotEnoughVerdicts(ValueError):
    pass


@dataclass(frozen=True)
class RouterModel:
    kind: str  # "prior" or "fitted"
    names: tuple[str, ...]
    weights: tuple[float, ...]
    intercept: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    calibration: dict = field(default_factory=dict)  # {"method": "sigmoid", "a", "b"} or isotonic thresholds

    def p_correct(self, features: dict[str, float]) -> float:
        return float(self.p_correct_many([features])[0])

    def p_correct_many(self, rows: Sequence[dict[str, float]]) -> np.ndarray:
        x = np.array([feature_vector(row) for row in rows], dtype=float).reshape(len(rows), len(FEATURE_NAMES))
        p = self._calibrated(self._score(x[:, [FEATURE_NAMES.index(n) for n in self.names]]))
        return following_the_check(p, x)

    def standardised_many(self, rows: Sequence[dict[str, float]]) -> np.ndarray:
        """The features of each row as the model weighs them: its own features, standardised."""
        x = np.array([feature_vector(row) for row in rows], dtype=float).reshape(len(rows), len(FEATURE_NAMES))
        return self._standardised(x[:, [FEATURE_NAMES.index(n) for n in self.names]])

    def _standardised(self, x: np.ndarray) -> np.ndarray:
        return (x - np.asarray(self.mean)) / np.asarray(self.scale)

    def _score(self, x: np.ndarray) -> np.ndarray:
        return self._standardised(x) @ np.asarray(self.weights) + self.intercept

    def _calibrated(self, score: np.ndarray) -> np.ndarray:
        method = self.calibration.get("method", "logistic")
        if method == "sigmoid":  # scikit-learn's convention: p = 1 / (1 + exp(a f + b))
            z = self.calibration["a"] * score + self.calibration["b"]
            return 1.0 / (1.0 + np.exp(np.clip(z, -500, 500)))
        if method == "isotonic":
            return np.interp(score, self.calibration["x"], self.calibration["y"])
        return 1.0 / (1.0 + np.exp(-np.clip(score, -500, 500)))

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> RouterModel:
        return cls(
            kind=data["kind"], names=tuple(data["names"]), weights=tuple(data["weights"]),
            intercept=float(data["intercept"]), mean=tuple(data["mean"]), scale=tuple(data["scale"]),
            calibration=dict(data.get("calibration") or {}),
        )


def following_the_check(p: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``p`` bounded by the solver's verdict on each answer (rows of ``x``, in FEATURE_NAMES order)."""
    verified = x[:, FEATURE_NAMES.index("checked_by_solver")] > 0.5
    contradicted = x[:, FEATURE_NAMES.index("solver_contradicted")] > 0.5
    p = np.where(verified, np.maximum(p, VERIFIED_FLOOR), p)
    return np.where(contradicted, np.minimum(p, CONTRADICTED_CEILING), p)  # never both; if so, doubt wins


# The prior, set by hand (not fitted): an answer is likelier right when the course notes' sentences closest
# to the question support its claim, when its arithmetic checks out (above all when the solver verified the
# result it shows), when the sentence it cites backs its claim, when the question matched the notes well and
# when the model was sure of its tokens; likelier wrong when the solver contradicts it, when the question needs
# arithmetic, when the answer hedges, loops or was cut off. Log-odds per unit of each raw feature.
_PRIOR_WEIGHTS = {
    "claim_support": 1.5,
    "arithmetic_check": 1.0,
    "checked_by_solver": 4.0,
    "solver_contradicted": -4.0,
    "checked_by_source": 1.0,
    "top_passage_score": 1.0,
    "mean_logprob": 0.5,
    "numbers_in_question": -0.8,
    "hedges": -0.5,
    "repetition": -2.0,
    "cut_short": -0.7,
}
PRIOR = RouterModel(
    kind="prior", names=tuple(_PRIOR_WEIGHTS), weights=tuple(_PRIOR_WEIGHTS.values()), intercept=0.0,
    mean=tuple(0.0 for _ in _PRIOR_WEIGHTS), scale=tuple(1.0 for _ in _PRIOR_WEIGHTS),
)


def fit_router(
    rows: Sequence[dict[str, float]], correct: Sequence[bool], *, min_per_class: int = 5, regularisation: float = 1.0
) -> RouterModel:
    """A calibrated model fitted to teachers' verdicts (``correct[i]``: answer i was right).

    Raises NotEnoughVerdicts when either class has fewer than ``min_per_class`` verdicts: calibration
    needs both kinds in every fold."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    x = np.array([feature_vector(row) for row in rows], dtype=float).reshape(len(rows), len(FEATURE_NAMES))
    y = np.asarray(correct, dtype=bool)
    smaller_class = int(min(y.sum(), (~y).sum()))
    if smaller_class < max(min_per_class, 2):
        raise NotEnoughVerdicts(
            f"{int(y.sum())} right and {int((~y).sum())} wrong verdicts; need at least {min_per_class} of each."
        )
    method = "isotonic" if len(y) >= ISOTONIC_FROM else "sigmoid"
    base = make_pipeline(StandardScaler(), LogisticRegression(C=regularisation, max_iter=1000))
    fitted = CalibratedClassifierCV(base, method=method, cv=min(5, smaller_class), ensemble=False).fit(x, y)
    return _from_sklearn(fitted.calibrated_classifiers_[0], method)


def _from_sklearn(calibrated, method: str) -> RouterModel:
    scaler, regression = calibrated.estimator[0], calibrated.estimator[1]
    calibrator = calibrated.calibrators[0]
    if method == "sigmoid":
        calibration = {"method": "sigmoid", "a": float(calibrator.a_), "b": float(calibrator.b_)}
    else:
        calibration = {"method": "isotonic", "x": [float(v) for v in calibrator.X_thresholds_],
                       "y": [float(v) for v in calibrator.y_thresholds_]}
    scale = [float(s) if s > 0 and math.isfinite(s) else 1.0 for s in scaler.scale_]
    return RouterModel(
        kind="fitted", names=FEATURE_NAMES, weights=tuple(float(w) for w in regression.coef_[0]),
        intercept=float(regression.intercept_[0]), mean=tuple(float(m) for m in scaler.mean_),
        scale=tuple(scale), calibration=calibration,
    )
