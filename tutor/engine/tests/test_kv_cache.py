"""The in-place KV cache layer and the batch-tensor bookkeeping around it."""
from __future__ import annotations

import torch
from transformers.cache_utils import DynamicLayer

from tutor.engine.kv_batch import KVBatch, prefill_inputs
from tutor.engine.kv_cache import GrowableLayer, cache_from_tensors, new_cache
from tutor.engine.prefix_cache import PrefixEntry, PrefixStore


def kv(rows, columns, seed):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(rows, 2, columns, 4, generator=generator), torch.randn(rows, 2, columns, 4, generator=generator)


def test_growable_layer_behaves_like_dynamic_layer():
    growable, dynamic = GrowableLayer(), DynamicLayer()
    for step, columns in enumerate([5, 1, 1, 70, 1]):  # 70 forces a regrowth
        keys, values = kv(3, columns, step)
        got, expected = growable.update(keys, values), dynamic.update(keys, values)
        assert all(torch.equal(a, b) for a, b in zip(got, expected))
        assert growable.get_seq_length() == dynamic.get_seq_length()
    for layer in (growable, dynamic):  # what kv_batch does: assign keys, then values
        layer.keys = layer.keys.index_select(0, torch.tensor([0, 2]))[:, :, 10:]
        layer.values = layer.values.index_select(0, torch.tensor([0, 2]))[:, :, 10:]
    keys, values = kv(2, 1, 99)
    assert all(torch.equal(a, b) for a, b in zip(growable.update(keys, values), dynamic.update(keys, values)))


def test_model_creates_growable_layers_and_matches_the_default_cache(tiny_model, tiny_tokenizer):
    ids = torch.tensor([tiny_tokenizer.encode("The cell is the basic unit of life.")])
    with torch.inference_mode():
        cache = new_cache()
        ours = tiny_model(ids, past_key_values=cache, use_cache=True).logits
        reference = tiny_model(ids, use_cache=True).logits
    assert isinstance(cache.layers[0], GrowableLayer)
    assert torch.equal(ours, reference)


def test_prefill_layout_with_a_cached_prefix():
    prefix_keys, prefix_values = kv(1, 3, 0)
    entry = PrefixEntry(((prefix_keys, prefix_values),), length=3, nbytes=0)
    inputs = prefill_inputs([[1, 2, 3, 4, 5], [6, 7]], [entry, None], pad_id=0, device=torch.device("cpu"))
    # Row 0: 3 cached + 2 new; row 1: nothing cached, 2 new. Columns: 3 prefix + 2 new.
    assert inputs.input_ids.tolist() == [[4, 5], [6, 7]]
    assert inputs.attention_mask.tolist() == [[1, 1, 1, 1, 1], [0, 0, 0, 1, 1]]
    assert inputs.position_ids.tolist() == [[3, 4], [0, 1]]
    assert torch.equal(inputs.cache.layers[0].keys[0:1], prefix_keys)
    assert inputs.cache.layers[0].keys[1].abs().sum() == 0
    assert inputs.first_new_column(1) == 3


def test_batch_rows_leave_and_empty_columns_are_trimmed():
    keys, values = kv(2, 4, 1)
    mask = torch.tensor([[1, 1, 1, 1], [0, 0, 1, 1]])
    batch = KVBatch(cache_from_tensors([(keys, values)]), mask, torch.tensor([5, 6]))
    batch.keep_rows([1])
    assert batch.attention_mask.tolist() == [[1, 1]]
    assert torch.equal(batch.cache.layers[0].keys, keys[1:, :, 2:])
    assert batch.next_positions.tolist() == [2]


def test_prefix_store_is_lru_and_bounded_in_bytes():
    keys, values = kv(1, 20, 3)
    size = keys.nbytes + values.nbytes
    store = PrefixStore(max_bytes=2 * size)
    prompts = [[n] * 20 + [99] for n in range(3)]
    for prompt in prompts[:2]:
        store.store(prompt, 20, [(keys, values)])
    assert store.lookup(prompts[0], 20) is not None  # now the most recent
    store.store(prompts[2], 20, [(keys, values)])
    assert len(store) == 2
    assert store.lookup(prompts[1], 20) is None  # the least recently used went
    assert store.lookup(prompts[0], 20) is not None
    assert store.lookup(prompts[0][:20], 20) is None  # nothing left to prefill: not shareable


def test_a_prefix_belongs_to_the_weights_that_computed_it():
    keys, values = kv(1, 20, 3)
    store = PrefixStore(max_bytes=10 * (keys.nbytes + values.nbytes))
    prompt = [7] * 20 + [99]
    store.store(prompt, 20, [(keys, values)], "mv3:abc")
    assert store.lookup(prompt, 20) is None  # the base model's keys and values are not the adapter's
    assert store.lookup(prompt, 20, "mv4:abc") is None and store.lookup(prompt, 20, "mv3:def") is None
    assert store.lookup(prompt, 20, "mv3:abc") is not None
    assert store.accepts(prompt, 20) and not store.accepts(prompt, 20, "mv3:abc")
