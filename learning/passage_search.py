"""The course passages most relevant to a question (a selector over learning.retrieval's pure indexes).

``LEARNING_RETRIEVAL`` picks the back end: "hybrid" (TF-IDF blended with all-MiniLM-L6-v2 embeddings, the
default: recall@1 0.86 against 0.71 for TF-IDF alone on the demo courses, see ``manage.py retrieval_bench``) or
"tfidf". Without the embedding package, "hybrid" falls back to TF-IDF and logs why once.

A course's index is built from its passages once per content revision and cached in process; imports bump
``Course.content_revision``, so every process rebuilds after a change.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from django.conf import settings

from learning.course_cache import CourseCache
from learning.models import Course, Passage
from learning.retrieval import EmbeddingUnavailable, HybridIndex, MiniLMEncoder, TfidfIndex
from learning.retrieval import Passage as IndexedPassage

logger = logging.getLogger(__name__)

# A passage must score at least this (by back end: the scales differ), and this share of the best passage's
# score, to be worth prompt tokens. Off-topic questions score about 0.07 under both back ends on the demo
# courses; relevant passages score 0.3-0.5 (hybrid) and 0.08-0.3 (TF-IDF).
MIN_SCORE = {"hybrid": 0.15, "tfidf": 0.05}
MIN_SHARE_OF_BEST = 0.5

_indexes: CourseCache[tuple[str, TfidfIndex | HybridIndex | None, dict[int, Passage]]] = CourseCache(
    revision_fields=("content_revision",)
)
_encoder_lock = threading.Lock()
_encoder: list = []  # [] not tried yet; [None] unavailable; [MiniLMEncoder] loaded


@dataclass(frozen=True)
class PassageHit:
    id: int
    source: str
    title: str
    text: str
    score: float


def passages_for_question(*, course: Course, question: str, limit: int) -> list[PassageHit]:
    if limit <= 0:
        return []
    backend, index, passages = _indexes.get(course, lambda revision: _build(course))
    if index is None:
        return []
    hits = hits_worth_prompting(backend, index.search(question, limit))
    return [_hit(passages[int(pid)], score) for pid, score in hits if int(pid) in passages]


def course_retrieval_backend(*, course: Course) -> str | None:
    """The back end whose scale the course's passage scores are on ("hybrid" or "tfidf"); None when the
    course has no passages."""
    backend, index, _ = _indexes.get(course, lambda revision: _build(course))
    return backend if index is not None else None


def hits_worth_prompting(backend: str, hits: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The search hits (best first) that clear both floors: MIN_SCORE and a share of the best hit."""
    floor = max(MIN_SCORE[backend], MIN_SHARE_OF_BEST * hits[0][1]) if hits else 0.0
    return [(pid, score) for pid, score in hits if score >= floor]


def passage_indexes_warm() -> int:
    """Build the index of every course that has passages (at server start, so no student waits for it)."""
    courses = Course.objects.filter(passages__isnull=False).distinct()
    for course in courses:
        _indexes.get(course, lambda revision, course=course: _build(course))
    return len(courses)


def _hit(passage: Passage, score: float) -> PassageHit:
    return PassageHit(passage.id, passage.source, passage.title, passage.text, round(float(score), 4))


def _build(course: Course):
    passages = {p.id: p for p in Passage.objects.filter(course=course)}
    if not passages:
        return "tfidf", None, passages
    indexed = [IndexedPassage(str(p.id), p.title, p.text) for p in passages.values()]
    encoder = shared_encoder() if settings.LEARNING_RETRIEVAL == "hybrid" else None
    if encoder is None:
        return "tfidf", TfidfIndex.build(indexed), passages
    return "hybrid", HybridIndex.build(indexed, encoder=encoder), passages


def shared_encoder() -> MiniLMEncoder | None:
    """The process's one MiniLM encoder, loaded on first use; None (logged once) when it cannot be loaded."""
    with _encoder_lock:
        if not _encoder:
            try:
                _encoder.append(MiniLMEncoder())
            except EmbeddingUnavailable as exc:
                logger.warning("passage retrieval falls back to TF-IDF: %s", exc)
                _encoder.append(None)
        return _encoder[0]


def sentence_similarity():
    """The cosine of a question and each of some sentences, by the shared encoder, when retrieval uses it
    (``tutor.grounding`` ranks supporting sentences with it); None under TF-IDF or without the encoder."""
    encoder = shared_encoder() if settings.LEARNING_RETRIEVAL == "hybrid" else None
    if encoder is None:
        return None

    def similarity(question: str, texts) -> list[float]:
        vectors = encoder.encode([question, *texts])
        return [float(score) for score in vectors[1:] @ vectors[0]]

    return similarity
