"""Benchmark of the knowledge model and the selection modes on a response log (pure functions).

Input: a CSV with the columns ``student,item,skill,correct`` and optionally ``order`` (without
it, row order within a student is the attempt order).  ``skill`` may name several skills
separated by ";".  Data sets that instead repeat an attempt once per skill (ASSISTments style)
are merged when they carry ``order``: rows with the same student, item and order are one attempt
whose skills are the union.  An empty skill becomes the skill "(untagged)".  An item's skills
are the union of its tags over the file.

One run reports (``run_benchmark``):

* next-response AUC and log-loss on held-out students (seeded split by student) for the
  knowledge model (fitted on the training students, predicting each attempt strictly online
  from that student's earlier attempts), for pyBKT fitted on the same training students, and
  for a per-item success-rate baseline;
* adaptive efficiency on held-out students: their real responses are revealed one at a time,
  chosen by diagnose mode or in random order, and after k revealed the pooled AUC of
  predicting their not-yet-revealed responses is reported, with the mean number of responses
  needed to bring ``selection.uncertainty`` below half its prior value;
* in-process latency of one update and one selection over a 10,000-item bank.

Reading is a streaming csv pass into integer codes; everything after it is numpy, linear in
the number of attempts (no per-student quadratic work).  The adaptive part samples at most
``adaptive_students`` held-out students, so its cost does not grow with the data set.
"""
from __future__ import annotations

import csv
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from learning.knowledge.calibration import calibrate_log
from learning.knowledge.model import AttemptLog, KnowledgeModel, StudentState, replay
from learning.knowledge.selection import (
    ItemBank, Prerequisites, predicted_success, select_diagnose, select_practice, uncertainty,
)

REQUIRED_COLUMNS = ("student", "item", "skill", "correct")
UNTAGGED = "(untagged)"
_BOOLEAN = {"0": 0.0, "1": 1.0, "0.0": 0.0, "1.0": 1.0, "false": 0.0, "true": 1.0}
KS = (5, 10, 20)
UNCERTAINTY_THRESHOLD = 0.5  # fraction of the student's prior uncertainty


class ResponseFormatError(ValueError):
    """A malformed responses CSV; the message names the row (file line) and the column."""


@dataclass(frozen=True)
class Responses:
    log: AttemptLog  # grouped by student, attempt order within a student
    student_ids: list[str]
    item_ids: list[str]
    item_skills: list[tuple[str, ...]]
    rows: int
    has_order: bool


# ---------------------------------------------------------------- reading
def _header(reader, path) -> dict[str, int]:
    header = next(reader, None)
    if header is None:
        raise ResponseFormatError(f"{path}: row 1: the file is empty (expected a header)")
    columns = {name.strip().lower(): n for n, name in enumerate(header)}
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            raise ResponseFormatError(f"{path}: row 1, column {name!r}: missing from the header {header}")
    return columns


def _field(record, columns, name, line) -> str:
    value = record[columns[name]].strip()
    if not value and name != "skill":
        raise ResponseFormatError(f"row {line}, column {name!r}: empty")
    return value


def _parse_correct(value: str, line: int) -> float:
    try:
        return _BOOLEAN[value.lower()]
    except KeyError:
        raise ResponseFormatError(f"row {line}, column 'correct': expected 0 or 1, got {value!r}") from None


def _parse_order(value: str, line: int) -> float:
    try:
        return float(value)
    except ValueError:
        raise ResponseFormatError(f"row {line}, column 'order': expected a number, got {value!r}") from None


class _Encoder:
    """Streams records into integer codes; keeps each item's skill union."""

    def __init__(self, has_order: bool):
        self.students, self.items, self.skills = {}, {}, []
        self.has_order, self.seen, self.codes = has_order, set(), []

    def add(self, student: str, item: str, skills: list[str], correct: float, order: float) -> None:
        s = self.students.setdefault(student, len(self.students))
        i = self.items.setdefault(item, len(self.items))
        if i == len(self.skills):
            self.skills.append({})
        self.skills[i].update(dict.fromkeys(skills))
        if self.has_order:  # one attempt repeated once per skill is one attempt
            if (s, i, order) in self.seen:
                return
            self.seen.add((s, i, order))
        self.codes.append((s, i, correct, order))


