"""An answer's streamed text sent as at most one ``token`` frame per interval.

Each frame is a channel-layer ``group_send`` (with Redis, a round trip and a publish to every socket of the
answer's group), so a frame per model token costs the generating process more than the token does once the engine
is fast: at 100 tokens a second per answer that is 100 sends a second per student. The text is not held back to
save them: the first piece of an answer goes out at once, and whatever arrives within the next interval goes out
together when it ends, so the student sees the text at most one interval (50 ms by default, below what a reader
notices) after the engine wrote it. The frames of one answer are sent one at a time, in order.
"""
from __future__ import annotations

import asyncio
from typing import Awaitable, Callable

SendText = Callable[[str], Awaitable[None]]


class TokenFrames:
    """Coalesces the pieces passed to ``push`` into calls of ``send``; use as ``async with`` so that what is
    left is sent before the block ends (and so before the answer's next frame, whatever it is)."""

    def __init__(self, send: SendText, interval_s: float):
        self._send = send
        self._interval_s = interval_s
        self._pending: list[str] = []
        self._last_sent: float | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._flushing: asyncio.Task | None = None
        self._lock = asyncio.Lock()  # one send at a time, in the order they were started
        self._closed = False

    async def __aenter__(self) -> "TokenFrames":
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.close()

    async def push(self, text: str) -> None:
        """Send ``text`` now if the last frame is an interval old, else with the next frame (due at the latest an
        interval after the last one)."""
        if not text:
            return
        self._pending.append(text)
        if self._timer is not None or self._flushing is not None:
            return  # a frame is already due, or on its way and the next one will be scheduled after it
        wait = self._wait()
        if wait <= 0:
            await self._flush()
        else:
            self._schedule(wait)

    async def close(self) -> None:
        """Send what is left, after any frame already on its way."""
        self._closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._flushing is not None:
            await self._flushing
        await self._flush()

    def _wait(self) -> float:
        if self._last_sent is None:
            return 0.0
        return self._last_sent + self._interval_s - asyncio.get_running_loop().time()

    def _schedule(self, wait: float) -> None:
        self._timer = asyncio.get_running_loop().call_later(wait, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        self._flushing = asyncio.get_running_loop().create_task(self._flush())
        self._flushing.add_done_callback(self._flush_done)

    def _flush_done(self, task: asyncio.Task) -> None:
        if self._flushing is task:
            self._flushing = None
            if self._pending and not self._closed:  # pushed while that frame was on its way
                self._schedule(max(self._wait(), 0.0))

    async def _flush(self) -> None:
        async with self._lock:
            if not self._pending:
                return
            text = "".join(self._pending)
            self._pending.clear()
            self._last_sent = asyncio.get_running_loop().time()
            await self._send(text)
