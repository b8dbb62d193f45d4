"""``OpenAIEngine``: the Engine protocol over an OpenAI-compatible HTTP server (vLLM, llama.cpp's llama-server).

Each answer is one streamed ``POST /v1/chat/completions`` (the server applies its own chat template) or, with
``prompt="raw"``, ``/v1/completions`` with a template-free prompt, asking for ``logprobs`` and ``top_logprobs``.
Confidence features are those of the local engine, except that the entropy is over the top-k alternatives
renormalised (see ``features.topk_entropy``).

Failures are ``EngineError``s that say what happened: the server is down (``ModelUnavailable``), silent or too
slow (``GenerationTimeout``), answered an HTTP error (its status and message), or sent something unreadable
(``MalformedStream``). A request is retried with back-off only before its first token, when nothing has reached
the student. A consumer that stops iterating closes the HTTP stream, and the server stops generating.

Course adapters (``config.adapters``): "vllm" loads each through vLLM's runtime LoRA API and names it as the
``model`` (``lora_runtime``); "llama" selects a llama-server adapter loaded at its start (``--lora``) per request,
by its file name containing the served name; "none" always answers with the base model.
"""
from __future__ import annotations

import asyncio
import logging
import time
import weakref
from contextlib import aclosing
from typing import Any, AsyncIterator

import httpx

from .features import ConfidenceAccumulator, topk_entropy
from .lora_runtime import VllmLoraRuntime, served_name
from .openai_config import OpenAIConfig
from .prompt import drop_oldest, plain_chat_text
from .sse import DONE, SSEDecoder, StreamChunk, TokenLogprob, error_message, parse_chunk
from .types import (
    AdapterRef,
    ChatTurn,
    Completion,
    EngineError,
    EngineOverloaded,
    GenerationRequest,
    GenerationTimeout,
    ModelUnavailable,
    StreamEvent,
    TokenDelta,
    confidence_from_features,
)

logger = logging.getLogger(__name__)

CHARS_PER_TOKEN = 4  # a rough budget: the server tokenises, and it refuses (HTTP 400) what does not fit
RETRY_STATUSES = frozenset({429, 502, 503, 504})  # busy or still loading: worth another try
MODEL_NOT_FOUND = 404
MODEL_NOT_FOUND_CODE = "engine_model_not_found"


class _Retryable(Exception):
    def __init__(self, error: EngineError):
        super().__init__(error.detail)
        self.error = error