def read_responses(path: Path | str) -> Responses:
    """Read and validate a responses CSV (see the module docstring)."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        columns = _header(reader, path)
        encoder, rows = _Encoder("order" in columns), 0
        for record in reader:
            if not record:
                continue
            line, rows = reader.line_num, rows + 1
            if len(record) != len(columns):
                raise ResponseFormatError(f"row {line}, column {len(record) + 1}: expected {len(columns)} fields")
            skills = [k.strip() for k in _field(record, columns, "skill", line).split(";") if k.strip()]
            order = _parse_order(record[columns["order"]].strip(), line) if encoder.has_order else float(rows)
            encoder.add(_field(record, columns, "student", line), _field(record, columns, "item", line),
                        skills or [UNTAGGED], _parse_correct(record[columns["correct"]].strip(), line), order)
    return _to_responses(encoder, rows)


def _to_responses(encoder: _Encoder, rows: int) -> Responses:
    if not encoder.codes:
        raise ResponseFormatError("the file has a header but no responses")
    table = np.array(encoder.codes, dtype=float)
    table = table[np.lexsort((table[:, 3], table[:, 0]))]  # by student, then order (stable)
    log = AttemptLog(table[:, 0].astype(np.int64), table[:, 1].astype(np.int64), table[:, 2])
    return Responses(log, list(encoder.students), list(encoder.items), [tuple(s) for s in encoder.skills],
                     rows, encoder.has_order)


# ---------------------------------------------------------------- next-response prediction
def split_students(student_ids: list[str], seed: int, test_fraction: float = 0.2) -> np.ndarray:
    """A boolean test mask per student code: a seeded random fifth of the students.

    Drawn over the sorted ids, so the split depends on who the students are, not on row order."""
    by_id, n_test = np.zeros(len(student_ids), dtype=bool), max(1, round(len(student_ids) * test_fraction))
    by_id[np.random.default_rng(seed).permutation(len(student_ids))[:n_test]] = True
    rank = np.argsort(np.argsort(np.array(student_ids, dtype=object), kind="stable"), kind="stable")
    return by_id[rank]


def scores(correct: np.ndarray, predicted: np.ndarray) -> dict:
    from sklearn.metrics import log_loss, roc_auc_score

    clipped = np.clip(predicted, 1e-6, 1 - 1e-6)
    auc = roc_auc_score(correct, predicted) if len(np.unique(correct)) == 2 else float("nan")
    return {"auc": round(float(auc), 4), "log_loss": round(float(log_loss(correct, clipped, labels=[0, 1])), 4)}


def item_rate_predictions(train: AttemptLog, test: AttemptLog, n_items: int, smoothing: float = 2.0) -> np.ndarray:
    """Each item's training success rate, shrunk toward the overall rate (unseen items get the overall rate)."""
    overall = float(train.correct.mean())
    hits = np.bincount(train.item, train.correct, n_items)
    counts = np.bincount(train.item, minlength=n_items)
    return ((hits + smoothing * overall) / (counts + smoothing))[test.item]


def pybkt_predictions(responses: Responses, train: AttemptLog, test: AttemptLog, *, seed: int, fits: int,
                      parallel: bool) -> np.ndarray:
    from bench.knowledge.pybkt_shim import bkt_predictions

    def rows(log):
        return log.student, [responses.item_skills[i] for i in log.item], log.correct

    return bkt_predictions(rows(train), rows(test), seed=seed, num_fits=fits, parallel=parallel)


# ---------------------------------------------------------------- adaptive efficiency
def static_model(model: KnowledgeModel) -> KnowledgeModel:
    """The model without time dynamics: revealing responses out of order must not count as practice."""
    skills = {k: replace(s, learning_rate=0.0) for k, s in model.skills.items()}
    return replace(model, skills=skills, process_noise=0.0)


def _next_position(bank: ItemBank, state: StudentState, revealed: np.ndarray, order, mode: str) -> int:
    if mode == "random":
        return int(order[revealed.sum()])
    # A student may have answered the same item twice: skip every copy of the item just answered.
    allowed = ~revealed & (np.asarray(bank.item_ids) != state.last_item)
    choice = select_diagnose(bank, state, allowed=allowed) if allowed.any() else None
    return choice.position if choice else int(np.flatnonzero(~revealed)[0])


