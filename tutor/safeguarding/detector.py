"""Does a student's message signal that they, or someone, are at risk? The policy, in order:

1. **Phrases.** A curated phrase of any configured language (``phrases.py``), read after the language's idioms
   are taken out, is a signal of its kind.
2. **Similarity.** Where a sentence encoder runs, the message is compared in meaning with labelled examples
   (``examples.py``). It is a signal when its closest risk example scores at least ``min_similarity`` *and*
   beats the closest ordinary example by ``margin``: "this homework is killing me" sits near "I want to kill
   myself" in meaning, and nearer still to the hyperbole it is.

Phrases come first because they are exact and cost nothing; similarity catches the wordings no list holds.
Without an encoder (the TF-IDF setting, or no model installed) phrases decide alone. Recall comes before
precision: a teacher reading a false alert costs minutes, a missed one may cost far more. The thresholds were
chosen on half of ``fixtures/safeguarding_messages.csv`` (``manage.py safeguarding_eval``).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from tutor.safeguarding.examples import OK_EXAMPLES, RISK_EXAMPLES
from tutor.safeguarding.phrases import PHRASES

MIN_SIMILARITY = 0.4
MARGIN = 0.1


@dataclass(frozen=True)
class Signal:
    kind: str  # phrases.KINDS
    source: str  # "phrase" or "similarity"
    evidence: str  # the matched words, or the closest risk example
    score: float | None = None  # the cosine of the closest risk example (similarity only)


@dataclass(frozen=True)
class Nearest:
    """The closest labelled examples to one message."""
    risk_score: float
    risk_kind: str
    risk_example: str
    ok_score: float


NearestExamples = Callable[[str], Nearest]


def detect(text: str, *, languages: Sequence[str] = ("en",), nearest: NearestExamples | None = None,
           min_similarity: float = MIN_SIMILARITY, margin: float = MARGIN) -> Signal | None:
    """The first risk signal in ``text``, or None. ``nearest``: the similarity check (``ExampleSimilarity``),
    None to decide on phrases alone. An unknown language is a ValueError, so a typo in a setting fails loudly."""
    for language in languages:
        if language not in PHRASES:
            raise ValueError(f"no safeguarding phrase list for the language {language!r}; known: {sorted(PHRASES)}")
        found = PHRASES[language].match(text)
        if found:
            return Signal(kind=found[0], source="phrase", evidence=found[1])
    if nearest is None:
        return None
    close = nearest(text)
    if close.risk_score >= min_similarity and close.risk_score - close.ok_score >= margin:
        return Signal(kind=close.risk_kind, source="similarity", evidence=close.risk_example,
                      score=round(close.risk_score, 4))
    return None


class ExampleSimilarity:
    """The labelled examples embedded once by ``encoder`` (anything with ``encode(texts)`` returning one
    L2-normalised row per text, such as ``learning.retrieval.MiniLMEncoder``); calling it with a message gives
    its ``Nearest``."""

    def __init__(self, encoder, risk: dict[str, Sequence[str]] = RISK_EXAMPLES, ok: Sequence[str] = OK_EXAMPLES):
        self._encoder = encoder
        self._risk = [(kind, example) for kind, examples in risk.items() for example in examples]
        self._risk_vectors = encoder.encode([example for _, example in self._risk])
        self._ok_vectors = encoder.encode(list(ok))

    def __call__(self, text: str) -> Nearest:
        vector = self._encoder.encode([text])[0]
        risk_scores = self._risk_vectors @ vector
        best = int(np.argmax(risk_scores))
        kind, example = self._risk[best]
        return Nearest(risk_score=float(risk_scores[best]), risk_kind=kind, risk_example=example,
                       ok_score=float(np.max(self._ok_vectors @ vector)))
