"""The continuous-batching scheduler: correctness of batched greedy decoding and
its behaviour under timeouts, cancellation, failures and overload."""
from __future__ import annotations

import asyncio

import pytest
import torch

from tutor.engine.streams import EventSink
from tutor.engine.types import EngineError, EngineOverloaded, GenerationTimeout

from .conftest import SlowModel, ask, collect, eventually, run_batcher

SENTENCES = [
    "The cell",
    "Photosynthesis turns light into chemical energy.",
    "Solve the equation two x plus three equals seven. " * 3,
    "Héllo wörld, ça va? 你好，世界。",
    "Mitochondria produce energy for the cell. A linear equation has one unknown. " * 4,
]


@pytest.fixture(scope="module")
def prompts(tiny_tokenizer) -> list[list[int]]:
    return [tiny_tokenizer.encode(sentence) for sentence in SENTENCES]


def hf_greedy(model, prompt_ids, max_new_tokens, stop_ids):
    """Reference: transformers' own greedy generate, one prompt at a time."""
    with torch.inference_mode():
        output = model.generate(
            torch.tensor([prompt_ids]), max_new_tokens=max_new_tokens, do_sample=False,
            eos_token_id=sorted(stop_ids), pad_token_id=0,
        )
    new = output[0, len(prompt_ids):].tolist()
    return [token for token in new if token not in stop_ids]


async def test_single_stream_matches_transformers_generate(make_batcher, tiny_model, prompts):
    batcher = make_batcher()
    for prompt in prompts:
        result = await run_batcher(batcher, prompt, 20)
        assert list(result.token_ids) == hf_greedy(tiny_model, prompt, 20, batcher._stop_ids)


async def test_batched_greedy_equals_unbatched_including_late_joiner(make_batcher, tiny_model, prompts):
    lengths = [30, 12, 25, 40, 18]  # rows leave the batch at different steps
    alone = [await run_batcher(make_batcher(), p, n) for p, n in zip(prompts, lengths)]

    # A little slower per step, so the first three are surely mid-answer when the others join.
    batcher = make_batcher(model=SlowModel(tiny_model, delay_s=0.01))
    first_delta = asyncio.Event()
    early = [asyncio.create_task(run_batcher(batcher, p, n, started=first_delta))
             for p, n in zip(prompts[:3], lengths[:3])]
    await first_delta.wait()
    running_when_joining = batcher.running_count
    late = [asyncio.create_task(run_batcher(batcher, p, n)) for p, n in zip(prompts[3:], lengths[3:])]
    together = await asyncio.gather(*early, *late)

    assert running_when_joining > 0, "the late requests should join a batch that is mid-generation"
    for single, batched in zip(alone, together):
        assert batched.token_ids == single.token_ids
        assert batched.text == single.text


async def test_queued_requests_join_as_slots_free(make_batcher, prompts):
    alone = [await run_batcher(make_batcher(), p, 15) for p in prompts]
    batcher = make_batcher(max_batch_size=2)
    together = await asyncio.gather(*(run_batcher(batcher, p, 15) for p in prompts))
    assert [r.token_ids for r in together] == [r.token_ids for r in alone]
    assert await eventually(lambda: batcher.running_count == 0 and batcher.pending_count == 0)


async def test_max_new_tokens_gives_length_finish(make_batcher, prompts):
    result = await run_batcher(make_batcher(), prompts[1], 7)
    assert result.finish_reason == "length"
    assert len(result.token_ids) == 7
    assert result.features.n_tokens == 7


async def test_stop_token_ends_answer(make_batcher, prompts):
    reference = await run_batcher(make_batcher(), prompts[1], 12)
    tokens = list(reference.token_ids)
    stop_at = next(i for i, token in enumerate(tokens) if i >= 2 and token not in tokens[:i])
    result = await run_batcher(make_batcher(stop_ids={tokens[stop_at]}), prompts[1], 12)
    assert result.finish_reason == "stop"
    assert list(result.token_ids) == tokens[:stop_at]  # the stop token is not part of the text
    assert result.features.n_tokens == stop_at + 1  # but its probability counts


