"""TransformersEngine end to end on the tiny model: the Engine protocol as the web layer sees it."""
from __future__ import annotations

import asyncio
import copy
import math
import subprocess
import sys
from pathlib import Path

import pytest

from tutor.engine.config import EngineConfig
from tutor.engine.transformers_engine import TransformersEngine
from tutor.engine.types import ChatTurn, Completion, GenerationTimeout, ModelUnavailable

from .conftest import SlowModel, ask, collect, eventually

PROJECT_ROOT = Path(__file__).resolve().parents[3]


async def test_stream_yields_deltas_then_one_complete_completion(make_engine, tiny_tokenizer):
    engine = make_engine(max_new_tokens=16)
    deltas, completion = await collect(engine, ask("What is a cell?"))

    assert isinstance(completion, Completion)
    assert completion.text == "".join(deltas)
    assert all(delta and "\ufffd" != delta[-1] for delta in deltas[:-1])
    assert completion.finish_reason in ("stop", "length")
    assert completion.model_name == "tiny"
    assert completion.dropped_turns == 0
    assert completion.prompt_tokens > 5
    assert set(completion.timings) >= {"queue_s", "ttft_s", "total_s"}
    assert 0 <= completion.timings["queue_s"] <= completion.timings["ttft_s"] <= completion.timings["total_s"]


async def test_confidence_and_features_are_in_range(make_engine, tiny_tokenizer):
    engine = make_engine(max_new_tokens=12)
    _, completion = await collect(engine, ask("Solve two x plus three equals seven."))
    features = completion.features
    assert 0.0 <= completion.confidence <= 1.0
    assert completion.confidence == pytest.approx(math.exp(features.mean_logprob))
    assert features.min_logprob <= features.mean_logprob <= 0.0
    assert 0.0 <= features.mean_entropy <= math.log(len(tiny_tokenizer)) + 1e-5
    assert 1 <= features.n_tokens <= 12


async def test_request_limit_is_capped_by_config(make_engine):
    engine = make_engine(max_new_tokens=5)
    _, completion = await collect(engine, ask("The cell", max_new_tokens=50))
    assert completion.features.n_tokens <= 5
    _, shorter = await collect(engine, ask("The cell", max_new_tokens=2))
    assert shorter.features.n_tokens <= 2


async def test_long_history_is_trimmed_to_the_prompt_budget(make_engine):
    history = tuple(
        ChatTurn("user" if i % 2 == 0 else "assistant", f"Turn {i}: the cell is the basic unit of life. " * 3)
        for i in range(10)
    )
    engine = make_engine(max_prompt_tokens=120, max_new_tokens=3)
    _, completion = await collect(engine, ask("What is energy?", history=history))
    assert completion.prompt_tokens <= 120
    assert completion.dropped_turns > 0


async def test_concurrent_streams_match_sequential_ones(make_engine):
    questions = ["The cell", "Photosynthesis turns light into energy.", "Héllo wörld, 你好", "Solve x. " * 8]
    engine = make_engine(max_new_tokens=20)
    sequential = [(await collect(engine, ask(q)))[1].text for q in questions]
    concurrent = await asyncio.gather(*(collect(engine, ask(q)) for q in questions))
    assert [completion.text for _, completion in concurrent] == sequential


async def test_bad_model_path_raises_model_unavailable_on_first_use(tmp_path):
    engine = TransformersEngine(EngineConfig(base_model=str(tmp_path / "missing"), cache_dir=tmp_path))
    with pytest.raises(ModelUnavailable) as raised:
        async for _ in engine.stream(ask("hello")):
            pass
    assert "TUTOR_BASE_MODEL" in raised.value.detail
    assert not engine.started


def test_importing_the_engine_does_not_import_torch():
    code = (
        "import sys, tutor.engine, tutor.engine.types, tutor.engine.config, tutor.engine.transformers_engine, "
        "tutor.engine.loading, tutor.engine.prompt; "
        "sys.exit(1 if 'torch' in sys.modules or 'transformers' in sys.modules else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr or "torch or transformers was imported"


async def test_constructing_and_opening_a_stream_loads_nothing(tmp_path):
    engine = TransformersEngine(EngineConfig(base_model=str(tmp_path / "missing"), cache_dir=tmp_path))
    stream = engine.stream(ask("hi"))
    assert hasattr(stream, "__anext__")
    await stream.aclose()  # never iterated: the (bad) model was never looked at
    assert engine.name == "transformers" and not engine.started


async def test_answer_is_capped_by_the_models_position_limit(make_engine, tiny_model):
    short_context = copy.deepcopy(tiny_model)
    engine = make_engine(model=short_context, max_new_tokens=100)
    prompt_tokens = (await collect(engine, ask("The cell", max_new_tokens=1)))[1].prompt_tokens
    short_context.config.max_position_embeddings = prompt_tokens + 3
    _, completion = await collect(engine, ask("The cell"))
    assert completion.features.n_tokens <= 3


async def test_engine_times_out_a_slow_answer(make_engine, tiny_model):
    engine = make_engine(model=SlowModel(tiny_model, delay_s=0.02), generation_timeout_s=0.3, max_new_tokens=1000)
    with pytest.raises(GenerationTimeout):  # this question runs on without an end-of-turn token
        await asyncio.wait_for(collect(engine, ask("Photosynthesis")), timeout=5)


@pytest.mark.parametrize("how", ["aclose", "break"])
async def test_a_stream_abandoned_by_its_consumer_leaves_the_batch(make_engine, tiny_model, how):
    engine = make_engine(model=SlowModel(tiny_model, delay_s=0.01), max_new_tokens=10_000)
    if how == "aclose":
        stream = engine.stream(ask("Photosynthesis"))
        await stream.__anext__()
        await stream.aclose()
    else:
        async for _ in engine.stream(ask("Photosynthesis")):
            break  # the generator is finalised (and closed) by the event loop
    assert await eventually(lambda: engine._batcher.running_count == 0)