def _reveal(model, bank, correct, mode, rng, ks) -> tuple[dict, int]:
    """Reveal one student's responses in ``mode``; predictions at each k and items to the threshold."""
    state, revealed = StudentState(), np.zeros(len(correct), dtype=bool)
    order, start = rng.permutation(len(correct)), uncertainty(bank, *bank.beliefs(StudentState()))
    at_k, needed = {}, None
    for step in range(1, len(correct) + 1):
        position = _next_position(bank, state, revealed, order, mode)
        state, revealed[position] = model.update(state, bank.item_ids[position], correct[position]), True
        mu, var = bank.beliefs(state)
        if needed is None and uncertainty(bank, mu, var) <= UNCERTAINTY_THRESHOLD * start:
            needed = step
        if step in ks:
            at_k[step] = (predicted_success(bank, mu, var)[~revealed], correct[~revealed])
        if needed is not None and step >= max(ks):
            break
    return at_k, needed if needed is not None else len(correct)


def adaptive_efficiency(model: KnowledgeModel, responses: Responses, test: AttemptLog, *, seed: int,
                        max_students: int = 500, ks=KS) -> dict:
    static = static_model(model)
    bank = ItemBank.from_model(static, responses.item_ids)
    students, counts = np.unique(test.student, return_counts=True)
    students = students[counts >= max(ks) + 10]
    rng = np.random.default_rng(seed)
    students = rng.permutation(students)[:max_students]
    report = {"students": int(len(students)), "uncertainty_threshold": UNCERTAINTY_THRESHOLD}
    for mode in ("diagnose", "random"):
        report[mode] = _mode_report(static, bank, test, students, mode, np.random.default_rng(seed), ks)
    return report


def _mode_report(model, bank, test: AttemptLog, students, mode, rng, ks) -> dict:
    pooled, needed = {k: ([], []) for k in ks}, []
    starts, ends = np.searchsorted(test.student, students), np.searchsorted(test.student, students, side="right")
    for start, end in zip(starts, ends):
        rows = np.arange(start, end)
        at_k, items = _reveal(model, bank.subset(test.item[rows]), test.correct[rows], mode, rng, ks)
        needed.append(items)
        for k, (predicted, correct) in at_k.items():
            pooled[k][0].append(predicted)
            pooled[k][1].append(correct)
    auc = {str(k): scores(np.concatenate(c), np.concatenate(p))["auc"] if c else None for k, (p, c) in pooled.items()}
    mean_needed = round(float(np.mean(needed)), 2) if needed else None
    return {"auc_unrevealed_at_k": auc, "mean_items_to_threshold": mean_needed}


# ---------------------------------------------------------------- latency
def large_bank_model(model: KnowledgeModel, size: int, seed: int) -> KnowledgeModel:
    """``size`` items cloned from the calibrated ones with jittered difficulties."""
    rng, base = np.random.default_rng(seed), list(model.items.items())
    picks = rng.integers(len(base), size=size)
    jitter = rng.normal(0, 0.5, size)
    items = {f"{base[p][0]}~{n}": replace(base[p][1], difficulty=base[p][1].difficulty + j)
             for n, (p, j) in enumerate(zip(picks, jitter))}
    return replace(model, items=items)


def _chain_prerequisites(bank: ItemBank, seed: int) -> Prerequisites:
    """A random prerequisite DAG: each skill requires one earlier skill (the CSV has none)."""
    rng, skills = np.random.default_rng(seed), bank.arrays.skills
    return Prerequisites.compile(bank, {k: [skills[rng.integers(d)]] for d, k in enumerate(skills) if d})


def _percentiles(samples_ns: list[int]) -> dict:
    values = np.array(samples_ns) / 1e6
    return {"p50": round(float(np.percentile(values, 50)), 4), "p99": round(float(np.percentile(values, 99)), 4)}


