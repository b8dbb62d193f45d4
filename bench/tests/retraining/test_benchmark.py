"""The retraining benchmark's input file and its report (the run itself needs the real model: see README)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from bench.retraining.benchmark import BenchInputError, _percentiles, _pooled, read_corrections
from django.conf import settings


def test_the_shipped_corrections_have_at_least_50_with_held_out_rewordings():
    rows = read_corrections(settings.BASE_DIR / "fixtures" / "retrain_corrections.jsonl")
    assert len(rows) >= 50 and all(len(row.rewordings) >= 2 for row in rows)
    assert {row.course for row in rows} == {"fractions", "photosynthesis"}
    for row in rows:  # a rewording that states the answer would prove nothing
        assert not any(gold.casefold() in text.casefold() for gold in row.gold for text in row.rewordings)


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
