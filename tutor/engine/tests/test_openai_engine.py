"""OpenAIEngine against scripted HTTP answers (httpx's MockTransport: no socket, no server)."""
from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from tutor.engine.openai_config import OpenAIConfig
from tutor.engine.openai_engine import OpenAIEngine
from tutor.engine.sse import MalformedStream
from tutor.engine.tests.sse_chunks import answer_events, chat_chunk, event, token, two_way_entropy
from tutor.engine.types import (
    AdapterRef, ChatTurn, Completion, EngineError, EngineOverloaded, GenerationRequest, GenerationTimeout,
    ModelUnavailable, TokenDelta,
)

REQUEST = GenerationRequest(system_prompt="Be brief.", history=[ChatTurn("user", "What is 2+2?")])
ADAPTER = AdapterRef(key="mv7", path="/adapters/7", sha256="ab" * 32, name="fractions-v3")


class ScriptedBody(httpx.AsyncByteStream):
    """The events of one response; ``hang`` waits forever after them, ``fail`` raises after them."""

    def __init__(self, events: list[str], *, hang: bool = False, fail: Exception | None = None):
        self.events, self.hang, self.fail, self.closed = events, hang, fail, False

    async def __aiter__(self):
        for item in self.events:
            yield item.encode()
        if self.fail is not None:
            raise self.fail
        if self.hang:
            await asyncio.Event().wait()

    async def aclose(self) -> None:
        self.closed = True


class Server:
    """Answers each request with the next scripted reply; records what was asked."""

    def __init__(self, *replies):
        self.replies, self.requests = list(replies), []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, ScriptedBody):
            return httpx.Response(200, stream=reply, headers={"content-type": "text/event-stream"})
        return reply

    def bodies(self) -> list[dict]:
        return [json.loads(request.content) for request in self.requests]


def engine_for(server: Server, **config) -> OpenAIEngine:
    settings = {"retry_backoff_s": 0.0, **config}
    return OpenAIEngine(OpenAIConfig(base_url="http://model.test/v1", **settings), transport=httpx.MockTransport(server))


async def collect(engine: OpenAIEngine, request: GenerationRequest = REQUEST) -> list:
    return [item async for item in engine.stream(request)]


async def test_streams_deltas_then_a_completion_with_confidence_features():
    server = Server(ScriptedBody(answer_events(["Two ", "plus ", "two ", "is ", "four."])))
    events = await collect(engine_for(server))

    assert [e.text for e in events if isinstance(e, TokenDelta)] == ["Two ", "plus ", "two ", "is ", "four."]
    completion = events[-1]
    assert isinstance(completion, Completion) and completion.text == "Two plus two is four."
    assert completion.features.n_tokens == 5 and completion.features.mean_logprob == pytest.approx(-0.1)
    assert completion.features.mean_entropy == pytest.approx(two_way_entropy(-0.1, -2.5))
    assert completion.finish_reason == "stop" and completion.prompt_tokens == 42
    assert 0 < completion.confidence < 1


