"""What the router knows about one tutor answer, as a fixed vector of numbers (pure).

Token-probability features come from the engine; the rest are read from the question, the answer, the
course passages the tutor was given and the checks the answer passed (the exact solver's, or the course-notes
sentence it was told to answer from). Every feature is cheap: the router runs on every answer.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from annotation.router.arithmetic import agreement, solver_status, solver_verdict
from annotation.router.qa import numbers_in
from learning.sentences import content_words, sentences
from learning.support import answer_after_quote

FEATURE_NAMES = (
    "mean_logprob",  # engine: mean log-probability of the chosen tokens
    "min_logprob",  # engine: the least likely token chosen
    "mean_entropy",  # engine: how spread the next-token distributions were
    "log_tokens",  # log(1 + tokens generated)
    "top_passage_score",  # retrieval score of the best passage given to the tutor (0: none)
    "passage_support",  # share of the answer's content words that the passages contain
    "question_echo",  # share of the answer's content words taken from the question
    "numbers_in_question",  # log(1 + numbers the question states): arithmetic the model must do
    "new_numbers",  # log(1 + numbers the answer states that neither the question nor the passages do)
    "novel_support",  # of the answer's words not taken from the question, the share the passages contain
    "claim_support",  # of the new words in the answer's first sentence, the share found in the passage
    # sentences that best match the question: is the answer's claim what the notes say to this question?
    "novel_unsupported",  # log(1 + answer words found in neither the question nor the passages)
    "repetition",  # share of the answer's word trigrams that repeat: small models loop when lost
    "arithmetic_check",  # +1 / -1: the answer's result agrees with / contradicts or lacks the exact solution
    "checked_by_solver",  # 1: the result the answer shows was verified by the exact solver
    "solver_contradicted",  # 1: the result the answer shows contradicts the exact solution, unrepaired
    "checked_by_source",  # 1: the answer's first sentence says what the course-notes sentence it cites says
    "hedges",  # "I think", "not sure", "maybe": the model saying it is unsure
    "cut_short",  # 1 when the answer used the whole token budget (it was cut, not finished)
    "redactions",  # an open practice item's answer had to be taken out
)

_HEDGES = re.compile(
    r"\b(i think|i believe|not sure|i'm not|maybe|perhaps|might be|probably|i guess|possibly|it seems|"
    r"i don't know|i do not know|unclear|approximately)\b"
)


@dataclass(frozen=True)
class AnswerEvidence:
    """One answer with what it was built from, as stored with the message."""

    question: str
    answer: str
    token_features: dict = field(default_factory=dict)  # mean_logprob, min_logprob, mean_entropy, n_tokens
    passage_texts: tuple[str, ...] = ()
    passage_scores: tuple[float, ...] = ()
    cut_short: bool = False  # generation stopped at the token limit, not at its end
    redactions: int = 0
    check: dict = field(default_factory=dict)  # the tutor's check record: kind, status, regenerated, fallback
    sources: tuple[str, ...] = ()  # the course-notes sentences the answer carries as its sources


def answer_features(evidence: AnswerEvidence) -> dict[str, float]:
    tokens = evidence.token_features
    n_tokens = int(tokens.get("n_tokens") or 0)
    answer_words = content_words(evidence.answer)
    passage_words = set().union(*(content_words(text) for text in evidence.passage_texts))
    question_words = content_words(evidence.question)
    known_numbers = set(numbers_in(evidence.question)).union(*(numbers_in(t) for t in evidence.passage_texts))
    novel = answer_words - question_words
    status = solver_status(evidence.question, evidence.answer)
    verdict = solver_verdict(status, evidence.check)
    features = {
        "mean_logprob": _finite(tokens.get("mean_logprob"), -5.0),
        "min_logprob": max(_finite(tokens.get("min_logprob"), -20.0), -20.0),
        "mean_entropy": _finite(tokens.get("mean_entropy"), 5.0),
        "log_tokens": math.log1p(n_tokens),
        "top_passage_score": max(evidence.passage_scores, default=0.0),
        "passage_support": _share(answer_words, passage_words),
        "question_echo": _share(answer_words, question_words),
        "numbers_in_question": math.log1p(len(numbers_in(evidence.question))),
        "new_numbers": math.log1p(len(set(numbers_in(evidence.answer)) - known_numbers)),
        "novel_support": _share(novel, passage_words),
        "claim_support": _claim_support(evidence, question_words),
        "novel_unsupported": math.log1p(len(novel - passage_words)),
        "repetition": _repetition(evidence.answer),
        "arithmetic_check": agreement(status),
        "checked_by_solver": float(verdict == "verified"),
        "solver_contradicted": float(verdict == "contradicted"),
        "checked_by_source": float(_source_backs_claim(evidence, question_words)),
        "hedges": float(len(_HEDGES.findall(evidence.answer.casefold()))),
        "cut_short": float(evidence.cut_short),
        "redactions": float(evidence.redactions),
    }
    return {name: float(features[name]) for name in FEATURE_NAMES}


def feature_vector(features: dict[str, float]) -> list[float]:
    """``features`` in FEATURE_NAMES order; a feature missing from an older record counts as 0."""
    return [float(features.get(name, 0.0)) for name in FEATURE_NAMES]


def question_key(question: str) -> str:
    """Questions that differ only in case, punctuation, word order or filler words share a key, so the
    review queue can tell how many students asked the same thing."""
    return " ".join(sorted(question_words(question)))[:200]


def question_words(question: str) -> set[str]:
    """What a question asks about: its content words and the numbers it states."""
    return content_words(question) | {str(n) for n in numbers_in(question)}


CLAIM_SENTENCES = 3
SOURCE_OVERLAP = 0.5  # of the first sentence's new words, the share its source must hold to back it


def _claim(answer: str, question_words: set[str]) -> set[str]:
    """What the answer's first sentence adds to the question: its claim (the tutor's own first sentence, after
    any quote of the notes it opens with)."""
    answer_sentences = sentences(answer_after_quote(answer))
    return content_words(answer_sentences[0]) - question_words if answer_sentences else set()


def _claim_support(evidence: AnswerEvidence, question_words: set[str]) -> float:
    notes = [sentence for text in evidence.passage_texts for sentence in sentences(text)]
    claim = _claim(evidence.answer, question_words)
    if not claim or not notes:
        return 0.0
    closest = sorted(notes, key=lambda sentence: -len(content_words(sentence) & question_words))[:CLAIM_SENTENCES]
    return _share(claim, set().union(*(content_words(sentence) for sentence in closest)))


def _source_backs_claim(evidence: AnswerEvidence, question_words: set[str]) -> bool:
    """Most of the answer's claim is in one of the course-notes sentences it cites."""
    claim = _claim(evidence.answer, question_words)
    return bool(claim) and any(_share(claim, content_words(source)) >= SOURCE_OVERLAP for source in evidence.sources)


def _repetition(text: str) -> float:
    words = text.casefold().split()
    trigrams = list(zip(words, words[1:], words[2:]))
    return 1.0 - len(set(trigrams)) / len(trigrams) if trigrams else 0.0


def _share(words: set[str], reference: set[str]) -> float:
    return len(words & reference) / len(words) if words else 0.0


def _finite(value, default: float) -> float:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else default
