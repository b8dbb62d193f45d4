"""The bundled SmolLM2-135M-Instruct end to end (slow: converts ~100 MB of GGUF once).

Skipped unless TUTOR_SLOW_TESTS=1. Set TUTOR_MODEL_CACHE to reuse a conversion
between runs; otherwise a temporary folder is used (about 40 s on 2 cores).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tutor.engine.config import EngineConfig
from tutor.engine.loading import load_model
from tutor.engine.transformers_engine import TransformersEngine

from .conftest import ask, collect

pytestmark = pytest.mark.skipif(
    os.environ.get("TUTOR_SLOW_TESTS") != "1", reason="slow: set TUTOR_SLOW_TESTS=1 to load the real bundled model"
)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory) -> Path:
    configured = os.environ.get("TUTOR_MODEL_CACHE")
    return Path(configured) if configured else tmp_path_factory.mktemp("model-cache")


async def test_bundled_model_answers_and_reloads_from_cache(cache_dir):
    config = EngineConfig(base_model="", cache_dir=cache_dir, max_new_tokens=12, num_threads=2)
    engine = TransformersEngine(config)
    try:
        await engine.warm_up()
        deltas, completion = await collect(engine, ask("What is two plus two?", system="You are a math tutor."))
    finally:
        engine.close()
    assert completion.model_name == "SmolLM2-135M-Instruct"
    assert completion.text.strip() and completion.text == "".join(deltas)
    assert 0.0 < completion.confidence <= 1.0
    assert 1 <= completion.features.n_tokens <= 12

    started = time.monotonic()
    load_model(config)
    assert time.monotonic() - started < 15, "the second load should come from the safetensors cache"
