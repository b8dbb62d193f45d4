"""Import pyBKT (the BKT baseline of the knowledge benchmark) under current scikit-learn.

Why a shim: at import time ``pyBKT.util.metrics`` (1.4.3) discovers "supported metrics" by
calling every private ``sklearn.metrics._regression`` / ``_classification`` function whose
name ends in ``_loss``, ``_score`` or ``_error`` with two plain lists, and it only catches
``TypeError``.  Current scikit-learn raises ``AttributeError`` (``'list' object has no
attribute 'dtype'``) from one of them, so ``import pyBKT.models`` fails.

A second incompatibility, with numpy >= 2.4: the E-step returns its total log-likelihood as a
(1, 1) array and ``EM_fit`` stores it into one element of a float array, which numpy no longer
converts implicitly (``ValueError: setting an array element with a sequence``).

What the shim does:

1. For the duration of that one import, it wraps those private functions so that any exception
   they raise is re-raised as ``TypeError`` — exactly the "not supported" signal pyBKT
   expects — then restores scikit-learn's originals.
2. It wraps ``pyBKT.fit.EM_fit.run`` (looked up by name inside ``EM_fit.EM_fit``) so that the
   total log-likelihood comes back as a plain float; all other results pass through untouched.

Nothing else in pyBKT is changed: the EM fit and the one-step-ahead prediction are pyBKT's own
code.  pyBKT's
``fetch_dataset`` helpers download data and are never used by this project.
"""
from __future__ import annotations

import functools
import importlib
import re
import sys

_DISCOVERED = re.compile(r"_loss$|_score$|_error$")


def _as_type_error(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except TypeError:
            raise
        except Exception as error:  # pyBKT treats TypeError as "metric not usable here"
            raise TypeError(str(error)) from error

    return wrapper


def _wrap_private_metrics() -> list[tuple[object, str, object]]:
    from sklearn.metrics import _classification, _regression

    originals = []
    for module in (_regression, _classification):
        for name in dir(module):
            function = getattr(module, name)
            if _DISCOVERED.search(name) and callable(function):
                originals.append((module, name, function))
                setattr(module, name, _as_type_error(function))
    return originals


def _scalar_loglike(e_step):
    @functools.wraps(e_step)
    def wrapper(*args, **kwargs):
        result = e_step(*args, **kwargs)
        result["total_loglike"] = float(result["total_loglike"].reshape(-1)[0])
        return result

    wrapper.scalar_loglike = True
    return wrapper


def _patch_e_step() -> None:
    em_fit = importlib.import_module("pyBKT.fit.EM_fit")
    if not getattr(em_fit.run, "scalar_loglike", False):
        em_fit.run = _scalar_loglike(em_fit.run)


def _import_models_module():
    if "pyBKT.util.metrics" in sys.modules:
        return importlib.import_module("pyBKT.models")
    originals = _wrap_private_metrics()
    try:
        return importlib.import_module("pyBKT.models")
    finally:
        for module, name, function in originals:
            setattr(module, name, function)


def import_pybkt_model():
    """Return ``pyBKT.models.Model``, importing pyBKT with both compatibility fixes."""
    models = _import_models_module()
    _patch_e_step()
    return models.Model


def _frame(student, skills, correct):
    """One row per (attempt, skill): pyBKT fits one model per skill, so a multi-skill attempt
    is shown to each of its skills' models (the usual treatment of such data in BKT)."""
    import numpy as np
    import pandas as pd

    per_attempt = [len(s) for s in skills]
    attempt = np.repeat(np.arange(len(skills)), per_attempt)
    return pd.DataFrame({
        "user_id": np.repeat(student, per_attempt), "skill_name": [k for s in skills for k in s],
        "correct": np.repeat(correct.astype(int), per_attempt), "order_id": attempt, "attempt": attempt,
    })


def bkt_predictions(train, test, *, seed: int, num_fits: int, parallel: bool):
    """Fit pyBKT (standard BKT, one model per skill) on ``train`` and return its one-step-ahead
    P(correct) for every attempt of ``test``; each is ``(student codes, skills per attempt,
    correct)`` in attempt order.  A multi-skill attempt gets the mean over its skills' models; a
    skill absent from training gets the training success rate."""
    import warnings

    import numpy as np

    model = import_pybkt_model()(seed=seed, num_fits=num_fits, parallel=parallel)
    frame = _frame(*test)
    predictions = np.full(len(test[1]), float(np.mean(train[2])))
    with warnings.catch_warnings():  # pyBKT's own use of pandas APIs that newer pandas deprecates
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        model.fit(data=_frame(*train))
        frame = frame[frame["skill_name"].isin(set(model.fit_model))].reset_index(drop=True)
        if len(frame):
            predicted = model.predict(data=frame).groupby("attempt")["correct_predictions"].mean()
            predictions[predicted.index.to_numpy()] = predicted.to_numpy()
    return predictions