def latency(model: KnowledgeModel, *, seed: int, bank_size: int = 10_000, repeats: int = 1000) -> dict:
    """Milliseconds for one update, one diagnose and one practice selection over ``bank_size`` items."""
    big = large_bank_model(model, bank_size, seed)
    bank = ItemBank.from_model(big)
    prerequisites, rng = _chain_prerequisites(bank, seed), np.random.default_rng(seed)
    state = StudentState()
    for item in rng.choice(bank.item_ids, 30):  # a student with some history
        state = big.update(state, item, rng.random() < 0.6)
    samples = {"update": [], "diagnose": [], "practice": [], "update_plus_diagnose": [], "update_plus_practice": []}
    for _ in range(repeats):
        item, correct = bank.item_ids[rng.integers(bank_size)], rng.random() < 0.6
        t0 = time.perf_counter_ns()
        state = big.update(state, item, correct)
        t1 = time.perf_counter_ns()
        select_diagnose(bank, state)
        t2 = time.perf_counter_ns()
        select_practice(bank, state, prerequisites)
        t3 = time.perf_counter_ns()
        for key, value in (("update", t1 - t0), ("diagnose", t2 - t1), ("practice", t3 - t2),
                           ("update_plus_diagnose", t2 - t0), ("update_plus_practice", t1 - t0 + t3 - t2)):
            samples[key].append(value)
    timings = {k: _percentiles(v) for k, v in samples.items()}
    return {"bank_items": bank_size, "skills": len(bank.arrays.skills), **timings}


# ---------------------------------------------------------------- the whole run
def _describe(responses: Responses, path) -> dict:
    return {"file": Path(path).name, "rows": responses.rows, "attempts": len(responses.log),
            "students": len(responses.student_ids), "items": len(responses.item_ids),
            "skills": len({k for s in responses.item_skills for k in s}),
            "multi_skill_items": sum(len(s) > 1 for s in responses.item_skills), "has_order": responses.has_order}


def _targets(report: dict) -> dict:
    nxt, adaptive, lat = report["next_response"], report["adaptive"], report["latency_ms"]
    margin = nxt["knowledge_model"]["auc"] - nxt["pybkt"]["auc"]
    diag10, rand20 = adaptive["diagnose"]["auc_unrevealed_at_k"]["10"], adaptive["random"]["auc_unrevealed_at_k"]["20"]
    p99 = max(lat["update_plus_diagnose"]["p99"], lat["update_plus_practice"]["p99"])
    adaptive_met = None if diag10 is None or rand20 is None else bool(diag10 >= rand20)  # None: no student long enough
    return {
        "auc_margin_over_pybkt": {"value": round(margin, 4), "target": ">= 0.02", "met": bool(margin >= 0.02)},
        "diagnose_k10_vs_random_k20": {"value": [diag10, rand20], "target": "diagnose@10 >= random@20",
                                       "met": adaptive_met},
        "update_plus_selection_p99_ms": {"value": p99, "target": "< 5", "met": bool(p99 < 5)},
    }


def run_benchmark(path: Path | str, *, seed: int = 0, bkt_fits: int = 1, bkt_parallel: bool = False,
                  adaptive_students: int = 500, latency_repeats: int = 1000) -> dict:
    """The whole benchmark as a JSON-able dict (see the module docstring)."""
    clock, timings = time.perf_counter(), {}

    def lap(name):
        nonlocal clock
        timings[name], clock = round(time.perf_counter() - clock, 2), time.perf_counter()

    responses = read_responses(path)
    test_students = split_students(responses.student_ids, seed)
    in_test = test_students[responses.log.student]
    train, test = responses.log.take(np.flatnonzero(~in_test)), responses.log.take(np.flatnonzero(in_test))
    lap("read_s")
    model = calibrate_log(train, responses.item_ids, responses.item_skills, seed=seed)
    lap("calibrate_s")
    ours = replay(model.to_arrays(responses.item_ids), test)
    baseline = item_rate_predictions(train, test, len(responses.item_ids))
    lap("predict_s")
    bkt = pybkt_predictions(responses, train, test, seed=seed, fits=bkt_fits, parallel=bkt_parallel)
    lap("pybkt_fit_predict_s")
    report = {
        "data": _describe(responses, path),
        "split": {"seed": seed, "test_fraction": 0.2, "train_students": int((~test_students).sum()),
                  "test_students": int(test_students.sum()), "train_attempts": len(train), "test_attempts": len(test)},
        "next_response": {"knowledge_model": scores(test.correct, ours), "pybkt": scores(test.correct, bkt),
                          "item_success_rate": scores(test.correct, baseline), "pybkt_num_fits": bkt_fits},
        "adaptive": adaptive_efficiency(model, responses, test, seed=seed, max_students=adaptive_students),
    }
    lap("adaptive_s")
    report["latency_ms"] = latency(model, seed=seed, repeats=latency_repeats)
    lap("latency_s")
    report["targets"], report["timings_s"] = _targets(report), timings
    return report
