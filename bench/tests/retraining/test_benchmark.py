"""The retraining benchmark's input file and its report (the run itself needs the real model: see README)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from annotation.training.evaluation import EvalCase, grade
from bench.retraining.benchmark import (
    BenchInputError, _holdout_targets, _percentiles, _pooled, files_described, read_corrections, read_holdout,
)
from django.conf import settings

FIXTURES = settings.BASE_DIR / "fixtures"
LINE = '{"course": "fractions", "question": "%s", "answer": "a", "gold": ["a"], "check": "exact", "rewordings": ["%s"]}'


def test_the_shipped_corrections_have_at_least_50_with_held_out_rewordings():
    rows = read_corrections(settings.BASE_DIR / "fixtures" / "retrain_corrections.jsonl")
    assert len(rows) >= 50 and all(len(row.rewordings) >= 2 for row in rows)
    assert {row.course for row in rows} == {"fractions", "photosynthesis"}
    for row in rows:  # a rewording that states the answer would prove nothing
        assert not any(gold.casefold() in text.casefold() for gold in row.gold for text in row.rewordings)


def test_the_holdout_file_is_written_apart_ten_corrections_a_course_three_rewordings_each():
    rows = read_holdout(FIXTURES / "retrain_corrections.jsonl", FIXTURES / "retrain_corrections_holdout.jsonl")
    assert sorted(row.course for row in rows) == ["fractions"] * 10 + ["photosynthesis"] * 10
    for row in rows:
        assert len(row.rewordings) == 3
        assert not any(gold.casefold() in text.casefold() for gold in row.gold for text in row.rewordings)
        assert grade(EvalCase("corrected", row.question, tuple(row.gold), row.check), row.answer), row.question


def test_a_holdout_that_shares_a_wording_with_the_tuning_file_is_refused(tmp_path):
    (tmp_path / "tuning.jsonl").write_text(LINE % ("What is 1/2 + 1/4?", "Add a half and a quarter.") + "\n")
    (tmp_path / "holdout.jsonl").write_text(LINE % ("Add 1/2 and 1/4.", "what is 1/2  + 1/4?") + "\n")
    with pytest.raises(BenchInputError, match="shares 1 questions or rewordings with tuning.jsonl"):
        read_holdout(tmp_path / "tuning.jsonl", tmp_path / "holdout.jsonl")


def test_the_report_names_the_file_tuned_on_and_the_file_reported():
    files = files_described(FIXTURES / "retrain_corrections.jsonl", FIXTURES / "retrain_corrections_holdout.jsonl")
    assert (files["tuned_on"]["file"], files["reported"]["file"]) == ("retrain_corrections.jsonl",
                                                                     "retrain_corrections_holdout.jsonl")
    assert files["held_out"] and files["reported"]["corrections"] == 20 and len(files["reported"]["sha256"]) == 64


def test_holdout_targets_are_the_issues():
    gate = {"judged": True, "reasons": []}
    course = {"gate": gate, "failed": {"active": [], "candidate": []}, "data": {"golden": 31}}
    report = {"accuracy": {"corrected": {"after": 85.0, "before": 10.0}, "reworded": {"after": 64.9}},
              "courses": {"fractions": course, "photosynthesis": {**course, "data": {"golden": 29}}},
              "train_and_eval_minutes": 14.5, "training": {"minutes": 9.0},
              "chat_latency": {"p95_training_vs_idle": 1.1}, "wrong_corrections": None}
    assert _holdout_targets(report) == {
        "corrected_after_at_least_85": True, "reworded_after_at_least_65": False,
        "golden_at_least_30_per_course": False, "no_significant_golden_loss": True,
        "no_verdict_on_failed_generations": True, "train_and_eval_under_15_minutes": True,
    }


@pytest.mark.parametrize("line, message", [
    ("not json", "line 1: not JSON"),
    ('{"course": "c", "question": "q", "answer": "a", "gold": ["a"], "check": "fuzzy"}', "field 'check'"),
    ('{"course": "c", "question": "q", "answer": "a", "gold": [], "check": "exact"}', "field 'gold'"),
    ('{"course": "c", "question": "q", "answer": "a", "gold": ["a"], "check": "exact", "x": 1}', "field 'x'"),
])
def test_a_bad_line_is_named_with_its_field(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(BenchInputError, match=message):
        read_corrections(path)


def test_an_empty_file_is_refused(tmp_path):
    (tmp_path / "empty.jsonl").write_text("\n")
    with pytest.raises(BenchInputError, match="no corrections"):
        read_corrections(tmp_path / "empty.jsonl")


def test_latency_percentiles():
    assert _percentiles([1.0, 2.0, 3.0, 4.0, 10.0]) == {"n": 5, "p50_s": 3.0, "p95_s": 10.0}


def test_pooled_accuracy_counts_failed_generations_apart():
    def run(active, candidate):
        return SimpleNamespace(report={"evaluation": {"active": {"scores": {"golden": active}},
                                                      "candidate": {"scores": {"golden": candidate}}}})

    runs = [run({"right": 3, "total": 4, "failed": 0}, {"right": 1, "total": 2, "failed": 2}),
            run({"right": 1, "total": 4, "failed": 0}, {"right": 4, "total": 4, "failed": 0})]
    assert _pooled(runs, "golden") == {"before": 50.0, "after": 83.33, "failed_before": 0, "failed_after": 2}
