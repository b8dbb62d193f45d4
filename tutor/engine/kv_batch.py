"""The tensors of a running batch: KV cache, attention mask, positions (torch only).

Rows are right-aligned: every row ends at the newest column, shorter rows are
padded on the left, and the attention mask hides the padding. That lets a new
group of requests, prefilled on its own, join the running batch by left-padding
whichever side is shorter and concatenating along the batch dimension, and lets
finished rows leave by index selection. Keys are stored after RoPE, so moving
them to other columns does not change what they encode; position ids come from
each row's own count of real tokens.

transformers' ``DynamicCache`` keeps, per layer, ``layers[i].keys`` and
``layers[i].values`` of shape (batch, kv_heads, seq, head_dim); those are the
only attributes touched here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import torch

from .kv_cache import cache_from_tensors, cache_layers, new_cache
from .prefix_cache import PrefixEntry
from .types import EngineError


@dataclass
class PrefillInputs:
    """One group's prefill: new tokens left-padded after (optional) cached prefixes.

    Row layout, in columns: [pad | cached prefix | pad | new tokens]. The mask
    marks the real columns and position ids count real tokens, so the padding
    holes change nothing.
    """

    input_ids: torch.Tensor  # (rows, new_width)
    attention_mask: torch.Tensor  # (rows, prefix_width + new_width)
    position_ids: torch.Tensor  # (rows, new_width)
    cache: Any  # holds the cached prefixes (prefix_width columns), or is empty
    new_lengths: list[int]

    def first_new_column(self, row: int) -> int:
        """Where the row's first new token sits (its prompt's start when no prefix was cached)."""
        return self.attention_mask.shape[1] - self.new_lengths[row]


def prefill_inputs(prompts: Sequence[Sequence[int]], prefixes: Sequence[PrefixEntry | None], pad_id: int,
                   device: torch.device) -> PrefillInputs:
    cached = [entry.length if entry else 0 for entry in prefixes]
    new_tokens = [list(prompt[skip:]) for prompt, skip in zip(prompts, cached)]
    input_ids, new_mask = _left_padded(new_tokens, pad_id)
    prefix_mask = _right_aligned_ones(cached)
    attention_mask = torch.cat([prefix_mask, new_mask], dim=-1)
    position_ids = (attention_mask.cumsum(-1) - 1).clamp(min=0)[:, prefix_mask.shape[1] :]
    return PrefillInputs(
        input_ids.to(device), attention_mask.to(device), position_ids.to(device),
        _prefix_cache(prefixes, prefix_mask.shape[1], device), [len(tokens) for tokens in new_tokens],
    )


def _left_padded(rows: Sequence[Sequence[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(row) for row in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for index, row in enumerate(rows):
        ids[index, width - len(row) :] = torch.tensor(row, dtype=torch.long)
        mask[index, width - len(row) :] = 1
    return ids, mask


def _right_aligned_ones(lengths: Sequence[int]) -> torch.Tensor:
    width = max(lengths)
    columns = torch.arange(width).unsqueeze(0)
    return (columns >= width - torch.tensor(lengths).unsqueeze(1)).long()


def _prefix_cache(prefixes: Sequence[PrefixEntry | None], width: int, device: torch.device) -> Any:
    if width == 0:
        return new_cache()
    template = next(entry for entry in prefixes if entry is not None)
    per_layer = []
    for layer, (keys, _) in enumerate(template.per_layer):
        stacked = [
            torch.cat([_left_pad(_prefix_part(entry, layer, part, keys), width, -2) for entry in prefixes]).to(device)
            for part in (0, 1)
        ]
        per_layer.append((stacked[0], stacked[1]))
    return cache_from_tensors(per_layer)


def _prefix_part(entry: PrefixEntry | None, layer: int, part: int, like: torch.Tensor) -> torch.Tensor:
    """Keys (part 0) or values (part 1) of one cached prefix; an empty stand-in for rows without one."""
    if entry is None:
        return like.new_zeros((1, like.shape[1], 0, like.shape[3]))
    return entry.per_layer[layer][part]


def prefix_tensors(cache: Any, row: int, start: int, length: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Copies of one row's keys/values over columns [start, start + length), for the prefix store."""
    end = start + length
    return [(layer.keys[row : row + 1, :, start:end].clone(), layer.values[row : row + 1, :, start:end].clone())
            for layer in cache_layers(cache)]