async def test_timeout_fails_one_request_and_keeps_serving(make_batcher, tiny_model, prompts):
    batcher = make_batcher(model=SlowModel(tiny_model, delay_s=0.02))
    slow = asyncio.create_task(run_batcher(batcher, prompts[0], 10_000, timeout_s=0.5))
    quick = asyncio.create_task(run_batcher(batcher, prompts[1], 5, timeout_s=10))
    with pytest.raises(GenerationTimeout):
        await asyncio.wait_for(slow, timeout=5)
    assert (await quick).finish_reason == "length"
    after = await run_batcher(batcher, prompts[2], 3, timeout_s=10)
    assert len(after.token_ids) == 3
    assert await eventually(lambda: batcher.running_count == 0)


async def test_caller_times_out_even_if_the_thread_is_stuck(make_batcher, tiny_model, prompts):
    batcher = make_batcher(model=SlowModel(tiny_model, delay_s=1.5))
    started = asyncio.get_running_loop().time()
    with pytest.raises(GenerationTimeout):
        await run_batcher(batcher, prompts[0], 50, timeout_s=0.2)
    assert asyncio.get_running_loop().time() - started < 1.0


async def test_closing_a_stream_frees_its_slot(make_batcher, tiny_model, prompts):
    batcher = make_batcher(model=SlowModel(tiny_model, delay_s=0.01), max_batch_size=1)
    handle = batcher.submit(prompts[0], 10_000, 30, EventSink(asyncio.get_running_loop()))
    events = handle.events()
    await events.__anext__()
    await events.aclose()
    handle.cancel()  # what the engine's finally block does
    waiting = await asyncio.wait_for(run_batcher(batcher, prompts[1], 3), timeout=5)
    assert len(waiting.token_ids) == 3
    assert await eventually(lambda: batcher.running_count == 0)


async def test_cancelled_consumer_task_frees_its_slot(make_engine, tiny_model):
    engine = make_engine(model=SlowModel(tiny_model, delay_s=0.01), max_batch_size=1, max_new_tokens=10_000)
    got_delta = asyncio.Event()

    async def consume():
        async for _ in engine.stream(ask("Photosynthesis")):
            got_delta.set()

    consumer = asyncio.create_task(consume())
    await asyncio.wait_for(got_delta.wait(), timeout=5)
    consumer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consumer
    _, completion = await asyncio.wait_for(collect(engine, ask("Photosynthesis", max_new_tokens=3)), timeout=5)
    assert completion.finish_reason == "length"
    assert await eventually(lambda: engine._batcher.running_count == 0)


async def test_failing_forward_fails_affected_requests_only_and_thread_survives(make_batcher, tiny_model, prompts):
    # Call 1 is the prefill, call 3 a decode step.
    batcher = make_batcher(model=SlowModel(tiny_model, fail_on_calls=(3,)))
    with pytest.raises(EngineError):
        await run_batcher(batcher, prompts[0], 10)
    result = await run_batcher(batcher, prompts[1], 4)
    assert len(result.token_ids) == 4


async def test_failing_prefill_fails_its_group(make_batcher, tiny_model, prompts):
    batcher = make_batcher(model=SlowModel(tiny_model, fail_on_calls=(1,)))
    with pytest.raises(EngineError):
        await run_batcher(batcher, prompts[0], 10)
    assert len((await run_batcher(batcher, prompts[1], 4)).token_ids) == 4


async def test_full_queue_raises_overloaded(make_batcher, tiny_model, prompts):
    batcher = make_batcher(model=SlowModel(tiny_model, delay_s=0.01), max_batch_size=1, max_queue=1)
    loop = asyncio.get_running_loop()
    running = batcher.submit(prompts[0], 10_000, 30, EventSink(loop))
    await running.events().__anext__()  # admitted: the only slot is taken
    queued = batcher.submit(prompts[1], 5, 30, EventSink(loop))
    with pytest.raises(EngineOverloaded):
        batcher.submit(prompts[2], 5, 30, EventSink(loop))
    running.cancel()
    queued.cancel()
