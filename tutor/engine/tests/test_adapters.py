"""Serving LoRA adapters: per-request adapters in one batch, hash checks, and a bounded number loaded."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from peft import LoraConfig, get_peft_model

from tutor.engine.artifacts import ArtifactMismatch, folder_sha256, verify_folder
from tutor.engine.config import EngineConfig
from tutor.engine.transformers_engine import TransformersEngine
from tutor.engine.types import AdapterRef

from .conftest import ask, collect, make_model

QUESTIONS = ["What is a cell?", "Solve two x plus three equals seven.", "What do mitochondria do?"]


def write_adapter(tokenizer, folder: Path, seed: int) -> AdapterRef:
    """A random (non-zero) LoRA adapter for the tiny model, saved as safetensors."""
    import torch

    torch.manual_seed(seed)
    config = LoraConfig(r=4, lora_alpha=64, target_modules=["q_proj", "v_proj", "down_proj"], init_lora_weights=False)
    get_peft_model(make_model(tokenizer), config).save_pretrained(str(folder))
    return AdapterRef(key=f"seed{seed}", path=str(folder), sha256=folder_sha256(folder), name=f"course-v{seed}")


@pytest.fixture
def adapters(tiny_tokenizer, tmp_path):
    return [write_adapter(tiny_tokenizer, tmp_path / f"a{seed}", seed) for seed in (1, 2)]


@pytest.fixture
def engine_on_fresh_model(tiny_tokenizer, tmp_path):
    """Adapters wrap the model they are loaded into, so each test gets its own (never the shared one)."""
    engines = []

    def build(**settings) -> TransformersEngine:
        config = EngineConfig(cache_dir=tmp_path / "unused", max_new_tokens=12, **settings)
        engine = TransformersEngine.from_model(make_model(tiny_tokenizer), tiny_tokenizer, config, model_name="tiny")
        engines.append(engine)
        return engine

    yield build
    for engine in engines:
        engine.close()


async def answer(engine, question, adapter=None):
    request = ask(question, max_new_tokens=12)
    _, completion = await collect(engine, type(request)(request.system_prompt, request.history, 12, adapter))
    return completion


async def test_an_adapter_changes_the_answer_and_names_itself(engine_on_fresh_model, adapters):
    engine = engine_on_fresh_model()
    base = await answer(engine, QUESTIONS[0])
    tuned = await answer(engine, QUESTIONS[0], adapters[0])
    assert tuned.text != base.text
    assert tuned.model_name == "tiny+course-v1" and base.model_name == "tiny"


async def test_one_batch_mixes_base_and_two_adapters_with_the_same_answers_as_alone(engine_on_fresh_model, adapters):
    alone_engine, mixed_engine = engine_on_fresh_model(), engine_on_fresh_model()
    plan = [(q, a) for q in QUESTIONS for a in (None, *adapters)]
    alone = [(await answer(alone_engine, q, a)).text for q, a in plan]
    mixed = await asyncio.gather(*(answer(mixed_engine, q, a) for q, a in plan))
    assert [c.text for c in mixed] == alone


async def test_a_changed_adapter_file_is_refused_and_the_base_model_answers(engine_on_fresh_model, adapters):
    engine = engine_on_fresh_model()
    base = await answer(engine, QUESTIONS[1])
    weights = Path(adapters[0].path) / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-8] + b"\0" * 8)
    refused = await answer(engine, QUESTIONS[1], adapters[0])
    assert refused.text == base.text and refused.model_name == "tiny"


async def test_only_max_adapters_stay_loaded_and_evicted_ones_reload(engine_on_fresh_model, adapters):
    reference = engine_on_fresh_model()
    expected = [(await answer(reference, QUESTIONS[2], a)).text for a in adapters]
    engine = engine_on_fresh_model(max_adapters=1)
    for _ in range(2):
        assert [(await answer(engine, QUESTIONS[2], a)).text for a in adapters] == expected
    assert engine._batcher._adapters.loaded_keys == [adapters[1].key]


COURSE = ("You are a patient tutor for the course Cells. Course material: the cell is the basic unit of life; "
          "mitochondria produce energy for the cell.")


async def test_an_adapter_shares_its_system_prompt_with_its_own_requests_only(engine_on_fresh_model, adapters):
    """Each adapter's students reuse the system prompt's keys and values it computed, never the base model's or
    another adapter's (they differ), and every answer is the same as without the cache."""
    def course_ask(question, adapter):
        request = ask(question, system=COURSE, max_new_tokens=12)
        return type(request)(request.system_prompt, request.history, 12, adapter)

    plan = [(q, a) for a in (None, *adapters) for q in QUESTIONS]
    plain = engine_on_fresh_model(prefix_cache_mb=0)
    expected = [(await collect(plain, course_ask(q, a)))[1].text for q, a in plan]
    cached = engine_on_fresh_model(prefix_cache_mb=16)
    assert [(await collect(cached, course_ask(q, a)))[1].text for q, a in plan] == expected
    prefixes = cached._batcher.prefixes
    assert len(prefixes) == 3  # one system prompt each for the base model and the two adapters
    assert (prefixes.misses, prefixes.hits) == (3, 3 * (len(QUESTIONS) - 1))


def test_folder_hash_is_stable_and_sees_any_change(tmp_path):
    folder = tmp_path / "adapter"
    folder.mkdir()
    (folder / "a.safetensors").write_bytes(b"weights")
    (folder / "adapter_config.json").write_text("{}")
    first = folder_sha256(folder)
    assert folder_sha256(folder) == first
    verify_folder(folder, first)
    (folder / "extra.txt").write_text("x")
    assert folder_sha256(folder) != first
    with pytest.raises(ArtifactMismatch, match="refused"):
        verify_folder(folder, first)
    with pytest.raises(ArtifactMismatch, match="does not exist"):
        folder_sha256(tmp_path / "missing")
