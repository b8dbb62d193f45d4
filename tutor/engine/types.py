"""The contract between the chat layer and any engine (no torch import here).

The web layer only ever sees these types: it builds a ``GenerationRequest``,
iterates ``Engine.stream()`` and receives ``TokenDelta`` events followed by
exactly one ``Completion`` (or an ``EngineError`` is raised).
"""
from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field
from typing import AsyncIterator, Literal, Protocol, Sequence

Role = Literal["user", "assistant"]


@dataclass(frozen=True)
class ChatTurn:
    role: Role
    content: str


@dataclass(frozen=True)
class AdapterRef:
    """A LoRA adapter to answer with: ``key`` names it in the engine, ``sha256`` is what the registry recorded."""

    key: str
    path: str
    sha256: str
    name: str = ""  # shown in the answer's model name, e.g. "fractions-v3"


@dataclass(frozen=True)
class GenerationRequest:
    """One student's question with the conversation before it.

    ``history`` is oldest first and ends with the user's question. The engine
    drops the oldest turns (never the last one) to fit its prompt budget.
    """

    system_prompt: str
    history: Sequence[ChatTurn]
    max_new_tokens: int | None = None  # None: the engine's configured limit
    adapter: AdapterRef | None = None  # None: the base model
    # None: the engine's configured limit. A batch job (the retraining gate) gives its own, longer budget, so
    # that a busy tutor delays its questions rather than failing them.
    timeout_s: float | None = None


@dataclass(frozen=True)
class ConfidenceFeatures:
    """Token-probability features of one generated answer."""

    mean_logprob: float
    min_logprob: float
    mean_entropy: float
    n_tokens: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "mean_logprob": self.mean_logprob,
            "min_logprob": self.min_logprob,
            "mean_entropy": self.mean_entropy,
            "n_tokens": self.n_tokens,
        }


@dataclass(frozen=True)
class TokenDelta:
    text: str


@dataclass(frozen=True)
class Completion:
    text: str
    features: ConfidenceFeatures
    confidence: float  # in [0, 1]
    prompt_tokens: int
    dropped_turns: int  # history turns left out to fit the prompt budget
    # "stop": the model ended its answer; "length": the token cap cut it; "loop": stopped repeating itself
    finish_reason: Literal["stop", "length", "loop"]
    model_name: str = ""
    timings: dict[str, float] = field(default_factory=dict)


StreamEvent = TokenDelta | Completion


class EngineError(Exception):
    """A generation could not complete. ``code`` is machine-readable."""

    code = "engine_error"
    detail = "The tutor could not produce an answer. Please try again."

    def __init__(self, detail: str | None = None):
        super().__init__(detail or self.detail)
        if detail:
            self.detail = detail


class GenerationTimeout(EngineError):
    code = "generation_timeout"
    detail = "The tutor took too long to answer. Please ask again."


class EngineOverloaded(EngineError):
    code = "engine_busy"
    detail = "The tutor is answering too many questions right now. Please try again in a moment."


class ModelUnavailable(EngineError):
    code = "model_unavailable"


class Engine(Protocol):
    name: str

    def stream(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        """Yield ``TokenDelta`` events, then one ``Completion``.

        Runs generation off the event loop; raises ``EngineError`` on failure
        (including ``GenerationTimeout`` when the configured timeout passes).
        """
        ...


def confidence_from_features(features: ConfidenceFeatures) -> float:
    """Prior confidence before any teacher verdicts: the geometric-mean token
    probability, exp(mean log-probability), which is in [0, 1] by construction.
    """
    if features.n_tokens == 0 or not math.isfinite(features.mean_logprob):
        return 0.0
    return min(1.0, max(0.0, math.exp(features.mean_logprob)))


async def complete_all(engine: Engine, requests: Sequence[GenerationRequest],
                       concurrency: int) -> list[Completion | EngineError | None]:
    """Every request's completion, ``concurrency`` at a time (the engine batches them); a failed request gives
    its EngineError, not the end of the others (benchmarks and the retraining gate ask many questions)."""
    gate = asyncio.Semaphore(concurrency)

    async def complete(request: GenerationRequest) -> Completion | EngineError | None:
        async with gate:
            completion = None
            try:
                async for event in engine.stream(request):
                    completion = event if isinstance(event, Completion) else completion
            except EngineError as error:
                return error
            return completion

    return list(await asyncio.gather(*(complete(request) for request in requests)))
