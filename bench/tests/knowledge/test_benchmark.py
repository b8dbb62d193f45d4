"""The knowledge benchmark: CSV reading and validation, and an end-to-end run on a tiny log."""
import csv
import io
import json

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from bench.knowledge.benchmark import ResponseFormatError, read_responses, run_benchmark
from bench.knowledge.synth import generate


def _write(path, header, rows):
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def tiny_rows():
    return generate(n_students=40, seed=3).rows  # (student, item, skill, correct, order)


@pytest.fixture(scope="module")
def with_order(tmp_path_factory, tiny_rows):
    rows = list(tiny_rows)
    np.random.default_rng(0).shuffle(rows)  # the order column, not the row order, must count
    return _write(tmp_path_factory.mktemp("bench") / "with_order.csv", ["student", "item", "skill", "correct", "order"],
                  rows)


@pytest.fixture(scope="module")
def without_order(tmp_path_factory, tiny_rows):
    rows = sorted(tiny_rows, key=lambda r: (r[4], r[0]))  # students interleaved, attempts in order
    return _write(tmp_path_factory.mktemp("bench") / "no_order.csv", ["student", "item", "skill", "correct"],
                  [r[:4] for r in rows])


@pytest.fixture(scope="module")
def command_report(with_order, tmp_path_factory):
    out, printed = tmp_path_factory.mktemp("bench") / "report.json", io.StringIO()
    call_command("knowledge_bench", "--responses", str(with_order), "--out", str(out), "--seed", "1",
                 "--adaptive-students", "10", "--latency-repeats", "20", stdout=printed)
    report = json.loads(printed.getvalue())
    assert json.loads(out.read_text()) == report
    return report


def test_the_command_reports_every_part(command_report):
    report = command_report
    assert report["data"]["has_order"] is True and report["data"]["multi_skill_items"] > 0
    for name in ("knowledge_model", "pybkt", "item_success_rate"):
        assert 0.5 < report["next_response"][name]["auc"] <= 1.0
        assert 0 < report["next_response"][name]["log_loss"] < 1.0
    for mode in ("diagnose", "random"):
        assert set(report["adaptive"][mode]["auc_unrevealed_at_k"]) == {"5", "10", "20"}
    assert report["latency_ms"]["bank_items"] == 10_000
    assert report["latency_ms"]["update_plus_diagnose"]["p50"] > 0
    assert set(report["targets"]) == {"auc_margin_over_pybkt", "diagnose_k10_vs_random_k20",
                                      "update_plus_selection_p99_ms"}


def test_a_file_without_order_gives_the_same_attempts_and_predictions(command_report, without_order):
    report = run_benchmark(without_order, seed=1, adaptive_students=10, latency_repeats=5)
    assert report["data"]["has_order"] is False
    assert report["split"] == command_report["split"]
    ours, theirs = report["next_response"], command_report["next_response"]
    assert ours["knowledge_model"]["auc"] == pytest.approx(theirs["knowledge_model"]["auc"], abs=0.01)
    assert ours["item_success_rate"] == theirs["item_success_rate"]


def test_row_order_is_the_attempt_order_without_an_order_column(tmp_path):
    path = _write(tmp_path / "r.csv", ["student", "item", "skill", "correct"],
                  [("s1", "i1", "a", 1), ("s2", "i1", "a", 0), ("s1", "i2", "a;b", 0), ("s1", "i1", "a", 1)])
    responses = read_responses(path)
    s1 = responses.log.student == responses.student_ids.index("s1")
    assert [responses.item_ids[i] for i in responses.log.item[s1]] == ["i1", "i2", "i1"]
    assert responses.item_skills[responses.item_ids.index("i2")] == ("a", "b")


def test_one_row_per_skill_with_the_same_order_is_one_attempt(tmp_path):
    path = _write(tmp_path / "r.csv", ["student", "item", "skill", "correct", "order"],
                  [("s1", "i1", "a", 1, 1), ("s1", "i1", "b", 1, 1), ("s1", "i2", "", 0, 2)])
    responses = read_responses(path)
    assert len(responses.log) == 2 and responses.rows == 3
    assert responses.item_skills == [("a", "b"), ("(untagged)",)]


@pytest.mark.parametrize("header, row, expected", [
    (["student", "item", "skill", "correct"], ("s1", "i1", "a", "yes"), "row 3, column 'correct'"),
    (["student", "item", "skill", "correct", "order"], ("s1", "i1", "a", "1", "soon"), "row 3, column 'order'"),
    (["student", "item", "skill", "correct"], ("s1", "", "a", "1"), "row 3, column 'item'"),
    (["student", "item", "skill", "correct"], ("s1", "i1", "a"), "row 3, column 4"),
    (["student", "skill", "correct"], ("s1", "a", "1"), "row 1, column 'item'"),
])
def test_a_malformed_file_is_rejected_naming_row_and_column(tmp_path, header, row, expected):
    good = ("s0", "i0", "a", "1", "0")[: len(header)] if "item" in header else ("s0", "a", "1")
    path = _write(tmp_path / "bad.csv", header, [good, row])
    with pytest.raises(ResponseFormatError, match=expected.replace("(", r"\(")):
        read_responses(path)
    with pytest.raises(CommandError, match="row"):
        call_command("knowledge_bench", "--responses", str(path), stdout=io.StringIO())
