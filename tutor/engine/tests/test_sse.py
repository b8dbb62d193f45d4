"""SSE decoding, chunk parsing and the top-k confidence features, on handwritten chunks (no network)."""
from __future__ import annotations

import json
import math

import pytest

from tutor.engine.features import FLOOR_LOGPROB, clean_logprob, topk_entropy
from tutor.engine.openai_engine import fit_history, token_statistics
from tutor.engine.sse import DONE, MalformedStream, SSEDecoder, TokenLogprob, parse_chunk
from tutor.engine.tests.sse_chunks import chat_chunk, token, two_way_entropy
from tutor.engine.types import ChatTurn, EngineError


def decode(text: str) -> list[str]:
    decoder = SSEDecoder()
    payloads = [decoder.feed(line) for line in text.split("\n")]
    return [payload for payload in payloads + [decoder.flush()] if payload is not None]


def test_events_are_split_at_blank_lines_and_comments_are_ignored():
    assert decode(": keep-alive\n\ndata: {\"a\": 1}\n\nevent: x\ndata: [DONE]\n\n") == ['{"a": 1}', DONE]


def test_multi_line_data_is_joined_and_a_missing_final_blank_line_still_ends_the_event():
    assert decode("data: {\"a\":\ndata: 2}") == ['{"a":\n2}']


def test_data_without_a_space_after_the_colon_is_read():
    assert decode("data:[DONE]\n\n") == [DONE]


def test_chat_chunk_gives_text_token_logprobs_and_alternatives():
    chunk = parse_chunk(json.dumps(chat_chunk("Hi", [token("Hi", -0.2, {"Hi": -0.2, "Hello": -1.9})])))
    assert chunk.text == "Hi" and chunk.finish_reason is None
    assert chunk.tokens == (TokenLogprob("Hi", -0.2, (("Hi", -0.2), ("Hello", -1.9))),)


def test_final_chunk_gives_the_finish_reason_and_usage_chunk_the_prompt_size():
    assert parse_chunk(json.dumps(chat_chunk(finish="length"))).finish_reason == "length"
    assert parse_chunk(json.dumps({"choices": [], "usage": {"prompt_tokens": 17}})).prompt_tokens == 17


def test_legacy_completion_logprobs_are_read():
    body = {"choices": [{"text": " 4", "finish_reason": None,
                         "logprobs": {"tokens": [" 4"], "token_logprobs": [-0.3], "top_logprobs": [{" 4": -0.3, " 5": -1.6}]}}]}
    chunk = parse_chunk(json.dumps(body))
    assert chunk.text == " 4" and chunk.tokens == (TokenLogprob(" 4", -0.3, ((" 4", -0.3), (" 5", -1.6))),)


@pytest.mark.parametrize("payload", ["not json", "[1, 2]", '{"id": 1}', '{"choices": [{"delta": {"content": 5}}]}',
                                     '{"choices": [{"delta": {}, "logprobs": {"content": [{"token": "a"}]}}]}',
                                     '{"choices": [{"delta": {}, "logprobs": {"content": [{"token": "a", "logprob": "x"}]}}]}'])
def test_garbage_is_a_malformed_stream_error(payload):
    with pytest.raises(MalformedStream):
        parse_chunk(payload)


def test_an_error_event_is_an_engine_error_with_the_servers_message():
    with pytest.raises(EngineError, match="context too long"):
        parse_chunk('{"error": {"message": "context too long", "code": 400}}')


def test_logprobs_a_server_cannot_express_are_floored():
    assert clean_logprob(-math.inf) == FLOOR_LOGPROB and clean_logprob(float("nan")) == FLOOR_LOGPROB
    assert clean_logprob(-1e9) == FLOOR_LOGPROB and clean_logprob(0.0001) == 0.0


def test_topk_entropy_is_the_renormalised_entropy():
    assert topk_entropy([math.log(0.25)] * 4) == pytest.approx(math.log(4))
    # Two tokens holding 0.6 of the mass between them count as 0.5 / 0.5 once renormalised.
    assert topk_entropy([math.log(0.3), math.log(0.3)]) == pytest.approx(math.log(2))
    assert topk_entropy([-0.01]) == 0.0


def test_token_statistics_count_the_chosen_token_once_and_add_it_when_not_listed():
    listed = TokenLogprob("a", -0.1, (("a", -0.1), ("b", -2.5)))
    assert token_statistics(listed) == (-0.1, pytest.approx(two_way_entropy(-0.1, -2.5)))
    unlisted = TokenLogprob("c", -3.0, (("a", -0.1),))
    assert token_statistics(unlisted) == (-3.0, pytest.approx(two_way_entropy(-0.1, -3.0)))


def test_fit_history_drops_the_oldest_turns_never_the_question():
    history = [ChatTurn("user", "a" * 400), ChatTurn("assistant", "b" * 400), ChatTurn("user", "q" * 10)]
    assert fit_history("", history, max_prompt_tokens=1000) == (history, 0)
    assert fit_history("", history, max_prompt_tokens=50) == ([history[-1]], 2)
    assert fit_history("", history[-1:], max_prompt_tokens=1) == (history[-1:], 0)
