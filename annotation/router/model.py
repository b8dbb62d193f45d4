"""The router's model: the probability that a tutor answer is right, from its features (pure).

Before teachers have given verdicts it is ``PRIOR``, a hand-set logistic score. After, it is a
scikit-learn logistic regression on standardised features, calibrated by ``CalibratedClassifierCV``
(Platt scaling on cross-validated scores; isotonic once there are many verdicts). Everything the
fitted model needs is kept as plain numbers, so it is stored as JSON and applied without scikit-learn.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Sequence

import numpy as np

from annotation.router.features import FEATURE_NAMES, feature_vector

ISOTONIC_FROM = 1000  # verdicts; below this, isotonic calibration overfits (scikit-learn's own advice)


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
        return self._calibrated(self._score(x[:, [FEATURE_NAMES.index(n) for n in self.names]]))

    def _score(self, x: np.ndarray) -> np.ndarray:
        standardised = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        return standardised @ np.asarray(self.weights) + self.intercept

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


# The prior, set by hand (not fitted): an answer is likelier right when the course notes' sentences closest
# to the question support its claim, when its arithmetic checks out, when the question matched the notes well
# and when the model was sure of its tokens; likelier wrong when the question needs arithmetic, when the answer
# hedges, loops or was cut off. Log-odds per unit of each raw feature.
_PRIOR_WEIGHTS = {
    "claim_support": 1.5,
    "arithmetic_check": 1.0,
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
