"""Reuse the KV cache of shared prompt prefixes (torch only).

Every student of a course gets the same system prompt (instructions plus
course material), typically hundreds of tokens, and prefilling it is most of
the time to first token on CPU. Keys and values of a prefix depend only on the
prefix tokens (causal attention, absolute positions from 0), so the tensors
computed for one request are valid for every later request that starts with
the same tokens and runs on the same weights; those only prefill their own
suffix.

A LoRA adapter changes the keys and values of every layer, so each entry
belongs to the weights that computed it (``weights``: "" for the base model,
an adapter's key and content hash otherwise). A course served by its tuned
adapter shares its system prompt between its students as the base model does,
and never with the base model or another adapter.
"""
from __future__ import annotations

import collections
from dataclasses import dataclass
from typing import Sequence

import torch

# Shorter shared prefixes are not worth the bookkeeping.
MIN_PREFIX_TOKENS = 16


@dataclass(frozen=True)
class PrefixEntry:
    per_layer: tuple[tuple[torch.Tensor, torch.Tensor], ...]  # each (1, kv_heads, length, head_dim)
    length: int
    nbytes: int


class PrefixStore:
    """LRU map from (weights, prefix token ids) to their per-layer keys and values, bounded in bytes."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._entries: collections.OrderedDict[tuple[str, tuple[int, ...]], PrefixEntry] = collections.OrderedDict()
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def lookup(self, prompt_ids: Sequence[int], prefix_len: int, weights: str = "") -> PrefixEntry | None:
        # At least one prompt token must remain to be prefilled: it yields the first logits.
        if not self._worth_sharing(prompt_ids, prefix_len):
            return None
        key = _key(prompt_ids, prefix_len, weights)
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end(key)
        return entry

    def accepts(self, prompt_ids: Sequence[int], prefix_len: int, weights: str = "") -> bool:
        """Whether ``store`` would keep this prefix (checked before copying tensors out)."""
        return (self._worth_sharing(prompt_ids, prefix_len)
                and _key(prompt_ids, prefix_len, weights) not in self._entries)

    def store(self, prompt_ids: Sequence[int], prefix_len: int,
              per_layer: Sequence[tuple[torch.Tensor, torch.Tensor]], weights: str = "") -> None:
        key = _key(prompt_ids, prefix_len, weights)
        if not self._worth_sharing(prompt_ids, prefix_len) or key in self._entries:
            return
        nbytes = sum(k.nbytes + v.nbytes for k, v in per_layer)
        if nbytes > self.max_bytes:
            return
        self._entries[key] = PrefixEntry(tuple((k, v) for k, v in per_layer), prefix_len, nbytes)
        self._bytes += nbytes
        while self._bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= evicted.nbytes

    def __len__(self) -> int:
        return len(self._entries)

    def _worth_sharing(self, prompt_ids: Sequence[int], prefix_len: int) -> bool:
        return self.enabled and MIN_PREFIX_TOKENS <= prefix_len < len(prompt_ids)


def _key(prompt_ids: Sequence[int], prefix_len: int, weights: str) -> tuple[str, tuple[int, ...]]:
    return weights, tuple(prompt_ids[:prefix_len])
