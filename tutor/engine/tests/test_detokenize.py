"""Incremental detokenisation never emits broken characters and loses nothing."""
from __future__ import annotations

import random

from tutor.engine.detokenize import REPLACEMENT_CHAR, IncrementalDecoder

TEXT = "Héllo wörld, ça va? 你好，世界。 Ünïcödé 😀 naïve façade"


def stream(tokenizer, ids):
    decoder = IncrementalDecoder(tokenizer)
    deltas = [decoder.push(token) for token in ids]
    deltas.append(decoder.flush())
    return [delta for delta in deltas if delta], decoder


def test_multibyte_characters_are_never_split(tiny_tokenizer):
    ids = tiny_tokenizer.encode(TEXT)
    assert len(ids) > len(TEXT) / 2, "the tiny tokenizer should spread characters over byte tokens"
    deltas, decoder = stream(tiny_tokenizer, ids)
    assert "".join(deltas) == TEXT == decoder.emitted_text()
    assert not any(REPLACEMENT_CHAR in delta for delta in deltas)


def test_arbitrary_byte_tokens_lose_nothing(tiny_tokenizer):
    rng = random.Random(7)
    ids = [rng.randrange(3, len(tiny_tokenizer)) for _ in range(200)]
    deltas, decoder = stream(tiny_tokenizer, ids)
    assert "".join(deltas) == tiny_tokenizer.decode(ids, skip_special_tokens=True)
    # Only the final flush may end in an unfinished character.
    assert not any(delta.endswith(REPLACEMENT_CHAR) for delta in deltas[:-1])


def test_special_tokens_are_not_emitted(tiny_tokenizer):
    ids = tiny_tokenizer.encode("The cell") + [tiny_tokenizer.convert_tokens_to_ids("<|im_start|>")]
    deltas, _ = stream(tiny_tokenizer, ids)
    assert "".join(deltas) == "The cell"