class KVBatch:
    """Cache + mask + next position + last token, one row per running sequence."""

    def __init__(self, cache: Any, attention_mask: torch.Tensor, last_tokens: torch.Tensor):
        self.cache = cache
        self.attention_mask = attention_mask  # (rows, columns) of 0/1, long
        self.next_positions = attention_mask.sum(-1)  # position id of each row's next token
        self.last_tokens = last_tokens  # (rows,) the token each row feeds next

    @property
    def rows(self) -> int:
        return self.attention_mask.shape[0]

    def decode_inputs(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Inputs of one decode step; the mask grows by the column being written."""
        new_column = torch.ones((self.rows, 1), dtype=self.attention_mask.dtype, device=self.attention_mask.device)
        self.attention_mask = torch.cat([self.attention_mask, new_column], dim=-1)
        return self.last_tokens.unsqueeze(-1), self.attention_mask, self.next_positions.unsqueeze(-1)

    def advance(self, next_tokens: torch.Tensor) -> None:
        self.next_positions = self.next_positions + 1
        self.last_tokens = next_tokens

    def keep_rows(self, rows: Sequence[int]) -> None:
        index = torch.tensor(list(rows), dtype=torch.long, device=self.attention_mask.device)
        for layer in cache_layers(self.cache):
            layer.keys = layer.keys.index_select(0, index)
            layer.values = layer.values.index_select(0, index)
        self.attention_mask = self.attention_mask.index_select(0, index)
        self.next_positions = self.next_positions.index_select(0, index)
        self.last_tokens = self.last_tokens.index_select(0, index)
        self._drop_empty_columns()

    def _drop_empty_columns(self) -> None:
        # After long rows leave, the leftmost columns may be padding in every row.
        occupied = self.attention_mask.any(dim=0).nonzero()
        first = int(occupied[0]) if occupied.numel() else self.attention_mask.shape[1]
        if first == 0:
            return
        for layer in cache_layers(self.cache):
            layer.keys = layer.keys[:, :, first:].contiguous()
            layer.values = layer.values[:, :, first:].contiguous()
        self.attention_mask = self.attention_mask[:, first:]

    def absorb(self, other: "KVBatch") -> None:
        """Append ``other``'s rows after this batch's rows."""
        width = max(self.attention_mask.shape[1], other.attention_mask.shape[1])
        mine, theirs = cache_layers(self.cache), cache_layers(other.cache)
        if len(mine) != len(theirs):
            raise EngineError("Cannot merge KV caches with different numbers of layers.")
        for own, new in zip(mine, theirs):
            own.keys = torch.cat([_left_pad(own.keys, width, -2), _left_pad(new.keys, width, -2)], dim=0)
            own.values = torch.cat([_left_pad(own.values, width, -2), _left_pad(new.values, width, -2)], dim=0)
        self.attention_mask = torch.cat(
            [_left_pad(self.attention_mask, width, -1), _left_pad(other.attention_mask, width, -1)], dim=0
        )
        self.next_positions = torch.cat([self.next_positions, other.next_positions])
        self.last_tokens = torch.cat([self.last_tokens, other.last_tokens])


def _left_pad(tensor: torch.Tensor, width: int, dim: int) -> torch.Tensor:
    missing = width - tensor.shape[dim]
    if missing == 0:
        return tensor
    shape = list(tensor.shape)
    shape[dim] = missing
    return torch.cat([tensor.new_zeros(shape), tensor], dim=dim)
