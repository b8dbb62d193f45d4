"""Handing answers from web servers to inference workers through a Redis stream, so that none is lost when a
worker dies.

Contract:
- A web server adds ``{answer_id, client_msg_id}`` to the stream ``handoff_stream()`` (``answer_hand_off``), after
  the pending answer is stored. A full backlog (``TUTOR_HANDOFF_BACKLOG`` entries not yet finished) or an
  unreachable Redis raises at once, so the student is told now rather than after a timeout.
- Every inference worker process reads in the consumer group ``GROUP`` under a consumer name of its own
  (``HandoffStream.read``): an entry goes to one worker, which holds it, unacknowledged, while it generates.
- The worker acknowledges (and deletes) the entry once the answer is stored, failed, or found no longer pending
  (``ack``). Until then it renews its claim every third of ``TUTOR_RECLAIM_S`` (``keep_alive``), so a slow answer
  is not taken from a live worker.
- An entry nobody renewed for ``TUTOR_RECLAIM_S`` (its worker died, or lost Redis) is taken over by whichever
  worker looks next (``reclaim``) and generated again from the start: delivery is at least once. A second
  delivery is harmless because an answer is completed by compare-and-swap on its pending status
  (``tutor.services.answers_complete``), so it is stored once.
- Redis restarting empties the stream; the answers it held stay pending until the stale-answer sweep fails them
  (``tutor.tasks``), as before.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
import weakref
from dataclasses import dataclass

from django.conf import settings
from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import ResponseError

logger = logging.getLogger(__name__)
GROUP = "inference-workers"
# Adds an entry only below the backlog limit: one round trip, and no entry is ever trimmed away unanswered.
_ADD_BELOW_BACKLOG = """
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then return false end
return redis.call('XADD', KEYS[1], '*', 'answer_id', ARGV[2], 'client_msg_id', ARGV[3])
"""
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Redis] = weakref.WeakKeyDictionary()
_add_scripts: weakref.WeakKeyDictionary[Redis, object] = weakref.WeakKeyDictionary()


class HandoffFull(Exception):
    """More answers wait for a worker than ``TUTOR_HANDOFF_BACKLOG``."""


def handoff_stream() -> str:
    return f"{settings.TUTOR_INFERENCE_CHANNEL}:answers"


def handoff_redis() -> Redis:
    """This event loop's client (a client's connections belong to the loop that opened them)."""
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        # Reads block up to a second (HandoffStream.read): the socket waits longer than that. A burst of
        # hand-offs past the pool's size waits for a connection rather than failing.
        pool = BlockingConnectionPool.from_url(
            settings.REDIS_URL, decode_responses=True, socket_timeout=15, socket_connect_timeout=5,
            health_check_interval=10, retry_on_timeout=True, max_connections=settings.TUTOR_REDIS_MAX_CONNECTIONS,
            timeout=5)
        client = _clients[loop] = Redis(connection_pool=pool)
    return client


async def answer_hand_off(*, answer_id: int, client_msg_id: str) -> str:
    """Queue a stored pending answer for the inference workers; returns the entry's id. Raises ``HandoffFull``,
    or redis-py's error when Redis cannot be reached."""
    client = handoff_redis()
    add = _add_scripts.get(client) or _add_scripts.setdefault(client, client.register_script(_ADD_BELOW_BACKLOG))
    entry_id = await add(
        keys=[handoff_stream()], args=[settings.TUTOR_HANDOFF_BACKLOG, answer_id, client_msg_id])
    if entry_id is None:
        raise HandoffFull(f"{settings.TUTOR_HANDOFF_BACKLOG} answers already wait for an inference worker")
    return entry_id


@dataclass(frozen=True)
class Delivery:
    entry_id: str
    answer_id: int | None  # None: a malformed entry, acknowledged and dropped
    client_msg_id: str
    taken_over: bool  # reclaimed from a worker that stopped renewing it: its stream may have begun already


def consumer_name() -> str:
    """One per worker process, never reused: a restarted process takes its old entries back by reclaiming them."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class HandoffStream:
    """One inference worker's side of the stream, as consumer ``consumer`` of ``GROUP``."""

    def __init__(self, consumer: str, redis: Redis | None = None):
        self.consumer = consumer
        self.redis = redis or handoff_redis()
        self.key = handoff_stream()

    async def ensure_group(self) -> None:
        """The group reads from the start of the stream: what web servers added before any worker ran is read."""
        try:
            await self.redis.xgroup_create(self.key, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def read(self, *, count: int, block_ms: int) -> list[Delivery]:
        """Up to ``count`` entries no worker has had yet, waiting up to ``block_ms`` for the first."""
        replies = await self.redis.xreadgroup(GROUP, self.consumer, {self.key: ">"}, count=count, block=block_ms)
        return [_delivery(entry_id, fields, taken_over=False)
                for _stream, entries in replies or [] for entry_id, fields in entries]

    async def reclaim(self, *, count: int, min_idle_s: float) -> list[Delivery]:
        """Up to ``count`` entries whose holder has not renewed them for ``min_idle_s``, now held by this worker."""
        _cursor, entries, *_deleted = await self.redis.xautoclaim(
            self.key, GROUP, self.consumer, min_idle_time=int(min_idle_s * 1000), start_id="0-0", count=count)
        return [_delivery(entry_id, fields, taken_over=True) for entry_id, fields in entries if fields]

    async def keep_alive(self, entry_ids: list[str]) -> None:
        """Reset the idle time of entries this worker is generating, so nobody reclaims them."""
        if entry_ids:
            await self.redis.xclaim(self.key, GROUP, self.consumer, min_idle_time=0, message_ids=entry_ids,
                                    justid=True)

    async def ack(self, entry_ids: list[str]) -> None:
        """Done with these entries: acknowledged and deleted, so the backlog counts only unfinished answers."""
        if entry_ids:
            async with self.redis.pipeline(transaction=True) as pipe:
                await pipe.xack(self.key, GROUP, *entry_ids).xdel(self.key, *entry_ids).execute()


def _delivery(entry_id: str, fields: dict, *, taken_over: bool) -> Delivery:
    try:
        answer_id = int(fields["answer_id"])
    except (KeyError, TypeError, ValueError):
        logger.warning("hand-off entry %s has no answer_id: %r", entry_id, fields)
        answer_id = None
    return Delivery(entry_id, answer_id, str(fields.get("client_msg_id") or ""), taken_over)
