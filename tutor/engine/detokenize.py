"""Incremental detokenisation that never splits a character (pure, tokenizer passed in).

Byte-level tokenizers can spread one character over several tokens, and
SentencePiece ones change a token's text depending on its left neighbour. So
we decode a small window that starts one chunk back, emit only what it adds,
and hold back text that still ends with U+FFFD (an incomplete UTF-8 sequence).
"""
from __future__ import annotations

from typing import Any

REPLACEMENT_CHAR = "\ufffd"


class IncrementalDecoder:
    def __init__(self, tokenizer: Any):
        self._tokenizer = tokenizer
        self._ids: list[int] = []
        self._prefix_offset = 0  # start of the window decoded for context
        self._read_offset = 0  # tokens up to here have been emitted
        self._emitted: list[str] = []

    def push(self, token_id: int) -> str:
        """Add one token; return the newly readable text (possibly "")."""
        self._ids.append(token_id)
        already = self._decode(self._ids[self._prefix_offset : self._read_offset])
        current = self._decode(self._ids[self._prefix_offset :])
        if len(current) <= len(already) or current.endswith(REPLACEMENT_CHAR):
            return ""
        delta = current[len(already) :]
        self._prefix_offset, self._read_offset = self._read_offset, len(self._ids)
        self._emitted.append(delta)
        return delta

    def flush(self) -> str:
        """The text still held back at the end of generation (e.g. a dangling byte)."""
        full = self.text()
        emitted = "".join(self._emitted)
        remainder = full[len(emitted) :] if full.startswith(emitted) else ""
        if remainder:
            self._emitted.append(remainder)
        return remainder

    def text(self) -> str:
        return self._decode(self._ids)

    def emitted_text(self) -> str:
        return "".join(self._emitted)

    def _decode(self, ids: list[int]) -> str:
        return self._tokenizer.decode(ids, skip_special_tokens=True)
