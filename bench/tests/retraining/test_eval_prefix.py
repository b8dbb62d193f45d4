"""The evaluation prefix benchmark: its prompts, its arm order, its baseline switch (on a tiny random model) and its
report."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings

from bench.retraining.eval_prefix import _measure, arm_order, case_prompts, summarise
from tutor.echo import CONTEXT_HEADER, QUESTION_HEADER
from tutor.engine.config import EngineConfig
from tutor.engine.tests.conftest import make_model, make_tokenizer
from tutor.engine.tests.test_adapters import write_adapter
from tutor.engine.transformers_engine import TransformersEngine

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


def test_the_prompts_are_the_tutors_shape_from_both_demo_courses_and_the_same_every_run():
    prompts = case_prompts(FIXTURES, 90)
    assert len(prompts) == 90 and prompts == case_prompts(FIXTURES, 90)
    systems = {system for system, _ in prompts}
    assert len(systems) == 2 and all("Course material:" in system for system in systems)
    assert all(turn.startswith(CONTEXT_HEADER + "Course notes that may help:\n- ") and QUESTION_HEADER in turn
               for _, turn in prompts)
    assert all(turn.count("\n- ") == 3 for _, turn in prompts)  # three passages, each on one line as the tutor puts it
    assert "What is 5/8 − 1/4?" in prompts[0][1]


def test_the_arms_alternate_so_that_neither_always_runs_first():
    assert arm_order(1) == ["unshared", "shared"]
    assert arm_order(2) == ["unshared", "shared", "shared", "unshared"]


def test_the_baseline_shares_no_adapter_prefix_and_both_arms_answer_alike(tmp_path):
    tokenizer = make_tokenizer()
    engine = TransformersEngine.from_model(make_model(tokenizer), tokenizer,
                                           EngineConfig(cache_dir=tmp_path / "unused", prefix_cache_mb=16,
                                                        max_new_tokens=6), model_name="tiny")
    try:
        adapter = write_adapter(tokenizer, tmp_path / "adapter", seed=1)
        system = "You are a tutor for the course Cells. The cell is the basic unit of life; mitochondria make energy."
        prompts = [(system, question) for question in ("What is a cell?", "Why energy?", "What is life?")]
        unshared = _measure(engine, prompts, adapter, "unshared")
        assert len(engine._batcher.prefixes) == 1  # the base model's system prompt only
        assert "_build_prompt" not in vars(engine)  # the switch is undone
        shared = _measure(engine, prompts, adapter, "shared")
        assert len(engine._batcher.prefixes) == 2  # and now the adapter's
    finally:
        engine.close()
    assert unshared["answers"] == shared["answers"] == 6 and unshared["failed"] == shared["failed"] == 0
    assert unshared["answer_chars"] == shared["answer_chars"]


def test_the_report_gives_the_shared_arm_as_a_ratio_of_the_baseline_by_median():
    runs = [{"arm": "unshared", "wall_s": 340.0, "cpu_s": 570.0, "answer_chars": 10},
            {"arm": "shared", "wall_s": 320.0, "cpu_s": 510.0, "answer_chars": 10},
            {"arm": "shared", "wall_s": 318.0, "cpu_s": 520.0, "answer_chars": 10},
            {"arm": "unshared", "wall_s": 360.0, "cpu_s": 590.0, "answer_chars": 10}]
    report = summarise(runs, cases=90)
    assert report["wall_s_shared_vs_unshared"] == round(319.0 / 350.0, 3)
    assert report["cpu_s_shared_vs_unshared"] == round(515.0 / 580.0, 3)
    assert report["same_answers_in_every_run"]
    assert not summarise([*runs[:3], {**runs[3], "answer_chars": 11}], cases=90)["same_answers_in_every_run"]
