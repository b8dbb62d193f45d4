"""Asking a model version a set of questions through the serving engine, and grading its answers (no Django).

A case is graded like the router's question files (``annotation.router.qa``): ``exact``, ``numeric`` or
``contains`` against the phrases a teacher or the answer key gave. A case with only a teacher's full answer
(no key phrase) uses ``reference``: a right answer states the reference's numbers and most of its content
words.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

from learning.sentences import content_words
from annotation.router.qa import QAQuestion, answer_is_correct, numbers_in
from tutor.engine.types import Completion, GenerationRequest, complete_all

REFERENCE_RECALL = 0.6


@dataclass(frozen=True)
class EvalCase:
    kind: str  # "corrected" (trained on), "reworded" (held out), "golden" (held out)
    question: str
    gold: tuple[str, ...]
    check: str  # exact, numeric, contains or reference
    ref: str = ""  # where it came from, for the report (e.g. "example:12", "item:4")


@dataclass(frozen=True)
class SetScore:
    right: int
    total: int

    @property
    def accuracy(self) -> float:
        """Percent right; an empty set scores 0."""
        return 100.0 * self.right / self.total if self.total else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "accuracy": round(self.accuracy, 2)}


def grade(case: EvalCase, answer: str) -> bool:
    if case.check == "reference":
        return reference_match(answer, case.gold[0])
    return answer_is_correct(QAQuestion(case.question, case.gold, case.check), answer)


def reference_match(answer: str, reference: str) -> bool:
    wanted_numbers = set(numbers_in(reference))
    if wanted_numbers - set(numbers_in(answer)):
        return False
    wanted = content_words(reference)
    if not wanted:
        return bool(wanted_numbers)
    return len(wanted & content_words(answer)) >= REFERENCE_RECALL * len(wanted)


def scores_by_kind(cases: Sequence[EvalCase], verdicts: Sequence[bool]) -> dict[str, SetScore]:
    totals: dict[str, list[int]] = {}
    for case, right in zip(cases, verdicts):
        tally = totals.setdefault(case.kind, [0, 0])
        tally[0] += int(right)
        tally[1] += 1
    return {kind: SetScore(right, total) for kind, (right, total) in totals.items()}


async def answer_all(engine, requests: Sequence[GenerationRequest], concurrency: int = 16) -> list[str]:
    """Every request's answer text, ``concurrency`` at a time (the engine batches them); a failed one is ""."""
    completions = await complete_all(engine, requests, concurrency)
    return [c.text if isinstance(c, Completion) else "" for c in completions]
