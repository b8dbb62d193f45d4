"""One OS thread for all of the engine's torch work: loading, then serving (no torch import).

Why one thread: torch's OpenMP runtime keeps a team of worker threads per
calling thread. Once more threads than cores are managed (a team made by the
thread that loaded the model, another by the scheduler), idle workers stop
spinning and sleep, and each of the hundreds of small parallel regions of a
decode step pays a wake-up. On the 2-core machine that halved CPU use and made
decode steps 1.5-2x slower than the same work done from a single thread.
"""
from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from typing import Any, Callable, TypeVar

T = TypeVar("T")


class WorkerThread:
    """A daemon thread that runs submitted callables one after another."""

    def __init__(self, name: str = "tutor-engine"):
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future]] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        self._jobs.put((job, future))
        return future

    def call(self, job: Callable[[], T]) -> T:
        """Run ``job`` on the thread and wait for its result (or exception)."""
        return self.submit(job).result()

    def _serve(self) -> None:
        while True:
            job, future = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job())
            except BaseException as error:  # handed to the caller, who decides
                future.set_exception(error)
