"""The runtime LoRA contract with vLLM, against ``vllm_stub`` (a localhost stand-in written from vLLM's
documentation, not vLLM itself, which cannot run here)."""
from __future__ import annotations

import httpx
import pytest

from tutor.engine.lora_runtime import served_name
from tutor.engine.openai_config import OpenAIConfig
from tutor.engine.openai_engine import OpenAIEngine
from tutor.engine.tests.vllm_stub import BASE, VllmStub
from tutor.engine.types import AdapterRef, ChatTurn, Completion, GenerationRequest

V3 = AdapterRef(key="mv3", path="/srv/adapters/3", sha256="3" * 64, name="fractions-v3")
V4 = AdapterRef(key="mv4", path="/srv/adapters/4", sha256="4" * 64, name="fractions-v4")


@pytest.fixture
def stub():
    with VllmStub() as server:
        yield server


def engine_on(server: VllmStub) -> OpenAIEngine:
    return OpenAIEngine(OpenAIConfig(base_url=server.base_url, model=BASE, retry_backoff_s=0.0))


async def answer(engine: OpenAIEngine, adapter: AdapterRef | None) -> Completion:
    events = [e async for e in engine.stream(GenerationRequest("", [ChatTurn("user", "q")], adapter=adapter))]
    return events[-1]


async def test_a_promoted_adapter_is_loaded_and_answers_under_its_versioned_name(stub):
    completion = await answer(engine_on(stub), V3)
    assert stub.adapters == {served_name(V3): V3.path}
    assert completion.text == f"{served_name(V3)} says hi" and "mv3" in served_name(V3)
    assert completion.features.n_tokens == 3 and completion.features.mean_logprob == pytest.approx(-0.25)


async def test_rollback_switches_names_and_the_retired_version_can_be_unloaded(stub):
    engine = engine_on(stub)
    await answer(engine, V4)
    await answer(engine, V3)  # the registry points at v3 again
    assert stub.answered_by == [served_name(V4), served_name(V3)]
    async with httpx.AsyncClient(base_url=stub.base_url + "/") as client:
        assert await engine.lora.unload(client, V4) is True
        assert await engine.lora.unload(client, V4) is False  # 404: no longer there
    assert list(stub.adapters) == [served_name(V3)]


async def test_a_second_worker_finds_the_adapter_already_loaded(stub):
    await answer(engine_on(stub), V3)
    assert (await answer(engine_on(stub), V3)).text.startswith(served_name(V3))


async def test_an_adapter_lost_by_a_server_restart_is_loaded_again(stub):
    engine = engine_on(stub)
    await answer(engine, V3)
    stub.adapters.clear()  # what a restarted vLLM remembers
    assert (await answer(engine, V3)).text.startswith(served_name(V3))


async def test_without_runtime_lora_updating_the_base_model_answers():
    with VllmStub(runtime_lora=False) as server:
        engine = engine_on(server)
        completion = await answer(engine, V3)
    assert completion.text == f"{BASE} says hi" and completion.model_name == BASE
    assert engine.lora.supported is False
