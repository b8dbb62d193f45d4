"""The hand-over between the scheduler thread and each caller's event loop (no torch).

The scheduler thread never touches asyncio objects directly: it schedules
``queue.put_nowait`` on the caller's loop with ``call_soon_threadsafe``. The
caller side waits with a deadline of its own, so a stuck thread still ends in
``GenerationTimeout`` rather than a hang.
"""
from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from typing import AsyncIterator, Literal

from .types import AdapterRef, ConfidenceFeatures, EngineError, GenerationTimeout, TokenDelta

# The scheduler enforces the deadline at step boundaries; the caller allows it
# this much longer before giving up on the thread by itself.
CALLER_GRACE_S = 0.25


@dataclass(frozen=True)
class FinishedSequence:
    """What the scheduler knows about one answer once it is complete."""

    token_ids: tuple[int, ...]
    text: str
    features: ConfidenceFeatures
    finish_reason: Literal["stop", "length", "loop"]
    timings: dict[str, float]


StreamItem = TokenDelta | FinishedSequence | EngineError


class EventSink:
    """Delivers items from the scheduler thread into one asyncio queue."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self._loop = loop
        self.queue: asyncio.Queue[StreamItem] = asyncio.Queue()

    def put(self, item: StreamItem) -> bool:
        """False when the caller's loop is gone (nobody will ever read the item)."""
        try:
            self._loop.call_soon_threadsafe(self.queue.put_nowait, item)
        except RuntimeError:  # the loop is closed
            return False
        return True


@dataclass
class SequenceRequest:
    """One submitted generation, shared by the caller and the scheduler thread."""

    prompt_ids: list[int]
    max_new_tokens: int
    deadline: float  # time.monotonic() value
    sink: EventSink
    adapter: AdapterRef | None = None
    shared_prefix_len: int = 0  # leading prompt tokens other requests may share (the system prompt)
    submitted_at: float = field(default_factory=time.monotonic)
    cancelled: threading.Event = field(default_factory=threading.Event)

    def expired(self, now: float) -> bool:
        return now >= self.deadline


class StreamHandle:
    """The caller's view of a submitted request: iterate ``events()``; ``cancel()`` on exit."""

    def __init__(self, request: SequenceRequest):
        self.request = request

    async def events(self) -> AsyncIterator[TokenDelta | FinishedSequence]:
        while True:
            item = await self._next_item()
            if isinstance(item, EngineError):
                raise item
            yield item
            if isinstance(item, FinishedSequence):
                return

    async def _next_item(self) -> StreamItem:
        queue = self.request.sink.queue
        if not queue.empty():
            return queue.get_nowait()
        delay = max(0.0, self.request.deadline - time.monotonic()) + CALLER_GRACE_S
        try:
            async with asyncio.timeout(delay):
                return await queue.get()
        except TimeoutError:
            self.cancel()
            raise GenerationTimeout() from None

    def cancel(self) -> None:
        """Idempotent: the scheduler drops the request at its next step."""
        self.request.cancelled.set()