class OpenAIEngine:
    name = "openai"

    def __init__(self, config: OpenAIConfig | None = None, *, transport: httpx.AsyncBaseTransport | None = None):
        self.config = config or OpenAIConfig()
        self.model_name = self.config.model or "server"
        self.lora = VllmLoraRuntime()
        self._transport = transport  # tests pass a MockTransport; None: the network
        # An httpx client belongs to the event loop it was first used on; tests and workers may run several.
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
            weakref.WeakKeyDictionary())
        self._in_flight = 0

    def start(self) -> None:
        """Nothing to load here: the server holds the model (kept for the warm-up hook)."""

    def client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if loop not in self._clients:
            config = self.config
            headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
            self._clients[loop] = httpx.AsyncClient(
                base_url=config.base_url + "/", headers=headers, transport=self._transport, trust_env=False,
                timeout=httpx.Timeout(config.read_timeout_s, connect=config.connect_timeout_s),
                limits=httpx.Limits(max_connections=config.max_streams, max_keepalive_connections=64),
            )
        return self._clients[loop]

    async def stream(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        if not request.history:
            raise EngineError("The request has no question to answer.")
        if self._in_flight >= self.config.max_streams:
            raise EngineOverloaded()
        self._in_flight += 1
        try:
            # aclosing: an inner generator left suspended would keep its HTTP stream open until garbage collection.
            async with aclosing(self._answer(request)) as events:
                async for event in events:
                    yield event
        finally:
            self._in_flight -= 1

    async def _answer(self, request: GenerationRequest) -> AsyncIterator[StreamEvent]:
        started = time.monotonic()
        deadline = started + self.config.generation_timeout_s
        turns, dropped = fit_history(request.system_prompt, request.history, self.config.max_prompt_tokens)
        adapter = await self._adapter_target(request.adapter)
        body = self._body(request, turns, adapter)
        state = _StreamState(started=started, dropped_turns=dropped, adapter_label=adapter.label)
        for attempt in range(self.config.retries + 1):
            try:
                async with aclosing(self._attempt(body, deadline, state)) as events:
                    async for event in events:
                        yield event
                return
            except _Retryable as failure:
                if state.first_token_at is not None or attempt == self.config.retries:
                    raise failure.error from None
                if failure.error.code == MODEL_NOT_FOUND_CODE:
                    if request.adapter is None:
                        raise failure.error from None
                    self.lora.forget(served_name(request.adapter))
                    adapter = await self._adapter_target(request.adapter)
                    body, state.adapter_label = self._body(request, turns, adapter), adapter.label
                pause = self.config.retry_backoff_s * 2**attempt
                if time.monotonic() + pause >= deadline:
                    raise failure.error from None
                logger.info("Retrying a request to the model server in %.2f s: %s", pause, failure.error.detail)
                await asyncio.sleep(pause)

    async def _attempt(self, body: dict[str, Any], deadline: float, state: "_StreamState"
                       ) -> AsyncIterator[StreamEvent]:
        path = "chat/completions" if self.config.prompt == "chat" else "completions"
        try:
            async with self.client().stream("POST", path, json=body) as response:
                await _check_status(response)
                async with aclosing(self._events(response, deadline, state)) as events:
                    async for event in events:
                        yield event
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            raise _Retryable(ModelUnavailable(
                f"The tutor's model server at {self.config.base_url} cannot be reached ({type(error).__name__})."
            )) from None
        except httpx.ReadTimeout:
            raise GenerationTimeout(
                f"The tutor's model server sent nothing for {self.config.read_timeout_s:g} s.") from None
        except (httpx.RemoteProtocolError, httpx.ReadError) as error:
            failure = EngineError(f"The model server closed the connection mid-answer ({type(error).__name__}).")
            if state.first_token_at is None:
                raise _Retryable(failure) from None
            raise failure from None
        except httpx.HTTPError as error:
            raise EngineError(f"The request to the model server failed ({type(error).__name__}: {error}).") from None

    async def _events(self, response: httpx.Response, deadline: float, state: "_StreamState"
                      ) -> AsyncIterator[StreamEvent]:
        decoder = SSEDecoder()
        lines = response.aiter_lines()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise GenerationTimeout()
            try:
                line = await asyncio.wait_for(anext(lines), remaining)
            except StopAsyncIteration:
                line = None
            except asyncio.TimeoutError:
                raise GenerationTimeout() from None
            payload = decoder.flush() if line is None else decoder.feed(line)
            if payload == DONE or (payload is None and line is None):
                break
            if payload is not None:
                for event in state.take(parse_chunk(payload)):
                    yield event
        if state.finish_reason is None:
            raise EngineError("The model server ended the answer early, without saying why.")
        yield state.completion(self._model_label(state))

    def _model_label(self, state: "_StreamState") -> str:
        return f"{self.model_name}+{state.adapter_label}" if state.adapter_label else self.model_name

    # --- the request ---------------------------------------------------------------------------------------

    def _body(self, request: GenerationRequest, turns: list[ChatTurn], adapter: "_AdapterTarget") -> dict[str, Any]:
        config = self.config
        max_tokens = max(1, min(request.max_new_tokens or config.max_new_tokens, config.max_new_tokens))
        body: dict[str, Any] = {"stream": True, "max_tokens": max_tokens, "temperature": 0,
                                "stream_options": {"include_usage": True}, **adapter.fields}
        messages = ([{"role": "system", "content": request.system_prompt}] if request.system_prompt else [])
        messages += [{"role": turn.role, "content": turn.content} for turn in turns]
        if config.prompt == "chat":
            body.update(messages=messages, logprobs=True, top_logprobs=config.top_logprobs)
        else:
            body.update(prompt=plain_chat_text(messages), logprobs=config.top_logprobs, stop=["\nUser:"])
        if "model" not in body and config.model:
            body["model"] = config.model
        return body

    async def _adapter_target(self, ref: AdapterRef | None) -> "_AdapterTarget":
        if ref is None or self.config.adapters == "none":
            return _AdapterTarget()
        try:
            if self.config.adapters == "vllm":
                name = await self.lora.ensure(self.client(), ref)
                return _AdapterTarget({"model": name}, ref.name or ref.key) if name else _AdapterTarget()
            return await self._llama_adapter(ref)
        except httpx.HTTPError as error:
            raise ModelUnavailable(f"The tutor's model server at {self.config.base_url} could not set up the "
                                   f"course's adapter ({type(error).__name__}).") from None
        except (ValueError, KeyError, TypeError, AttributeError):
            raise EngineError("The model server's list of adapters could not be read.") from None

    async def _llama_adapter(self, ref: AdapterRef) -> "_AdapterTarget":
        # llama-server's adapters are loaded at its start; a request sets every one's scale (0: off).
        response = await self.client().get(self.config.base_url.removesuffix("/v1") + "/lora-adapters")
        adapters = response.json() if response.status_code == 200 else []
        name = served_name(ref)
        chosen = [entry["id"] for entry in adapters if name in str(entry.get("path", ""))]
        if not chosen:
            logger.warning("llama-server has no adapter file named like %s; the base model answers.", name)
            return _AdapterTarget()
        lora = [{"id": entry["id"], "scale": 1.0 if entry["id"] == chosen[0] else 0.0} for entry in adapters]
        return _AdapterTarget({"lora": lora}, ref.name or ref.key)


class _AdapterTarget:
    def __init__(self, fields: dict[str, Any] | None = None, label: str = ""):
        self.fields = fields or {}
        self.label = label


class _StreamState:
    """What one answer has received so far; survives retries (which only happen before its first token)."""

    def __init__(self, *, started: float, dropped_turns: int, adapter_label: str):
        self.started = started
        self.dropped_turns = dropped_turns
        self.adapter_label = adapter_label
        self.pieces: list[str] = []
        self.confidence = ConfidenceAccumulator()
        self.finish_reason: str | None = None
        self.prompt_tokens = 0
        self.first_token_at: float | None = None

    def take(self, chunk: StreamChunk) -> list[StreamEvent]:
        for token in chunk.tokens:
            self.confidence.add(*token_statistics(token))
        if chunk.prompt_tokens is not None:
            self.prompt_tokens = chunk.prompt_tokens
        if chunk.finish_reason is not None:
            self.finish_reason = chunk.finish_reason
        if not chunk.text:
            return []
        if self.first_token_at is None:
            self.first_token_at = time.monotonic()
        self.pieces.append(chunk.text)
        return [TokenDelta(chunk.text)]

    def completion(self, model_name: str) -> Completion:
        features = self.confidence.features()
        now = time.monotonic()
        ttft = (self.first_token_at or now) - self.started
        return Completion(
            text="".join(self.pieces), features=features, confidence=confidence_from_features(features),
            prompt_tokens=self.prompt_tokens, dropped_turns=self.dropped_turns,
            finish_reason="length" if self.finish_reason == "length" else "stop", model_name=model_name,
            timings={"queue_s": 0.0, "ttft_s": ttft, "total_s": now - self.started},
        )


def token_statistics(token: TokenLogprob) -> tuple[float, float]:
    """The chosen token's log-probability and the top-k entropy (the chosen token counts even if not listed)."""
    values = [logprob for _, logprob in token.alternatives]
    if token.token not in {text for text, _ in token.alternatives}:
        values.append(token.logprob)
    return token.logprob, topk_entropy(values)


def fit_history(system_prompt: str, history: list[ChatTurn] | tuple[ChatTurn, ...],
                max_prompt_tokens: int) -> tuple[list[ChatTurn], int]:
    """The turns to send, oldest dropped first (never the last) until the estimated prompt fits."""
    turns, dropped = list(history), 0
    budget = max_prompt_tokens * CHARS_PER_TOKEN
    while len(turns) > 1 and len(system_prompt) + sum(len(turn.content) for turn in turns) > budget:
        turns, removed = drop_oldest(turns)
        dropped += removed
    return turns, dropped


async def _check_status(response: httpx.Response) -> None:
    if response.status_code == 200:
        return
    await response.aread()
    try:
        message = error_message(response.json())
    except ValueError:
        message = response.text[:300] or response.reason_phrase
    error = EngineError(f"The model server answered HTTP {response.status_code}: {message}")
    if response.status_code == MODEL_NOT_FOUND:
        error.code = MODEL_NOT_FOUND_CODE  # the adapter name was forgotten (server restarted): load it again
        raise _Retryable(error)
    if response.status_code in RETRY_STATUSES:
        raise _Retryable(error)
    raise error
