"""What a question's answer can be checked against, decided before the tutor writes (pure: no database).

A calculation the exact solver can do is grounded in its solution; otherwise a question is grounded in the
sentences of the retrieved course notes that best support it, when one is close enough to the question;
otherwise nothing can check the answer. The solver comes first: a calculation's notes describe the method,
never this question's result, so a calculation the solver declined (two numbers or more, and it asks for an
amount) is not grounded in the notes either.

A sentence's support (``support_score``) is the share of the question's content words it holds, plus, where
the sentence encoder runs, the cosine of the two (the sentence read with its passage's title) with the word
share at half weight: words pin terms ("stomata"), the encoder catches a paraphrase ("not heated" for
"absorbs heat"). The best sentence is quoted, and the runner-up too when it scores nearly as well: on a
development third of fixtures/tutor_eval.jsonl the sentence that answers a factual question was the best one
for 17 of 24 questions and one of the best two for 22 (words alone: 16 and 19).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Literal, Protocol, Sequence

from learning.answer_guard import StreamRedactor
from learning.sentences import sentences, word_stems
from learning.solving import Solution, solve
from learning.support import numbers_of

# The cosine of a question and each sentence, in [-1, 1] (None: words alone).
Similarity = Callable[[str, Sequence[str]], Sequence[float]]

# With words alone, a supporting sentence holds at least this share of the question's content words, and at
# least two of them (one, when the question has only one): "What is osmosis?" is supported by "Osmosis is the
# movement of water ...", "What gas do plants take in?" needs more than a sentence that mentions plants.
MIN_SUPPORT_SHARE = 0.5
MIN_SHARED_WORDS = 2
# With the encoder: half the word share plus the cosine. Factual questions' best sentences scored 0.66 to
# 1.23 on the development third, calculations and word problems the solver declines mostly below 0.6.
WORD_SHARE_WEIGHT = 0.5
MIN_BLENDED_SUPPORT = 0.7
# The runner-up is quoted too when it is within this of the best (the gap was 0.21 at the median where the
# best sentence answered, 0.06 where it did not).
RUNNER_UP_GAP = 0.12
SOURCE_CHARS = 400
# A question that states two numbers or more and asks for an amount is a calculation (a word problem).
MIN_NUMBERS_OF_A_CALCULATION = 2
_ASKS_FOR_AN_AMOUNT = re.compile(
    r"\b(?:how (?:many|much|far|long|tall|heavy|old|fast)|what (?:fraction|percentage|percent|part)|work out|"
    r"calculate|find|what is the (?:\w+ )?(?:price|cost|total|amount|area|perimeter|distance|answer))\b",
    re.IGNORECASE)
_MARKUP = re.compile(r"\*\*|(?<!\w)\*|\*(?!\w)|^[-*•]\s+|^#+\s+")


class PassageLike(Protocol):
    id: int
    title: str
    text: str
    score: float


@dataclass(frozen=True)
class Source:
    passage_id: int
    title: str
    sentence: str
    score: float  # the sentence's support for the question (``support_score``)

    def as_dict(self) -> dict:
        """As an answer's ``sources`` carry it (frames, history, storage)."""
        return {"passage": self.passage_id, "title": self.title, "text": self.sentence}


@dataclass(frozen=True)
class Grounding:
    kind: Literal["solver", "source", "none"]
    solution: Solution | None = None
    quotes: tuple[Source, ...] = ()  # the supporting sentences, best first

    @property
    def source(self) -> Source | None:
        return self.quotes[0] if self.quotes else None

    @property
    def sources(self) -> list[dict]:
        return [quote.as_dict() for quote in self.quotes]


NO_GROUNDING = Grounding("none")


def grounding_for(question: str, passages: Sequence[PassageLike], similarity: Similarity | None = None) -> Grounding:
    solution = solve(question)
    if solution is not None:
        return Grounding("solver", solution=solution)
    if asks_for_a_calculation(question):
        # A calculation the solver declined: the notes can only show a method or a worked example with other
        # numbers, and a quote of it would read as the answer.
        return NO_GROUNDING
    quotes = supporting_sentences(question, passages, similarity)
    return Grounding("source", quotes=quotes) if quotes else NO_GROUNDING


def is_calculation(question: str) -> bool:
    """One the exact solver does, or one that states numbers and asks for an amount (a word problem)."""
    return solve(question) is not None or asks_for_a_calculation(question)


def asks_for_a_calculation(question: str) -> bool:
    return (len(numbers_of(question)) >= MIN_NUMBERS_OF_A_CALCULATION
            and _ASKS_FOR_AN_AMOUNT.search(question) is not None)


def supporting_sentences(question: str, passages: Sequence[PassageLike],
                         similarity: Similarity | None = None) -> tuple[Source, ...]:
    """The passage sentences that best support ``question`` (at most two, best first), if any does enough;
    ties go to the passage retrieval ranked higher."""
    asked = word_stems(question)
    candidates = [(passage, plain) for passage in passages for sentence in sentences(passage.text)
                  if (plain := _plain(sentence))]
    if not asked or not candidates:
        return ()
    shared = [len(asked & word_stems(sentence)) for _, sentence in candidates]
    if similarity is None:
        needed = min(MIN_SHARED_WORDS, len(asked))
        scores = [n / len(asked) if n >= needed else 0.0 for n in shared]
        floor = MIN_SUPPORT_SHARE
    else:
        cosines = similarity(question, [f"{p.title}: {s}" if p.title else s for p, s in candidates])
        scores = [WORD_SHARE_WEIGHT * n / len(asked) + float(c) for n, c in zip(shared, cosines)]
        floor = MIN_BLENDED_SUPPORT
    ranked = sorted(range(len(candidates)), key=lambda i: -scores[i])  # stable: retrieval order breaks ties
    best = scores[ranked[0]]
    if best < floor:
        return ()
    chosen = [i for i in ranked[:2] if scores[i] >= floor and best - scores[i] <= RUNNER_UP_GAP]
    return tuple(Source(candidates[i][0].id, candidates[i][0].title, _clip(candidates[i][1]), round(scores[i], 4))
                 for i in chosen)


def _plain(sentence: str) -> str:
    """A notes sentence as a student reads it: no list marker, heading mark or emphasis."""
    return " ".join(_MARKUP.sub("", sentence.strip()).split())


def _clip(sentence: str) -> str:
    return sentence if len(sentence) <= SOURCE_CHARS else sentence[: SOURCE_CHARS - 1].rsplit(" ", 1)[0] + "…"


def result_forms(solution: Solution) -> list[str]:
    """Every spelling of the solution's result, for the redactor of a hints answer."""
    return [form for form in solution.accepted_forms if form.strip()]


def steps_without_result(solution: Solution) -> list[str]:
    """The working lines that do not state the result (a hints answer may show them)."""
    guard = StreamRedactor(result_forms(solution))
    return [step for step in solution.steps if guard.redact(step) == step]
