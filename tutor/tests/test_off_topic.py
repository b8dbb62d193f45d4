"""Which questions a course that answers only on-topic questions turns away (tutor/off_topic.py): the decision
itself, and how well its thresholds separate the demo courses' questions from off-topic ones."""
import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from bench.retrieval.benchmark import course_passages
from learning.passage_search import hits_worth_prompting
from learning.retrieval import HybridIndex, MiniLMEncoder, TfidfIndex
from learning.sentences import word_stems
from tutor.grounding import is_calculation
from tutor.off_topic import ON_TOPIC_SCORE, TopicEvidence, off_topic

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
PLAIN = TopicEvidence(backend="tfidf", best_passage_score=None, calculation=False, practice=False,
                      teacher_answer=False, follow_up_words=None)


@pytest.mark.parametrize("change, refused", [
    ({}, True),  # nothing in the notes matches, and nothing else makes it the course's
    ({"best_passage_score": 0.079}, True),
    ({"best_passage_score": 0.08}, False),
    ({"backend": "hybrid", "best_passage_score": 0.12}, True),
    ({"backend": "hybrid", "best_passage_score": 0.15}, False),
    ({"backend": None}, False),  # a course without notes cannot tell
    ({"calculation": True}, False),
    ({"practice": True}, False),
    ({"teacher_answer": True}, False),
    ({"follow_up_words": 2}, False),  # "can you explain that again?"
    ({"follow_up_words": 3}, True),  # a new question, in an old conversation
])
def test_the_off_topic_decision(change, refused):
    assert off_topic(replace(PLAIN, **change)) is refused


def _evidence(backend: str, index, question: str) -> TopicEvidence:
    hits = hits_worth_prompting(backend, index.search(question, 3))
    return replace(PLAIN, backend=backend, best_passage_score=hits[0][1] if hits else None,
                   calculation=is_calculation(question))


def _on_topic_questions() -> list[tuple[str, str]]:
    retrieval = [json.loads(line) for line in (FIXTURES / "retrieval_eval.jsonl").read_text().splitlines()]
    tutor = [json.loads(line) for line in (FIXTURES / "tutor_eval.jsonl").read_text().splitlines()]
    return [(q["course"], q["question"]) for q in retrieval + [q for q in tutor if q["category"] == "factual"]]


def _indexes(backend: str) -> dict:
    notes = course_passages(FIXTURES / "content")
    if backend == "tfidf":
        return {course: TfidfIndex.build(passages) for course, passages in notes.items()}
    encoder = MiniLMEncoder()
    return {course: HybridIndex.build(passages, encoder=encoder) for course, passages in notes.items()}


BACKENDS = ["tfidf", pytest.param("hybrid", marks=pytest.mark.skipif(
    not os.environ.get("TUTOR_TEST_EMBEDDINGS"), reason="set TUTOR_TEST_EMBEDDINGS=1 to load MiniLM"))]


@pytest.mark.parametrize("backend", BACKENDS)
def test_measured_on_the_demo_courses(backend):
    """Keeps at least 99 % of the demo courses' own questions; prints how many off-topic ones it turns away
    (each asked in every course). Run with ``-s`` to read the numbers."""
    indexes = _indexes(backend)
    on_topic = _on_topic_questions()
    off = (FIXTURES / "off_topic_questions.txt").read_text().split("\n")
    off_cases = [(course, question) for question in off if question.strip() for course in indexes]
    turned_away = [q for c, q in on_topic if off_topic(_evidence(backend, indexes[c], q))]
    refused = [q for c, q in off_cases if off_topic(_evidence(backend, indexes[c], q))]
    print(json.dumps({"backend": backend, "threshold": ON_TOPIC_SCORE[backend],
                      "on_topic_kept": f"{len(on_topic) - len(turned_away)}/{len(on_topic)}",
                      "off_topic_turned_away": f"{len(refused)}/{len(off_cases)}", "on_topic_turned_away": turned_away}))
    assert len(turned_away) <= 0.01 * len(on_topic), turned_away
    assert len(refused) >= 0.5 * len(off_cases)


def test_follow_up_words_are_the_content_words():
    assert len(word_stems("Can you explain that again?")) == 2 and len(word_stems("Why?")) == 0
