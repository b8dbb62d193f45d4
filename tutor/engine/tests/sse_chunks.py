"""Handwritten server-sent events in the shapes vLLM and llama-server stream (no network)."""
from __future__ import annotations

import json
import math


def token(text: str, logprob: float, alternatives: dict[str, float] | None = None) -> dict:
    alternatives = alternatives if alternatives is not None else {text: logprob}
    return {"token": text, "logprob": logprob, "bytes": list(text.encode()),
            "top_logprobs": [{"token": t, "logprob": lp, "bytes": list(t.encode())} for t, lp in alternatives.items()]}


def chat_chunk(text: str | None = None, tokens: list[dict] | None = None, finish: str | None = None,
               usage: dict | None = None) -> dict:
    choice = {"index": 0, "delta": {} if text is None else {"content": text}, "finish_reason": finish,
              "logprobs": {"content": tokens} if tokens else None}
    body = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "model": "m", "choices": [choice]}
    if usage:
        body["usage"] = usage
    return body


def event(body: dict | str) -> str:
    return f"data: {body if isinstance(body, str) else json.dumps(body)}\n\n"


def answer_events(words: list[str], finish: str = "stop", prompt_tokens: int = 42) -> list[str]:
    """One event per word, each a token at log-probability -0.1 against one alternative at -2.5."""
    events = [event(chat_chunk(text="", tokens=None))]  # the role-only first chunk
    for word in words:
        events.append(event(chat_chunk(word, [token(word, -0.1, {word: -0.1, "x": -2.5})])))
    events.append(event(chat_chunk(finish=finish)))
    events.append(event({"id": "chatcmpl-1", "choices": [], "usage": {"prompt_tokens": prompt_tokens}}))
    events.append(event("[DONE]"))
    return events


def two_way_entropy(a: float, b: float) -> float:
    total = math.exp(a) + math.exp(b)
    p, q = math.exp(a) / total, math.exp(b) / total
    return -(p * math.log(p) + q * math.log(q))
