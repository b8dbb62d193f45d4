"""What a question's answer can be checked against, decided before the tutor writes (pure: no database).

A calculation the exact solver can do is grounded in its solution; otherwise a question is grounded in the
sentence of the retrieved course notes that best supports it, when one shares enough of the question's content
words; otherwise nothing can check the answer. The solver comes first: a calculation's notes describe the
method, never this question's result.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, Sequence

from learning.answer_guard import StreamRedactor
from learning.sentences import sentences, word_stems
from learning.solving import Solution, solve

# A supporting sentence holds at least this share of the question's content words, and at least two of them
# (one, when the question has only one): "What is osmosis?" is supported by "Osmosis is the movement of water
# ...", "What gas do plants take in?" needs more than a sentence that mentions plants.
MIN_SUPPORT_SHARE = 0.5
MIN_SHARED_WORDS = 2
SOURCE_CHARS = 400


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
    score: float  # the share of the question's content words the sentence holds

    def as_dict(self) -> dict:
        """As an answer's ``sources`` carry it (frames, history, storage)."""
        return {"passage": self.passage_id, "title": self.title, "text": self.sentence}


@dataclass(frozen=True)
class Grounding:
    kind: Literal["solver", "source", "none"]
    solution: Solution | None = None
    source: Source | None = None

    @property
    def sources(self) -> list[dict]:
        return [self.source.as_dict()] if self.source else []


NO_GROUNDING = Grounding("none")


def grounding_for(question: str, passages: Sequence[PassageLike]) -> Grounding:
    solution = solve(question)
    if solution is not None:
        return Grounding("solver", solution=solution)
    source = supporting_sentence(question, passages)
    return Grounding("source", source=source) if source else NO_GROUNDING


def supporting_sentence(question: str, passages: Sequence[PassageLike]) -> Source | None:
    """The passage sentence holding most of the question's content words, if it holds enough of them;
    ties go to the passage retrieval ranked higher."""
    asked = word_stems(question)
    if not asked:
        return None
    needed = min(MIN_SHARED_WORDS, len(asked))
    best: tuple[int, Source] | None = None
    for passage in passages:
        for sentence in sentences(passage.text):
            shared = len(asked & word_stems(sentence))
            share = shared / len(asked)
            if shared >= needed and share >= MIN_SUPPORT_SHARE and (best is None or shared > best[0]):
                best = (shared, Source(passage.id, passage.title, _clip(sentence), round(share, 4)))
    return best[1] if best else None


def _clip(sentence: str) -> str:
    text = " ".join(sentence.split())
    return text if len(text) <= SOURCE_CHARS else text[: SOURCE_CHARS - 1].rsplit(" ", 1)[0] + "…"


def result_forms(solution: Solution) -> list[str]:
    """Every spelling of the solution's result, for the redactor of a hints answer."""
    return [form for form in solution.accepted_forms if form.strip()]


def steps_without_result(solution: Solution) -> list[str]:
    """The working lines that do not state the result (a hints answer may show them)."""
    guard = StreamRedactor(result_forms(solution))
    return [step for step in solution.steps if guard.redact(step) == step]
