"""Prompt building: chat template, budget, which turns are dropped, shared prefix."""
from __future__ import annotations

import pytest

from tutor.engine.prompt import PromptTooLong, build_prompt, encode_chat, stop_token_ids
from tutor.engine.types import ChatTurn

from .conftest import make_tokenizer

SYSTEM = "You are a tutor for the cell course."


def conversation(turns: int) -> list[ChatTurn]:
    history = [ChatTurn("user" if i % 2 == 0 else "assistant", f"turn{i} the cell is the basic unit of life")
               for i in range(turns)]
    return history + [ChatTurn("user", "final question: what is energy?")]


def rendered(tokenizer, prompt) -> str:
    return tokenizer.decode(prompt.token_ids)


def test_prompt_uses_chat_template_with_system_first_and_generation_prompt(tiny_tokenizer):
    prompt = build_prompt(tiny_tokenizer, SYSTEM, conversation(2), max_prompt_tokens=1000)
    text = rendered(tiny_tokenizer, prompt)
    assert text.startswith("<|im_start|>system\n" + SYSTEM)
    assert text.endswith("final question: what is energy?<|im_end|>\n<|im_start|>assistant\n")
    assert prompt.dropped_turns == 0 and not prompt.truncated_last_turn


def test_oldest_turns_are_dropped_first_and_last_question_kept(tiny_tokenizer):
    history = conversation(8)
    full = len(encode_chat(tiny_tokenizer, SYSTEM, history))
    keep_recent = len(encode_chat(tiny_tokenizer, SYSTEM, history[-3:]))
    prompt = build_prompt(tiny_tokenizer, SYSTEM, history, max_prompt_tokens=keep_recent + 2)
    text = rendered(tiny_tokenizer, prompt)

    assert full > keep_recent + 2
    assert len(prompt.token_ids) <= keep_recent + 2
    assert prompt.dropped_turns == 6
    assert "turn0" not in text and "turn5" not in text
    assert "turn6" in text and "turn7" in text
    assert text.startswith("<|im_start|>system\n" + SYSTEM)
    assert "final question: what is energy?" in text


def test_after_dropping_the_conversation_still_starts_with_a_user_turn(tiny_tokenizer):
    history = conversation(4)  # user, assistant, user, assistant, user(final)
    budget = len(encode_chat(tiny_tokenizer, SYSTEM, history[-2:])) + 1  # room for assistant turn3 + final
    prompt = build_prompt(tiny_tokenizer, SYSTEM, history, max_prompt_tokens=budget)
    text = rendered(tiny_tokenizer, prompt)
    assert "turn3" not in text  # a leading assistant turn goes with the user turn before it
    assert prompt.dropped_turns == 4


def test_too_long_question_keeps_its_end(tiny_tokenizer):
    ending = "so what is the answer to the final question?"
    history = conversation(4)[:-1] + [ChatTurn("user", "context " * 200 + ending)]
    overhead = len(encode_chat(tiny_tokenizer, SYSTEM, [ChatTurn("user", "")]))
    budget = overhead + len(tiny_tokenizer.encode(ending)) + 3
    prompt = build_prompt(tiny_tokenizer, SYSTEM, history, max_prompt_tokens=budget)
    text = rendered(tiny_tokenizer, prompt)
    assert len(prompt.token_ids) <= budget
    assert prompt.truncated_last_turn and prompt.dropped_turns == 4
    assert text.startswith("<|im_start|>system\n" + SYSTEM)
    assert "so what is the answer to the final question?<|im_end|>\n<|im_start|>assistant\n" in text


def test_system_prompt_alone_over_budget_is_an_engine_error(tiny_tokenizer):
    with pytest.raises(PromptTooLong):
        build_prompt(tiny_tokenizer, SYSTEM * 30, conversation(0), max_prompt_tokens=40)


def test_shared_prefix_covers_exactly_the_system_message(tiny_tokenizer):
    one = build_prompt(tiny_tokenizer, SYSTEM, conversation(0), 1000)
    other = build_prompt(tiny_tokenizer, SYSTEM, conversation(3), 1000)
    assert one.shared_prefix_len == other.shared_prefix_len > 0
    assert one.token_ids[: one.shared_prefix_len] == other.token_ids[: other.shared_prefix_len]
    assert tiny_tokenizer.decode(one.token_ids[: one.shared_prefix_len]).endswith(SYSTEM + "<|im_end|>\n")
    assert build_prompt(tiny_tokenizer, "", conversation(0), 1000).shared_prefix_len == 0


def test_plain_text_fallback_without_chat_template():
    tokenizer = make_tokenizer(with_template=False)
    prompt = build_prompt(tokenizer, SYSTEM, conversation(2), max_prompt_tokens=1000)
    text = tokenizer.decode(prompt.token_ids)
    assert text.startswith("System: " + SYSTEM + "\nUser: turn0")
    assert text.endswith("User: final question: what is energy?\nAssistant:")


def test_stop_tokens_include_eos_and_end_of_turn(tiny_tokenizer):
    stops = stop_token_ids(tiny_tokenizer)
    assert tiny_tokenizer.convert_tokens_to_ids("<|im_end|>") in stops
    assert tiny_tokenizer.convert_tokens_to_ids("<|endoftext|>") in stops


def test_empty_history_is_rejected(tiny_tokenizer):
    with pytest.raises(ValueError):
        build_prompt(tiny_tokenizer, SYSTEM, [], 100)
