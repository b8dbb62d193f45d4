"""The Redis channel layer, with a ``receive`` that ends when it is cancelled.

A consumer that stops (a refused handshake, a closed socket) cancels its pending ``receive``. With channels-redis
4.3 on redis-py 8, a cancel that lands while that receive is still opening its Redis connection is lost: it
resurfaces as a read timeout, which ``retry_on_timeout`` (settings: a restarted Redis must be reconnected to)
retries, so the receive goes on popping an empty channel every few seconds for ever. The consumer's task waits on
it, nothing is freed, and an event loop that closes waits on it too: a refused socket could hang a test run. Here
the library's receive runs in a task of its own, and a cancel of ours is passed on to it until it ends.
"""
from __future__ import annotations

import asyncio

from channels_redis.core import RedisChannelLayer as LibraryRedisChannelLayer

CANCEL_EVERY_S = 0.05  # how often a receive that ignored a cancel is cancelled again
CANCEL_FOR_S = 30.0  # after this, give up waiting (the receive is left to end on its own)


class RedisChannelLayer(LibraryRedisChannelLayer):
    async def receive(self, channel):
        inner = asyncio.ensure_future(super().receive(channel))
        try:
            return await asyncio.shield(inner)
        except asyncio.CancelledError:
            await cancel_until_done(inner)
            raise


async def cancel_until_done(task: asyncio.Future, every_s: float = CANCEL_EVERY_S,
                            for_s: float = CANCEL_FOR_S) -> None:
    """Cancel ``task`` again and again until it has ended (or ``for_s`` has passed); an exception it ended with
    is collected, so that it is not reported as never retrieved."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + for_s
    try:
        while not task.done() and loop.time() < deadline:
            task.cancel()
            await asyncio.wait([task], timeout=every_s)
    finally:
        if not task.done():
            task.cancel()
        elif not task.cancelled():
            task.exception()
