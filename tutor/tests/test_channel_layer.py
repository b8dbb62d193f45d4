"""The channel layer's receive ends when cancelled, even when the library swallows a cancel (the Redis case is in
tests/test_service_tier.py)."""
import asyncio

from tutor.channel_layer import cancel_until_done


async def test_a_task_that_swallows_cancels_is_cancelled_until_it_ends():
    swallowed = 0

    async def stubborn():
        nonlocal swallowed
        while True:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                swallowed += 1
                if swallowed == 3:
                    raise

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    await cancel_until_done(task, every_s=0.01)
    assert task.cancelled() and swallowed == 3


async def test_a_task_that_ends_with_an_error_when_cancelled_has_its_error_collected():
    async def fails_on_cancel():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            raise ConnectionError("the read was cut")

    task = asyncio.create_task(fails_on_cancel())
    await asyncio.sleep(0)
    await cancel_until_done(task, every_s=0.01)
    assert task.done() and isinstance(task.exception(), ConnectionError)
    assert task._log_traceback is False  # collected: asyncio will not report it as never retrieved


async def test_a_task_that_will_not_end_is_given_up_on_after_the_limit():
    listening = False

    async def deaf_for_now():
        while True:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                if listening:
                    raise

    task = asyncio.create_task(deaf_for_now())
    await asyncio.sleep(0)
    await cancel_until_done(task, every_s=0.01, for_s=0.05)
    assert not task.done()
    listening = True  # let it go, so that the test's event loop can close
    task.cancel()
    await asyncio.wait([task])
