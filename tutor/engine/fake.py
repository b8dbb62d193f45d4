"""A deterministic engine for web-layer tests and protocol benchmarks: no model, no torch."""
from __future__ import annotations

import asyncio
import hashlib
import time
from typing import AsyncIterator

from tutor.engine.types import (
    Completion,
    ConfidenceFeatures,
    EngineError,
    GenerationRequest,
    GenerationTimeout,
    StreamEvent,
    TokenDelta,
    confidence_from_features,
)


class FakeEngine:
    name = "fake"

    def __init__(
        self,
        *,
        token_delay_s: float = 0.0,
        timeout_s: float | None = None,
        fail_with: EngineError | None = None,
        max_new_tokens: int = 64,
    ):
        self.token_delay_s = token_delay_s
        self.timeout_s = timeout_s
        self.fail_with = fail_with
        self.max_new_tokens = max_new_tokens
        self.requests: list[GenerationRequest] = []

    async def stream(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        self.requests.append(request)
        if self.fail_with is not None:
            raise self.fail_with
        started = time.monotonic()
        pieces = self._pieces(request)
        for piece in pieces:
            await asyncio.sleep(self.token_delay_s)
            if self.timeout_s is not None and time.monotonic() - started > self.timeout_s:
                raise GenerationTimeout()
            yield TokenDelta(piece)
        yield self._completion(request, "".join(pieces))

    def _pieces(self, request: GenerationRequest) -> list[str]:
        question = request.history[-1].content.rsplit("[Student's question]\n", 1)[-1]  # not the context block
        words = f"About “{question}”: let us work through it step by step.".split(" ")
        pieces = [word + " " for word in words[:-1]] + [words[-1]]
        return pieces[: request.max_new_tokens or self.max_new_tokens]

    def _completion(self, request: GenerationRequest, text: str) -> Completion:
        digest = hashlib.sha256(text.encode()).digest()
        mean = -0.05 - digest[0] / 255 * 2.0
        features = ConfidenceFeatures(mean, mean - digest[1] / 255 * 3.0, digest[2] / 255 * 3.0, len(text.split()))
        return Completion(
            text=text,
            features=features,
            confidence=confidence_from_features(features),
            prompt_tokens=sum(len(turn.content.split()) for turn in request.history),
            dropped_turns=0,
            finish_reason="stop",
            model_name=self.name,
        )
