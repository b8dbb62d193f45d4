"""Turn a GenerationRequest into prompt token ids within the token budget (pure).

The tokenizer is passed in. The system prompt always comes first and the last
user turn is always kept; to fit ``max_prompt_tokens`` the oldest history turns
go first, and only if that is not enough is the *start* of the last turn's text
cut (its end usually holds the actual question).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from .types import ChatTurn, EngineError

# Single tokens that end an assistant turn in common chat templates.
END_OF_TURN_TOKENS = ("<|im_end|>", "<|eot_id|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "</s>")


@dataclass(frozen=True)
class BuiltPrompt:
    token_ids: list[int]
    dropped_turns: int
    truncated_last_turn: bool
    shared_prefix_len: int = 0  # leading tokens that render the system prompt alone (same for every turn)


class PromptTooLong(EngineError):
    code = "prompt_too_long"
    detail = "The course instructions alone are longer than the tutor's prompt budget."


def build_prompt(tokenizer: Any, system_prompt: str, history: Sequence[ChatTurn],
                 max_prompt_tokens: int) -> BuiltPrompt:
    if not history:
        raise ValueError("history must end with the user's question")
    turns = list(history)
    dropped = 0
    while True:
        token_ids = encode_chat(tokenizer, system_prompt, turns)
        if len(token_ids) <= max_prompt_tokens or len(turns) == 1:
            break
        turns, removed = drop_oldest(turns)
        dropped += removed
    truncated = len(token_ids) > max_prompt_tokens
    if truncated:
        token_ids = _truncate_last_turn(tokenizer, system_prompt, turns[-1], max_prompt_tokens)
    return BuiltPrompt(token_ids, dropped, truncated, shared_prefix_len(tokenizer, system_prompt, token_ids))


def shared_prefix_len(tokenizer: Any, system_prompt: str, token_ids: list[int]) -> int:
    """How many leading tokens depend on the system prompt only, so other requests can share their KV cache.

    Rendering the system message alone gives the candidate prefix; it only
    counts if the full prompt really starts with exactly those tokens (a
    template or tokenizer could merge across the boundary).
    """
    if not system_prompt:
        return 0
    prefix = _encode_messages(tokenizer, [{"role": "system", "content": system_prompt}], add_generation_prompt=False)
    return len(prefix) if token_ids[: len(prefix)] == prefix else 0


def drop_oldest(turns: list[ChatTurn]) -> tuple[list[ChatTurn], int]:
    # Also drop an assistant turn left at the front: many chat templates insist
    # that the conversation after the system prompt starts with the user.
    removed = 1
    while len(turns) - removed > 1 and turns[removed].role == "assistant":
        removed += 1
    return turns[removed:], removed


def _truncate_last_turn(tokenizer: Any, system_prompt: str, last: ChatTurn, budget: int) -> list[int]:
    overhead = len(encode_chat(tokenizer, system_prompt, [ChatTurn(last.role, "")]))
    text_ids = tokenizer.encode(last.content, add_special_tokens=False)
    keep = budget - overhead
    # Re-tokenising a cut text can merge differently, so shrink until it fits.
    while keep > 0:
        tail = tokenizer.decode(text_ids[-keep:], skip_special_tokens=True)
        token_ids = encode_chat(tokenizer, system_prompt, [ChatTurn(last.role, tail)])
        if len(token_ids) <= budget:
            return token_ids
        keep -= max(1, len(token_ids) - budget)
    raise PromptTooLong()


def encode_chat(tokenizer: Any, system_prompt: str, turns: Sequence[ChatTurn]) -> list[int]:
    messages = [{"role": "system", "content": system_prompt}] if system_prompt else []
    messages += [{"role": turn.role, "content": turn.content} for turn in turns]
    return _encode_messages(tokenizer, messages, add_generation_prompt=True)


def _encode_messages(tokenizer: Any, messages: list[dict[str, str]], add_generation_prompt: bool) -> list[int]:
    if getattr(tokenizer, "chat_template", None):
        text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)
        # The template already writes any BOS token it wants.
        return list(tokenizer.encode(text, add_special_tokens=False))
    text = plain_chat_text(messages, add_generation_prompt)
    return list(tokenizer.encode(text, add_special_tokens=True))


def plain_chat_text(messages: Sequence[dict[str, str]], add_generation_prompt: bool = True) -> str:
    """A template-free rendering for tokenizers without a chat template."""
    lines = [f"{message['role'].capitalize()}: {message['content']}\n" for message in messages]
    return "".join(lines) + ("Assistant:" if add_generation_prompt else "")


def stop_token_ids(tokenizer: Any, generation_config: Any = None) -> frozenset[int]:
    """Token ids that end the answer: EOS (tokenizer and model) and end-of-turn markers."""
    ids: set[int] = set()
    for candidate in (getattr(tokenizer, "eos_token_id", None), getattr(generation_config, "eos_token_id", None)):
        if isinstance(candidate, int):
            ids.add(candidate)
        elif isinstance(candidate, (list, tuple)):
            ids.update(int(token_id) for token_id in candidate)
    vocabulary = tokenizer.get_vocab()
    ids.update(vocabulary[token] for token in END_OF_TURN_TOKENS if token in vocabulary)
    return frozenset(ids)
