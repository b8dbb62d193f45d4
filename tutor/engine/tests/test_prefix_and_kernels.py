"""Speed features must not change answers: shared-prefix KV reuse and packed CPU linears."""
from __future__ import annotations

import asyncio
import copy

import pytest
import torch

from tutor.engine import batching
from tutor.engine.cpu_kernels import pack_linears, packing_available, unpack_linears
from tutor.engine.prompt import build_prompt
from tutor.engine.streams import EventSink, FinishedSequence
from tutor.engine.types import ChatTurn

from .conftest import ask, collect, run_batcher

COURSE = "You are a tutor. Course: the cell is the basic unit of life. Mitochondria produce energy for the cell."
QUESTIONS = ["What is a cell?", "Why energy?", "Solve two x plus three equals seven.", "Héllo 你好?"]


def built(tokenizer, system, question):
    return build_prompt(tokenizer, system, [ChatTurn("user", question)], 1000)


async def run_shared(batcher, prompt, max_new_tokens=15) -> FinishedSequence:
    handle = batcher.submit(prompt.token_ids, max_new_tokens, 30, EventSink(asyncio.get_running_loop()),
                            shared_prefix_len=prompt.shared_prefix_len)
    async for item in handle.events():
        if isinstance(item, FinishedSequence):
            return item
    raise AssertionError("no result")


async def test_reused_prefix_gives_identical_answers(make_batcher, tiny_tokenizer, monkeypatch):
    # Let hits and a miss share one prefill group, whatever the padding waste.
    monkeypatch.setattr(batching, "MAX_PADDING_RATIO", 100.0)
    prompts = [built(tiny_tokenizer, COURSE, q) for q in QUESTIONS]
    other_course = built(tiny_tokenizer, COURSE.replace("cell", "atom"), QUESTIONS[0])
    reference = [await run_batcher(make_batcher(), p.token_ids, 15) for p in [*prompts, other_course]]

    batcher = make_batcher(prefix_cache_bytes=64 * 2**20)
    first = await run_shared(batcher, prompts[0])  # computes and stores the course prefix
    # Hits and a miss (another course) prefilled in the same group.
    rest = await asyncio.gather(*(run_shared(batcher, p) for p in [*prompts[1:], other_course]))

    assert [r.token_ids for r in [first, *rest]] == [r.token_ids for r in reference]
    assert batcher.prefixes.hits >= len(prompts) - 1
    assert len(batcher.prefixes) == 2


async def test_engine_shares_the_system_prompt_between_requests(make_engine):
    engine = make_engine(max_new_tokens=8, prefix_cache_mb=16)
    answers = [(await collect(engine, ask(q, system=COURSE)))[1].text for q in QUESTIONS[:2]]
    assert engine._batcher.prefixes.hits == 1
    plain = make_engine(max_new_tokens=8, prefix_cache_mb=0)
    assert [(await collect(plain, ask(q, system=COURSE)))[1].text for q in QUESTIONS[:2]] == answers


@pytest.mark.skipif(not packing_available(), reason="this torch build has no oneDNN linear packing")
async def test_packed_linears_give_the_same_greedy_answers(make_batcher, tiny_model, tiny_tokenizer):
    packed_model = copy.deepcopy(tiny_model)
    assert pack_linears(packed_model) == 2 * 7 + 1  # 7 per decoder layer, plus the LM head
    ids = torch.tensor([tiny_tokenizer.encode("The cell is the basic unit of life.")])
    with torch.inference_mode():
        assert torch.allclose(packed_model(ids).logits, tiny_model(ids).logits, atol=1e-4)

    prompts = [tiny_tokenizer.encode(q) for q in QUESTIONS]
    plain = [await run_batcher(make_batcher(), p, 20) for p in prompts]
    batcher = make_batcher(model=packed_model)
    packed = await asyncio.gather(*(run_batcher(batcher, p, 20) for p in prompts))
    assert [r.token_ids for r in packed] == [r.token_ids for r in plain]

    unpack_linears(packed_model)
    assert all("forward" not in vars(module) for module in packed_model.modules())
