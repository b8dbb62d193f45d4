"""The openai engine against a real llama-server serving the bundled SmolLM2 GGUF (service tier).

The server is built by scripts/build-llama-server (make install) and started here on a free loopback port. In the
service tier (`make test-services`) a missing binary or model fails these tests; run by hand elsewhere, they skip.
"""
from __future__ import annotations

import asyncio
import math
import os
import time

import httpx
import pytest
from django.conf import settings

from tutor.engine.llama_server import LlamaServerUnavailable, require_binary, running_llama_server
from tutor.engine.loading import bundled_gguf_path
from tutor.engine.openai_config import OpenAIConfig
from tutor.engine.openai_engine import OpenAIEngine
from tutor.engine.types import (
    ChatTurn, Completion, EngineError, GenerationRequest, GenerationTimeout, ModelUnavailable, TokenDelta,
)

pytestmark = pytest.mark.service

SYSTEM = "You are a friendly maths tutor. Answer in one or two sentences."
LONG = 900  # more tokens than any test waits for: the answer is stopped before
# One thread, not two: llama.cpp's threads wait for each other at every step, and on a CPU that other test
# processes also use, two threads ran 30-50 times slower than one here (1-2 tok/s against 64-71).
THREADS = 1


def request(question: str, max_new_tokens: int | None = None) -> GenerationRequest:
    return GenerationRequest(SYSTEM, [ChatTurn("user", question)], max_new_tokens=max_new_tokens)


def _server_parts():
    try:
        return require_binary(settings.BASE_DIR), bundled_gguf_path()
    except (LlamaServerUnavailable, ModelUnavailable) as error:
        if os.environ.get("TUTOR_SERVICE_TIER") == "1":
            pytest.fail(f"the service tier needs llama-server and the bundled model: {error}")
        pytest.skip(str(error))


@pytest.fixture(scope="module")
def llama(tmp_path_factory):
    binary, model = _server_parts()
    log = tmp_path_factory.mktemp("llama") / "server.log"
    with running_llama_server(binary=binary, model=model, log_path=log, threads=THREADS, parallel=2,
                              context=2048) as server:
        yield server


def engine_on(server, **config) -> OpenAIEngine:
    return OpenAIEngine(OpenAIConfig(base_url=server.base_url, max_new_tokens=LONG, max_prompt_tokens=4096,
                                     retry_backoff_s=0.05, **config))


async def answer(engine: OpenAIEngine, req: GenerationRequest) -> tuple[list[str], Completion]:
    events = [event async for event in engine.stream(req)]
    return [e.text for e in events if isinstance(e, TokenDelta)], events[-1]


async def test_streams_tokens_and_a_completion_with_logprob_features(llama):
    deltas, completion = await answer(engine_on(llama), request("What is 1/2 plus 1/4?", 48))

    assert len(deltas) > 3 and completion.text == "".join(deltas)
    features = completion.features
    assert features.n_tokens >= len(deltas)  # a token that ends inside a character streams no text
    assert features.n_tokens == 48 or completion.finish_reason == "stop"
    assert features.min_logprob <= features.mean_logprob <= 0
    assert 0 <= features.mean_entropy <= math.log(6)  # at most the top 5 and the chosen token
    assert 0 < completion.confidence <= 1 and completion.prompt_tokens > 20


async def test_max_tokens_ends_with_length_and_a_short_answer_with_stop(llama):
    engine = engine_on(llama)
    deltas, capped = await answer(engine, request("Explain how to add fractions.", 5))
    assert capped.finish_reason == "length" and capped.features.n_tokens == 5
    _, finished = await answer(engine, request("Reply with the single word: yes", 64))
    assert finished.finish_reason == "stop" and finished.features.n_tokens < 64


async def test_two_students_at_once_each_get_their_own_answer(llama):
    engine = engine_on(llama)
    first, second = await asyncio.gather(answer(engine, request("What is 2/3 of 9?", 24)),
                                         answer(engine, request("Simplify 12/18.", 24)))
    assert first[1].text and second[1].text and first[1].text != second[1].text


async def test_a_prompt_longer_than_the_context_is_an_http_error_with_its_status(llama):
    with pytest.raises(EngineError, match="HTTP 400"):
        await answer(engine_on(llama), request("fraction " * 1500, 8))


async def test_an_answer_past_the_generation_timeout_fails_as_a_timeout(llama):
    with pytest.raises(GenerationTimeout):
        await answer(engine_on(llama, generation_timeout_s=0.5), request("Tell me a long story about fractions.", LONG))
    await _wait_until_idle(llama)


async def test_a_consumer_that_stops_frees_the_servers_slot(llama):
    stream = engine_on(llama).stream(request("Tell me a long story about fractions.", LONG))
    received = [await anext(stream) for _ in range(3)]
    assert all(isinstance(item, TokenDelta) for item in received)
    await stream.aclose()
    await _wait_until_idle(llama)  # the server noticed the closed connection and stopped generating


async def test_a_server_killed_mid_stream_is_an_engine_error_then_unavailable(tmp_path):
    binary, model = _server_parts()
    with running_llama_server(binary=binary, model=model, log_path=tmp_path / "server.log",
                              threads=THREADS) as server:
        engine = engine_on(server, retries=1)
        stream = engine.stream(request("Tell me a long story about fractions.", LONG))
        await anext(stream)
        server.process.kill()
        with pytest.raises(EngineError):
            async for _ in stream:
                pass
        with pytest.raises(ModelUnavailable):
            await answer(engine, request("Are you there?", 4))


async def _wait_until_idle(server, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(trust_env=False) as client:
        while time.monotonic() < deadline:
            slots = (await client.get(server.root_url + "/slots")).json()
            if not any(slot.get("is_processing") for slot in slots):
                return
            await asyncio.sleep(0.1)
    pytest.fail("llama-server kept generating after the client went away")
