"""router_bench end to end on a scripted engine: prompts as the tutor builds them, grading, and the report."""
import io
import json
import random
import re
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from bench.router import benchmark
from bench.router.simulation import Curve, active_simulation, verdicts_needed
from learning.tests.fake_encoder import HashingEncoder
from tutor.engine.types import Completion, ConfidenceFeatures, TokenDelta

CONTENT = Path(__file__).resolve().parents[3] / "fixtures" / "content"


class ScriptedEngine:
    """Answers "What is a + b?" right or wrong at random; sure of itself (mostly) when right."""

    def __init__(self, seed: int = 0):
        self.rng = random.Random(seed)
        self.requests = []

    async def stream(self, request):
        self.requests.append(request)
        question = request.history[-1].content.rsplit("[Student's question]\n", 1)[-1]
        a, b = map(int, re.findall(r"\d+", question))
        right = self.rng.random() < 0.5
        text = f"Add them: the sum is {a + b if right else a + b + 1}."
        sure = right if self.rng.random() < 0.92 else not right
        mean = -0.1 - self.rng.random() * 0.3 if sure else -1.5 - self.rng.random()
        yield TokenDelta(text)
        yield Completion(text, ConfidenceFeatures(mean, mean - 1, 1.0, 12), 0.5, 100, 0, "stop", "scripted")


@pytest.fixture
def qa_file(tmp_path) -> Path:
    lines = [{"question": f"What is {a} + {a + 3}? Think about denominators.", "gold": [str(2 * a + 3)],
              "check": "numeric"} for a in range(1, 81)]
    path = tmp_path / "qa.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return path


def run(qa_file, tmp_path, *extra) -> tuple[dict, dict]:
    out = tmp_path / "report.json"
    call_command("router_bench", "--qa", str(qa_file), "--course", "fractions", "--out", str(out),
                 "--repeats", "2", *extra, stdout=(printed := io.StringIO()))
    return json.loads(printed.getvalue()), json.loads(out.read_text())


def test_bench_answers_grades_and_reports_in_one_run(qa_file, tmp_path, use_engine):
    engine = ScriptedEngine()
    use_engine(engine)
    summary, report = run(qa_file, tmp_path)

    assert summary["questions"] == 80 and len(report["answers"]) == 80 and "answers" not in summary
    right = sum("sum is " + a["gold"][0] + "." in a["answer"] for a in report["answers"])
    assert summary["answers_right"] == right and 20 < right < 60
    # Every question was asked the way the tutor asks: the course's system prompt and its retrieved notes.
    assert all('"Fractions"' in r.system_prompt for r in engine.requests)
    assert all("[Context for the tutor]" in r.history[-1].content for r in engine.requests)
    # Confidence separates right from wrong here (by construction, 92 % of the time).
    assert summary["router"]["auroc"] > 0.75 and summary["mean_logprob"]["auroc"] > 0.75
    assert summary["random"]["catch"] == {"10%": 0.1, "20%": 0.2, "30%": 0.3}
    assert summary["router"]["catch"]["20%"] > summary["random"]["catch"]["20%"]
    assert summary["targets"]["auroc_at_least_0.75"] is True
    simulation = summary["active_simulation"]
    assert simulation["pool"] + simulation["test"] == 80 and simulation["embeddings"] == "tfidf"
    assert simulation["plans"]["fix"]["verdicts_needed"]["mean"] <= simulation["pool"]
    assert "curve" not in simulation["plans"]["fix"]
    assert len(report["active_simulation"]["plans"]["fix"]["curve"]) == -(-simulation["pool"] // 10)
    assert summary["held_out_simulation"] is None  # no held-out file
    assert len(report["router"]["reliability"]) == 10


def test_regrade_reproduces_a_run_without_the_model(qa_file, tmp_path, use_engine):
    use_engine(ScriptedEngine())
    _, report = run(qa_file, tmp_path)
    again = tmp_path / "again.json"
    call_command("router_bench", "--regrade", str(tmp_path / "report.json"), "--repeats", "2", "--batch", "30", "--out", str(again),
                 stdout=io.StringIO())
    regraded = json.loads(again.read_text())
    assert [a["correct"] for a in regraded["answers"]] == [a["correct"] for a in report["answers"]]
    assert regraded["router"]["auroc"] == report["router"]["auroc"]


def test_bad_question_file_names_the_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "q", "gold": ["1"], "check": "numeric"}\n{"question": "q"}\n')
    with pytest.raises(CommandError, match="line 2"):
        call_command("router_bench", "--qa", str(bad), "--course", "fractions")
    with pytest.raises(CommandError, match="no notes"):
        call_command("router_bench", "--qa", str(_one_line(tmp_path)),
                     "--course", "astronomy")


def _one_line(tmp_path) -> Path:
    path = tmp_path / "one.jsonl"
    path.write_text('{"question": "What is 1 + 2?", "gold": ["3"], "check": "numeric"}\n')
    return path


