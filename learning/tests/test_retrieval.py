"""Passage splitting and the retrieval back ends (the benchmark's tests are in bench/tests/retrieval)."""
import os

import numpy as np
import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from learning.passages import split_markdown, split_text
from learning.retrieval import (EmbeddingIndex, EmbeddingUnavailable, HybridIndex, Passage, TfidfIndex,
                                embedding_unavailable_reason)
from learning.tests.fake_encoder import HashingEncoder


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
