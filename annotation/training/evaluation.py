"""Asking a model version a set of questions through the serving engine, and grading its answers (no Django).

A generation that failed (timed out, the engine was full) is a failure, never an answer: it is retried with
back-off while the evaluation's budget lasts, and one that still failed is recorded as failed and left ungraded
(its verdict is None), so that a loaded machine cannot pass for a wrong model.

A case is graded like the router's question files (``annotation.router.qa``): ``exact``, ``numeric`` or
``contains`` against the phrases a teacher or the answer key gave, ``choice`` against a choice item's options. A case with only a teacher's full answer
(no key phrase) uses ``reference``: a right answer states the reference's numbers and most of its content
words.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import asdict, dataclass, replace
from typing import Awaitable, Callable, Sequence

from learning.sentences import content_words
from annotation.router.qa import QAQuestion, answer_is_correct, numbers_in
from tutor.engine.types import Completion, EngineError, EngineOverloaded, GenerationRequest, GenerationTimeout

REFERENCE_RECALL = 0.6


@dataclass(frozen=True)
class EvalCase:
    kind: str  # "corrected" (trained on), "reworded" (held out), "golden" (held out)
    question: str
    gold: tuple[str, ...]
    check: str  # exact, numeric, contains, choice or reference
    ref: str = ""  # where it came from, for the report (e.g. "example:12", "item:4")
    options: tuple[tuple[str, str], ...] = ()  # a choice question's (key, text) pairs; gold is the right key


@dataclass(frozen=True)
class SetScore:
    right: int
    total: int  # graded cases; failed ones are not among them
    failed: int = 0

    @property
    def accuracy(self) -> float:
        """Percent right of the graded cases; an empty set scores 0."""
        return 100.0 * self.right / self.total if self.total else 0.0

    def as_dict(self) -> dict:
        return {**asdict(self), "accuracy": round(self.accuracy, 2)}


def grade(case: EvalCase, answer: str) -> bool:
    if case.check == "reference":
        return reference_match(answer, case.gold[0])
    return answer_is_correct(QAQuestion(case.question, case.gold, case.check, options=case.options), answer)


def reference_match(answer: str, reference: str) -> bool:
    wanted_numbers = set(numbers_in(reference))
    if wanted_numbers - set(numbers_in(answer)):
        return False
    wanted = content_words(reference)
    if not wanted:
        return bool(wanted_numbers)
    return len(wanted & content_words(answer)) >= REFERENCE_RECALL * len(wanted)


def grade_all(cases: Sequence[EvalCase], answers: Sequence[Answer]) -> list[bool | None]:
    """Each case's verdict: right, wrong, or None when its generation failed."""
    return [None if answer.failed else grade(case, answer.text) for case, answer in zip(cases, answers)]


def scores_by_kind(cases: Sequence[EvalCase], verdicts: Sequence[bool | None]) -> dict[str, SetScore]:
    totals: dict[str, list[int]] = {}
    for case, verdict in zip(cases, verdicts):
        tally = totals.setdefault(case.kind, [0, 0, 0])
        if verdict is None:
            tally[2] += 1
        else:
            tally[0] += int(verdict)
            tally[1] += 1
    return {kind: SetScore(*tally) for kind, tally in totals.items()}


# --- asking --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    text: str
    error: str = ""  # the engine's error code when the generation failed for good
    tries: int = 1

    @property
    def failed(self) -> bool:
        return bool(self.error)


@dataclass(frozen=True)
class RetryPolicy:
    """A busy or slow engine is asked again, ``tries`` times in all, waiting longer each time."""

    tries: int = 4
    first_delay_s: float = 2.0
    factor: float = 2.0

    def __post_init__(self) -> None:
        if self.tries < 1:
            raise ValueError("tries must be at least 1")
        if self.first_delay_s < 0 or self.factor < 1:
            raise ValueError("first_delay_s must be 0 or more and factor at least 1")

    def delay_before(self, attempt: int) -> float:
        """Seconds to wait before try ``attempt`` (the second try is attempt 1)."""
        return self.first_delay_s * self.factor ** (attempt - 1)


def evaluation_budget_s(cases: int, *, base_s: float, per_case_s: float) -> float:
    """The time an evaluation may take: a fixed part plus a share per queued case."""
    return base_s + per_case_s * cases


RETRIED = (EngineOverloaded, GenerationTimeout)  # the engine was busy: asking again may work


async def answer_all(engine, requests: Sequence[GenerationRequest], concurrency: int = 16, *,
                     deadline: float | None = None, retry: RetryPolicy = RetryPolicy(tries=1),
                     sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> list[Answer]:
    """Every request's answer, ``concurrency`` at a time (the engine batches them).

    A request that times out or finds the engine full is retried per ``retry``; each try may run until
    ``deadline`` (``time.monotonic()``), which the engine is also given as the request's own timeout. What
    still fails comes back as a failed ``Answer``, never as an empty one.
    """
    gate = asyncio.Semaphore(concurrency)

    async def answer(request: GenerationRequest) -> Answer:
        async with gate:
            return await _answer_with_retries(engine, request, deadline, retry, sleep)

    return list(await asyncio.gather(*(answer(request) for request in requests)))


async def _answer_with_retries(engine, request, deadline, retry, sleep) -> Answer:
    tries, error = 0, "generation_timeout"
    while tries < retry.tries:
        if tries:
            delay = retry.delay_before(tries)
            if deadline is not None and time.monotonic() + delay >= deadline:
                break  # no time left for another try
            await sleep(delay)
        tries += 1
        try:
            return Answer(await _answer_once(engine, request, deadline), tries=tries)
        except RETRIED as busy:
            error = busy.code
        except EngineError as broken:  # a request the engine cannot answer at all: asking again will not help
            return Answer("", error=broken.code, tries=tries)
    return Answer("", error=error, tries=tries)


async def _answer_once(engine, request: GenerationRequest, deadline: float | None) -> str:
    if deadline is not None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise GenerationTimeout()
        request = replace(request, timeout_s=remaining)
    completion = None
    try:
        async with asyncio.timeout(request.timeout_s):  # also for an engine that ignores timeout_s
            async for event in engine.stream(request):
                completion = event if isinstance(event, Completion) else completion
    except TimeoutError:
        raise GenerationTimeout() from None
    if completion is None:
        raise EngineError("The engine ended without an answer.")
    return completion.text
