"""A model version's teacher answers: the corrections it was trained on, found again for similar questions.

A fine-tuned 135M model learns the corrected questions but generalises little to other wordings of them. So
a version also carries the teachers' answers it was trained on (``teacher_answers.json`` in its adapter
folder, covered by the folder's hash), and the prompt of a question close to one of them shows that answer
to the model, which was trained to use it. Close means: the question embeddings' cosine similarity is at
least TUTOR_TEACHER_ANSWER_MIN_SIMILARITY (TF-IDF's when the embedding model is off) and both questions
state the same numbers, since "3/4 + 5/6" and "3/4 + 1/6" read alike and have different answers.
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

ANSWERS_FILE = "teacher_answers.json"
TFIDF_MIN_SIMILARITY = 0.5
_NUMBER = re.compile(r"\d+(?:[.,/]\d+)*")


@dataclass(frozen=True)
class TeacherAnswer:
    question: str
    answer: str


def write_teacher_answers(folder: Path, answers: list[TeacherAnswer]) -> None:
    (Path(folder) / ANSWERS_FILE).write_text(json.dumps([asdict(a) for a in answers], ensure_ascii=False, indent=0))


def read_teacher_answers(folder: Path) -> list[TeacherAnswer]:
    path = Path(folder) / ANSWERS_FILE
    if not path.is_file():
        return []
    return [TeacherAnswer(str(row["question"]), str(row["answer"])) for row in json.loads(path.read_text())]


def stated_numbers(text: str) -> frozenset[str]:
    return frozenset(number.replace(",", "") for number in _NUMBER.findall(text))


class TeacherAnswerIndex:
    """Finds the teacher answer whose question matches a new one (pure: numpy and an encoder, or TF-IDF)."""

    def __init__(self, answers: list[TeacherAnswer], encoder=None, min_similarity: float = 0.65):
        self.answers = answers
        self._encoder = encoder
        self._numbers = [stated_numbers(a.question) for a in answers]
        questions = [a.question for a in answers]
        if not answers:
            return
        if encoder is not None:
            self._vectors, self._min = (encoder.encode(questions) if answers else np.zeros((0, 1))), min_similarity
        else:
            from sklearn.feature_extraction.text import TfidfVectorizer

            self._tfidf = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(questions or ["empty"])
            self._vectors, self._min = self._tfidf.transform(questions), TFIDF_MIN_SIMILARITY

    def find(self, question: str) -> TeacherAnswer | None:
        if not self.answers:
            return None
        similarities = self._similarities(question)
        numbers = stated_numbers(question)
        for index in np.argsort(-similarities):
            if similarities[index] < self._min:
                return None
            if self._numbers[index] == numbers:
                return self.answers[index]
        return None

    def _similarities(self, question: str) -> np.ndarray:
        if self._encoder is not None:
            return self._vectors @ self._encoder.encode([question])[0]
        return (self._vectors @ self._tfidf.transform([question]).T).toarray().ravel()


_indexes: dict[tuple[str, str], TeacherAnswerIndex] = {}  # by version and content: ids may be reused in tests
_lock = threading.Lock()


def teacher_answer_for(*, adapter, question: str) -> TeacherAnswer | None:
    """The teacher answer of ``adapter``'s version that matches ``question``, if any (index cached per version)."""
    if adapter is None:
        return None
    with _lock:
        index = _indexes.get((adapter.key, adapter.sha256))
    if index is None:
        index = _build(adapter)
        with _lock:
            _indexes[(adapter.key, adapter.sha256)] = index
    return index.find(question)


def _build(adapter) -> TeacherAnswerIndex:
    from django.conf import settings

    from learning.passage_search import shared_encoder

    encoder = shared_encoder() if settings.LEARNING_RETRIEVAL == "hybrid" else None
    return TeacherAnswerIndex(read_teacher_answers(Path(adapter.path)), encoder,
                              settings.TUTOR_TEACHER_ANSWER_MIN_SIMILARITY)