async def test_the_request_asks_for_a_stream_with_logprobs_and_the_servers_chat_template():
    server = Server(ScriptedBody(answer_events(["ok"])))
    await collect(engine_for(server, model="base-model", max_new_tokens=32, api_key="k"))

    request, body = server.requests[0], server.bodies()[0]
    assert request.url.path == "/v1/chat/completions" and request.headers["authorization"] == "Bearer k"
    assert body["stream"] is True and body["logprobs"] is True and body["top_logprobs"] == 5
    assert body["messages"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is 2+2?"}]
    assert body["model"] == "base-model" and body["max_tokens"] == 32


async def test_a_request_may_ask_for_fewer_tokens_not_more():
    server = Server(ScriptedBody(answer_events(["ok"])))
    engine = engine_for(server, max_new_tokens=32)
    await collect(engine, GenerationRequest("", [ChatTurn("user", "q")], max_new_tokens=8))
    await collect(engine, GenerationRequest("", [ChatTurn("user", "q")], max_new_tokens=500))
    assert [body["max_tokens"] for body in server.bodies()] == [8, 32]


async def test_raw_prompt_mode_sends_a_plain_prompt_to_completions():
    body = {"choices": [{"text": "4", "finish_reason": "length",
                         "logprobs": {"tokens": ["4"], "token_logprobs": [-0.5], "top_logprobs": [{"4": -0.5}]}}]}
    server = Server(ScriptedBody([event(body), event("[DONE]")]))
    events = await collect(engine_for(server, prompt="raw"))

    assert server.requests[0].url.path == "/v1/completions"
    assert server.bodies()[0]["prompt"].endswith("User: What is 2+2?\nAssistant:")
    assert events[-1].finish_reason == "length" and events[-1].features.min_logprob == -0.5


async def test_http_error_gives_its_status_and_message_without_a_retry():
    server = Server(httpx.Response(400, json={"error": {"message": "the prompt is too long", "code": 400}}))
    with pytest.raises(EngineError, match="HTTP 400: the prompt is too long"):
        await collect(engine_for(server))
    assert len(server.requests) == 1


async def test_a_busy_server_is_retried_before_the_first_token():
    server = Server(httpx.Response(503, json={"error": {"message": "Loading model"}}),
                    ScriptedBody(answer_events(["fine"])))
    events = await collect(engine_for(server))
    assert events[-1].text == "fine" and len(server.requests) == 2


async def test_a_server_that_is_down_is_model_unavailable_after_the_retries():
    server = Server(httpx.ConnectError("refused"))
    with pytest.raises(ModelUnavailable, match="cannot be reached"):
        await collect(engine_for(server, retries=2))
    assert len(server.requests) == 3


async def test_a_connection_lost_after_the_first_token_fails_without_a_retry():
    server = Server(ScriptedBody(answer_events(["a", "b"])[:2], fail=httpx.RemoteProtocolError("peer closed")))
    received = []
    with pytest.raises(EngineError, match="closed the connection mid-answer"):
        async for item in engine_for(server).stream(REQUEST):
            received.append(item)
    assert [item.text for item in received] == ["a"] and len(server.requests) == 1


async def test_a_stream_that_ends_without_a_finish_reason_is_an_error():
    server = Server(ScriptedBody(answer_events(["a"])[:2]))
    with pytest.raises(EngineError, match="ended the answer early"):
        await collect(engine_for(server))


async def test_garbage_in_the_stream_is_a_malformed_stream_error():
    server = Server(ScriptedBody([event(chat_chunk("a", [token("a", -0.1)])), "data: {not json\n\n"]))
    with pytest.raises(MalformedStream):
        await collect(engine_for(server))


async def test_a_silent_server_times_out_at_the_read_timeout():
    server = Server(httpx.ReadTimeout("silence"))
    with pytest.raises(GenerationTimeout, match="sent nothing"):
        await collect(engine_for(server, read_timeout_s=0.5))


async def test_a_slow_answer_times_out_at_the_generation_timeout_and_closes_the_stream():
    body = ScriptedBody(answer_events(["a"])[:2], hang=True)
    with pytest.raises(GenerationTimeout):
        await collect(engine_for(Server(body), generation_timeout_s=0.2))
    assert body.closed


async def test_a_consumer_that_stops_closes_the_http_stream():
    body = ScriptedBody(answer_events(["a", "b", "c"])[:2], hang=True)
    stream = engine_for(Server(body)).stream(REQUEST)
    assert (await anext(stream)).text == "a"
    await stream.aclose()
    assert body.closed


async def test_more_answers_than_max_streams_are_refused_as_overloaded():
    engine = engine_for(Server(ScriptedBody(answer_events(["a"])[:2], hang=True)), max_streams=1)
    first = engine.stream(REQUEST)
    await anext(first)
    with pytest.raises(EngineOverloaded):
        await collect(engine)
    await first.aclose()


# --- adapters ----------------------------------------------------------------------------------------------


class AdapterServer(Server):
    """vLLM's runtime LoRA routes (see test_vllm_lora_contract for the contract) in front of scripted answers."""

    def __init__(self, *replies, lora_api: bool = True):
        super().__init__(*replies)
        self.lora_api, self.loaded = lora_api, []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/load_lora_adapter":
            if not self.lora_api:
                return httpx.Response(404, json={"detail": "Not Found"})
            self.loaded.append(json.loads(request.content))
            return httpx.Response(200, text="Success")
        return super().__call__(request)


async def test_vllm_adapter_is_loaded_once_under_a_versioned_name_and_sent_as_the_model():
    server = AdapterServer(ScriptedBody(answer_events(["x"])))
    engine = engine_for(server, model="base")
    request = GenerationRequest("", [ChatTurn("user", "q")], adapter=ADAPTER)
    first, second = await collect(engine, request), await collect(engine, request)

    assert server.loaded == [{"lora_name": "fractions-v3-mv7-" + "ab" * 6, "lora_path": "/adapters/7"}]
    assert {body["model"] for body in server.bodies()} == {"fractions-v3-mv7-" + "ab" * 6}
    assert first[-1].model_name == second[-1].model_name == "base+fractions-v3"


async def test_without_the_runtime_lora_api_the_base_model_answers():
    server = AdapterServer(ScriptedBody(answer_events(["x"])), lora_api=False)
    engine = engine_for(server, model="base")
    events = await collect(engine, GenerationRequest("", [ChatTurn("user", "q")], adapter=ADAPTER))
    assert server.bodies()[0]["model"] == "base" and events[-1].model_name == "base"
    assert not engine.lora.supported


async def test_an_adapter_the_server_forgot_is_loaded_again_and_the_request_retried():
    server = AdapterServer(httpx.Response(404, json={"error": {"message": "The model does not exist."}}),
                           ScriptedBody(answer_events(["x"])))
    events = await collect(engine_for(server), GenerationRequest("", [ChatTurn("user", "q")], adapter=ADAPTER))
    assert events[-1].text == "x" and len(server.loaded) == 2


async def test_adapters_none_always_asks_the_base_model():
    server = AdapterServer(ScriptedBody(answer_events(["x"])))
    await collect(engine_for(server, adapters="none"), GenerationRequest("", [ChatTurn("user", "q")], adapter=ADAPTER))
    assert server.loaded == [] and "model" not in server.bodies()[0]


async def test_llama_adapters_set_every_adapters_scale_choosing_the_courses_by_file_name():
    listing = [{"id": 0, "path": "/a/other-mv1-000000000000.gguf", "scale": 0.0},
               {"id": 1, "path": f"/a/fractions-v3-mv7-{'ab' * 6}.gguf", "scale": 0.0}]
    server = Server(ScriptedBody(answer_events(["x"])))

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=listing) if request.url.path == "/lora-adapters" else server(request)

    engine = OpenAIEngine(OpenAIConfig(base_url="http://model.test/v1", adapters="llama"),
                          transport=httpx.MockTransport(handler))
    events = await collect(engine, GenerationRequest("", [ChatTurn("user", "q")], adapter=ADAPTER))
    chat = [request for request in server.requests if request.url.path == "/v1/chat/completions"]
    assert json.loads(chat[0].content)["lora"] == [{"id": 0, "scale": 0.0}, {"id": 1, "scale": 1.0}]
    assert events[-1].model_name == "server+fractions-v3"


async def test_a_server_down_while_loading_the_adapter_is_model_unavailable():
    with pytest.raises(ModelUnavailable, match="adapter"):
        await collect(engine_for(Server(httpx.ConnectError("refused"))),
                      GenerationRequest("", [ChatTurn("user", "q")], adapter=ADAPTER))
