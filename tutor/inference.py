"""The inference worker: answers generated on the host that holds the model (``manage.py inference_worker``).

Web servers store the question and its pending answer, then add the answer's id to the hand-off stream
(tutor/handoff.py). Each worker process takes up to ``TUTOR_INFERENCE_CONCURRENCY`` entries at a time, reads
what their answers need from the database for the whole batch (its pending asks, then their plans: a few
queries per course, not per answer), generates them with its own engine (batching every answer it is working
on), streams their frames to the answers' groups, so they reach the student on whichever server their socket
is, and stores them: every answer that finishes while the previous store runs is stored with it, in one
transaction, scored together and completed by one compare-and-swap over the batch's rows (answers held back
for the scorer are scored together the same way). An entry is acknowledged once its answer is stored, failed,
or found no longer pending; until then the worker renews its claim, and if the worker dies another one takes
the entry over after ``TUTOR_RECLAIM_S`` and generates the answer again from the start.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Awaitable, Callable, Generic, TypeVar

from django.conf import settings
from psycopg.errors import DeadlockDetected, SerializationFailure
from redis.exceptions import ResponseError

from tutor.answering import answer_generate, run_detached
from tutor.dbcall import db_sync_to_async
from tutor.errors import database_unreachable
from tutor.handoff import Delivery, HandoffStream, consumer_name
from tutor.models import AskResult
from tutor.prompting import AnswerPlan, answer_plans_for
from tutor.selectors import pending_asks
from tutor.scoring import answers_score
from tutor.services import AnswerCompletion, answers_complete

logger = logging.getLogger(__name__)
MAX_BACKOFF_S = 5.0
MAX_STORE_BATCH = 256
Item = TypeVar("Item")
Result = TypeVar("Result")


class Coalescer(Generic[Item, Result]):
    """``submit`` one item, get its result; ``flush`` receives everything submitted while the previous flush
    ran, so under load one database transaction or Redis round trip serves many answers, and an idle worker
    still flushes at once. ``flush`` returns one result per item, or an exception instance for that item."""

    def __init__(self, flush: Callable[[list[Item]], Awaitable[list[Result | BaseException]]], max_batch: int):
        self._flush, self._max_batch = flush, max_batch
        self._waiting: list[tuple[Item, asyncio.Future]] = []
        self._draining: asyncio.Task | None = None

    async def submit(self, item: Item) -> Result:
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._draining is None or self._draining.done():
            self._draining = asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:self._max_batch], self._waiting[self._max_batch:]
            try:
                results = await self._flush([item for item, _ in batch])
            except Exception as exc:
                results = [exc] * len(batch)
            for (_, future), result in zip(batch, results):
                if future.done():
                    continue
                if isinstance(result, BaseException):
                    future.set_exception(result)
                else:
                    future.set_result(result)


async def answers_store_batch(answers: list[AnswerCompletion]) -> list[float | None | BaseException]:
    """One transaction for the batch; if it fails for a reason other than an unreachable database (a deadlock
    with another worker's batch, say), each answer is stored on its own, so one bad answer costs only itself."""
    try:
        return await db_sync_to_async(answers_complete)(answers=answers)
    except Exception as exc:
        if len(answers) == 1 or (database_unreachable(exc) and not _rolled_back(exc)):
            raise
        logger.warning("storing %d answers together failed (%r); storing them one by one", len(answers), exc)
    results: list[float | None | BaseException] = []
    for answer in answers:
        try:
            results.append((await db_sync_to_async(answers_complete)(answers=[answer]))[0])
        except Exception as exc:
            results.append(exc)
    return results


def _rolled_back(exc: BaseException) -> bool:
    """PostgreSQL undid the transaction (a deadlock with another worker's batch): the database is fine."""
    return isinstance(exc.__cause__, (DeadlockDetected, SerializationFailure))


def _asks_planned(*, answer_ids: list[int]) -> dict[int, tuple[AskResult, AnswerPlan | None]]:
    """The pending asks among ``answer_ids`` with their plans, by answer id: two queries for the asks and a few
    per course for the plans, however many answers (tutor.prompting.answer_plans_for). Should planning the
    batch fail, each answer is planned on its own (plan None), so one bad ask costs only itself."""
    asks = pending_asks(answer_ids=answer_ids)
    try:
        plans: list[AnswerPlan | None] = list(answer_plans_for(list(asks.values())))
    except Exception:
        logger.exception("planning %d answers together failed; planning them one by one", len(asks))
        plans = [None] * len(asks)
    return {answer_id: (ask, plan) for (answer_id, ask), plan in zip(asks.items(), plans)}


class InferenceWorker:
    def __init__(self, *, stream: HandoffStream | None = None, concurrency: int | None = None,
                 reclaim_s: float | None = None):
        self.stream = stream or HandoffStream(consumer_name())
        self.concurrency = concurrency or settings.TUTOR_INFERENCE_CONCURRENCY
        self.reclaim_s = reclaim_s or settings.TUTOR_RECLAIM_S
        self.in_flight: dict[str, asyncio.Task] = {}
        self._slot_free = asyncio.Event()
        self._stopping = asyncio.Event()
        self._store = Coalescer(answers_store_batch, MAX_STORE_BATCH)
        self._score = Coalescer(db_sync_to_async(answers_score), MAX_STORE_BATCH)  # answers held for the scorer
        self._ack = Coalescer(self._ack_batch, MAX_STORE_BATCH)

    async def run(self) -> None:
        """Take entries until ``stop``; then wait (up to the generation timeout) for the answers in hand."""
        keep_alive = asyncio.get_running_loop().create_task(self._keep_alive())
        try:
            await self._take_entries()
            if self.in_flight:
                await asyncio.wait(list(self.in_flight.values()), timeout=settings.TUTOR_GENERATION_TIMEOUT_S)
        finally:
            keep_alive.cancel()
            await asyncio.gather(keep_alive, return_exceptions=True)

    def stop(self) -> None:
        """Take no new entry; those in hand are finished, or, past the timeout, left for another worker."""
        self._stopping.set()
        self._slot_free.set()

    async def _take_entries(self) -> None:
        backoff, next_reclaim, group_ready = 0.1, 0.0, False
        while not self._stopping.is_set():
            try:
                if not group_ready:
                    await self.stream.ensure_group()
                    group_ready = True
                free = await self._free_slots()
                if free == 0:
                    continue
                deliveries: list[Delivery] = []
                if time.monotonic() >= next_reclaim:
                    deliveries = await self.stream.reclaim(count=free, min_idle_s=self.reclaim_s)
                    next_reclaim = time.monotonic() + self.reclaim_s / 10
                if not deliveries:
                    block_ms = max(1, int(min(1.0, self.reclaim_s / 10) * 1000))
                    deliveries = await self.stream.read(count=free, block_ms=block_ms)
                await self._start(deliveries)
                backoff = 0.1
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis restarting (its stream and group gone with it), the database down
                group_ready = group_ready and not (isinstance(exc, ResponseError) and "NOGROUP" in str(exc))
                logger.warning("inference worker: %r; retrying in %.1f s", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(MAX_BACKOFF_S, backoff * 2)

    async def _free_slots(self) -> int:
        free = self.concurrency - len(self.in_flight)
        if free <= 0:
            self._slot_free.clear()
            await self._slot_free.wait()
            return 0
        return free

    async def _start(self, deliveries: list[Delivery]) -> None:
        """Start the answers still pending, planned together; acknowledge at once the entries there is nothing
        to do for. Should the database be down, nothing is acknowledged: the entries are reclaimed and tried
        again later."""
        if not deliveries:
            return
        wanted = [d.answer_id for d in deliveries if d.answer_id is not None and d.entry_id not in self.in_flight]
        planned = await db_sync_to_async(_asks_planned)(answer_ids=wanted) if wanted else {}
        for delivery in deliveries:
            if delivery.entry_id in self.in_flight:  # this worker's own entry, reclaimed while still in hand
                continue
            ask, plan = planned.get(delivery.answer_id, (None, None))
            if ask is None:  # answered already (a repeated delivery), failed by the stale sweep, or malformed
                run_detached(self._ack.submit(delivery.entry_id))
                continue
            self.in_flight[delivery.entry_id] = run_detached(self._answer(delivery, ask, plan))

    async def _answer(self, delivery: Delivery, ask: AskResult, plan: AnswerPlan | None) -> None:
        try:
            await answer_generate(ask=ask, client_msg_id=delivery.client_msg_id, store=self._store.submit,
                                  score=self._score.submit, restarted=delivery.taken_over, plan=plan)
        except Exception as exc:  # not stored (the database is down): left unacknowledged, so it is retried
            logger.warning("answer %s not stored (%r); it will be reclaimed", delivery.answer_id, exc)
            return
        finally:
            self.in_flight.pop(delivery.entry_id, None)
            self._slot_free.set()
        try:
            await self._ack.submit(delivery.entry_id)
        except Exception as exc:  # Redis down: the entry is reclaimed, found answered, and acknowledged then
            logger.warning("could not acknowledge answer %s: %r", delivery.answer_id, exc)

    async def _ack_batch(self, entry_ids: list[str]) -> list[None]:
        await self.stream.ack(entry_ids)
        return [None] * len(entry_ids)

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(self.reclaim_s / 3)
            try:
                await self.stream.keep_alive(list(self.in_flight))
            except Exception as exc:  # Redis down: another worker may take these over, which is harmless
                logger.warning("could not renew this worker's claims: %r", exc)