def test_verdicts_needed_is_where_the_curve_stays_close_to_its_end():
    curve = Curve([10, 20, 30, 40, 50], [0.60, 0.79, 0.70, 0.785, 0.80], [0] * 5)
    assert verdicts_needed(curve, 0.02) == 40  # 20 came close but fell away again


def _answers(n: int = 150):
    rng = np.random.default_rng(0)
    rows, correct = [], []
    for _ in range(n):
        row = {"mean_logprob": float(rng.normal()), "passage_support": float(rng.normal())}
        rows.append(row)
        correct.append(bool(rng.random() < 1 / (1 + np.exp(-2 * row["mean_logprob"]))))
    return rows, correct, rng.normal(size=(n, 8))


PLANS = {"random", "fix", "uncertainty", "diverse", "model_change", "fix+uncertainty"}


def test_simulation_compares_each_plan_with_random_verdicts_on_paired_splits():
    rows, correct, embeddings = _answers()
    result = active_simulation(rows, correct, embeddings=embeddings, batch=35, repeats=2, learn_share=0.4)
    assert set(result["plans"]) == PLANS and result["repeats"] == 2
    assert result["fix_slots_per_batch"] == 21  # 35 - floor(35 x 0.4)
    for name, plan in result["plans"].items():
        needed = plan["verdicts_needed"]
        assert 35 <= needed["ci95"][0] <= needed["mean"] <= needed["ci95"][1] <= result["pool"]
        assert plan["vs_random"]["ci95"][0] <= plan["vs_random"]["ratio"] <= plan["vs_random"]["ci95"][1]
        assert plan["final_auroc_mean"] > 0.7
        assert 0 <= plan["fix_caught_per_day"]["mean"] <= 21
    plans = result["plans"]
    assert plans["random"]["vs_random"] == {"ratio": 1.0, "ci95": [1.0, 1.0]}
    assert plans["fix"]["fix_caught_vs_fix_only"]["ratio"] == 1.0
    assert len({p["final_auroc_mean"] for p in plans.values()}) == 1  # all end with the whole pool
    assert (plans["fix"]["learn_strategy"], plans["fix+uncertainty"]["learn_share"]) == (None, 0.4)


def test_simulation_is_repeatable_under_a_seed_and_leaves_diversity_out_without_embeddings():
    rows, correct, embeddings = _answers(90)
    run = lambda seed: active_simulation(rows, correct, embeddings=embeddings, batch=30, repeats=2,  # noqa: E731
                                         seed=seed)["plans"]
    assert run(3) == run(3)
    without = active_simulation(rows, correct, batch=30, repeats=2, learn_strategy="uncertainty")
    assert set(without["plans"]) == {"random", "fix", "uncertainty", "model_change", "fix+uncertainty"}


def test_question_embeddings_come_from_the_encoder_when_retrieval_uses_it(settings, monkeypatch):
    settings.LEARNING_RETRIEVAL = "hybrid"
    monkeypatch.setattr(benchmark, "shared_encoder", HashingEncoder)
    vectors, kind = benchmark.question_embedder()(["What is 1 + 2?", "Which gas do plants take in?"])
    assert kind == "minilm" and vectors.shape == (2, 64)
    settings.LEARNING_RETRIEVAL = "tfidf"
    vectors, kind = benchmark.question_embedder()(["What is 1 + 2?", "Which gas do plants take in?"])
    assert kind == "tfidf" and vectors.shape[0] == 2


def test_a_held_out_file_is_judged_by_the_router_fitted_on_the_main_file(qa_file, tmp_path, use_engine):
    use_engine(ScriptedEngine(seed=3))
    held_out = tmp_path / "held_out.jsonl"
    held_out.write_text("\n".join(json.dumps({"question": f"What is {a} + {a + 5}?", "gold": [str(2 * a + 5)],
                                              "check": "numeric", "course": "fractions"}) for a in range(1, 41)))
    summary, report = run(qa_file, tmp_path, "--holdout", str(held_out))
    assert summary["questions"] == 80 and len(report["held_out_answers"]) == 40
    assert summary["held_out"]["questions"] == 40 and summary["held_out"]["auroc"] > 0.75
    held_out_simulation = summary["held_out_simulation"]
    assert held_out_simulation["pool"] + held_out_simulation["test"] == 40
    assert set(held_out_simulation["plans"]) == PLANS


@pytest.mark.parametrize("flags, message", [
    (["--learn-share", "1.5"], "--learn-share: expected a share from 0 to 1; got 1.5"),
    (["--repeats", "1"], "--repeats must be at least 2"),
])
def test_bad_simulation_flags_are_refused_before_any_work(tmp_path, flags, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("router_bench", "--qa", str(_one_line(tmp_path)), "--course", "fractions", *flags)
