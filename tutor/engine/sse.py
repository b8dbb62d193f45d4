"""Server-sent events of an OpenAI-compatible streaming completion, parsed into plain chunks (pure, no I/O).

``SSEDecoder`` turns the response's lines into event payloads (the ``data:`` fields of one event, joined);
``parse_chunk`` turns one payload into a ``StreamChunk``: the text it adds, each token's log-probability with
its top alternatives, and the finish reason when it is the last. Both chat (``/v1/chat/completions``) and raw
(``/v1/completions``) chunks are understood, with either the chat-style ``logprobs.content`` list or the legacy
``tokens`` / ``token_logprobs`` / ``top_logprobs`` columns. Anything else raises ``MalformedStream``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .features import clean_logprob
from .types import EngineError

DONE = "[DONE]"


class MalformedStream(EngineError):
    code = "engine_bad_response"
    detail = "The tutor's model server sent an answer that could not be read. Please try again."


@dataclass(frozen=True)
class TokenLogprob:
    token: str
    logprob: float
    alternatives: tuple[tuple[str, float], ...]  # the server's top_logprobs, best first


@dataclass(frozen=True)
class StreamChunk:
    text: str = ""
    tokens: tuple[TokenLogprob, ...] = ()
    finish_reason: str | None = None
    prompt_tokens: int | None = None


class SSEDecoder:
    """Feed it lines without their newline; it returns an event's payload at the blank line that ends it."""

    def __init__(self) -> None:
        self._data: list[str] = []

    def feed(self, line: str) -> str | None:
        if line == "":
            payload, self._data = "\n".join(self._data), []
            return payload or None
        if line.startswith(":"):
            return None  # a comment: servers send them to keep the connection alive
        field, _, value = line.partition(":")
        if field == "data":
            self._data.append(value[1:] if value.startswith(" ") else value)
        # "event", "id" and "retry" carry nothing a completion needs.
        return None

    def flush(self) -> str | None:
        """The last event when the stream ended without its blank line."""
        return self.feed("")


def parse_chunk(payload: str) -> StreamChunk:
    try:
        body = json.loads(payload)
    except ValueError:
        raise MalformedStream(f"The model server sent a chunk that is not JSON: {payload[:80]!r}.") from None
    if not isinstance(body, dict):
        raise MalformedStream("The model server sent a chunk that is not a JSON object.")
    if "error" in body:
        raise EngineError(f"The model server reported an error: {error_message(body)}")
    try:
        return _chunk(body)
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise MalformedStream(f"The model server sent a chunk of an unexpected shape ({error}).") from None


def error_message(body: Any) -> str:
    """The message of an OpenAI-style error body, {"error": {"message": ...}} or {"message": ...}, shortened."""
    if isinstance(body, dict):
        error = body.get("error", body)
        message = error.get("message") if isinstance(error, dict) else error
        if message is None and isinstance(body.get("detail"), str):
            message = body["detail"]
        if message is not None:
            return str(message)[:300]
    return str(body)[:300]


def _chunk(body: dict[str, Any]) -> StreamChunk:
    usage = body.get("usage") or {}
    prompt_tokens = usage.get("prompt_tokens") if isinstance(usage, dict) else None
    choices = body.get("choices")
    if choices is None:
        raise KeyError("choices")
    if not choices:  # the usage-only chunk that ends a stream with stream_options.include_usage
        return StreamChunk(prompt_tokens=_optional_int(prompt_tokens))
    choice = choices[0]
    delta = choice.get("delta")
    text = (delta or {}).get("content") if delta is not None else choice.get("text")
    if text is not None and not isinstance(text, str):
        raise TypeError("the text is not a string")
    return StreamChunk(text=text or "", tokens=_tokens(choice.get("logprobs")),
                       finish_reason=choice.get("finish_reason"), prompt_tokens=_optional_int(prompt_tokens))


def _tokens(logprobs: Any) -> tuple[TokenLogprob, ...]:
    if not logprobs:
        return ()
    if "content" in logprobs:
        return tuple(
            TokenLogprob(str(entry["token"]), clean_logprob(entry["logprob"]),
                         tuple((str(alt["token"]), clean_logprob(alt["logprob"]))
                               for alt in entry.get("top_logprobs") or ()))
            for entry in logprobs["content"] or ()
        )
    tops = logprobs.get("top_logprobs") or [None] * len(logprobs["tokens"])
    return tuple(
        TokenLogprob(str(token), clean_logprob(logprob),
                     tuple((str(t), clean_logprob(lp)) for t, lp in (top or {}).items()))
        for token, logprob, top in zip(logprobs["tokens"], logprobs["token_logprobs"], tops, strict=True)
    )


def _optional_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
