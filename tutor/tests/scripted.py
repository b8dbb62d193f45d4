"""A scripted engine for grounding tests: each generation answers with the next scripted text, streamed in the
pieces the script cuts it into, so a test decides what the model "writes" and how it arrives."""
from __future__ import annotations

from dataclasses import dataclass
from typing import AsyncIterator

from tutor.engine.types import Completion, ConfidenceFeatures, GenerationRequest, StreamEvent, TokenDelta


@dataclass(frozen=True)
class Reply:
    text: str
    cuts: tuple[int, ...] = ()  # offsets where the text is cut into pieces; none: one piece per word
    finish_reason: str = "stop"

    def pieces(self) -> list[str]:
        if not self.cuts:
            words = self.text.split(" ")
            return [word + " " for word in words[:-1]] + [words[-1]]
        edges = [0, *sorted(cut for cut in self.cuts if 0 < cut < len(self.text)), len(self.text)]
        return [self.text[a:b] for a, b in zip(edges, edges[1:]) if b > a]


class ScriptedEngine:
    name = "scripted"

    def __init__(self, *replies: Reply | str):
        self.replies = [reply if isinstance(reply, Reply) else Reply(reply) for reply in replies]
        self.requests: list[GenerationRequest] = []

    async def stream(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        reply = self.replies[len(self.requests)]  # an IndexError: the code generated more often than scripted
        self.requests.append(request)
        for piece in reply.pieces():
            yield TokenDelta(piece)
        yield Completion(text=reply.text, features=ConfidenceFeatures(-0.5, -2.0, 1.0, len(reply.text.split())),
                         confidence=0.5, prompt_tokens=10, dropped_turns=0, finish_reason=reply.finish_reason,
                         model_name=self.name)
