"""LoRA adapters served from one base model (torch and peft; used by the batcher thread only).

The first adapter wraps the base model in a ``PeftModel``; later ones are loaded beside it under their own
keys. Each forward pass names the adapter of every row (``adapter_names``), so one batch can mix courses
and the base model. At most ``capacity`` adapters stay loaded; the least recently used one that no running
sequence needs is unloaded to make room.
"""
from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any, Iterable

from .types import AdapterRef

logger = logging.getLogger(__name__)

BASE_ADAPTER_NAME = "__base__"  # peft's name for "no adapter" in a mixed batch


class AdapterSlots:
    def __init__(self, base_model: Any, capacity: int = 8):
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._base = base_model
        self._peft: Any = None
        self._capacity = capacity
        self._loaded: OrderedDict[str, AdapterRef] = OrderedDict()

    @property
    def model(self) -> Any:
        """The module to call: the base model until an adapter has been loaded."""
        return self._peft if self._peft is not None else self._base

    @property
    def loaded_keys(self) -> list[str]:
        return list(self._loaded)

    def ensure(self, refs: Iterable[AdapterRef], in_use: set[str]) -> dict[str, Exception]:
        """Load every adapter of ``refs`` not loaded yet; returns the ones that failed, by key."""
        failures: dict[str, Exception] = {}
        for ref in refs:
            if ref.key in self._loaded:
                self._loaded.move_to_end(ref.key)
                continue
            try:
                self._make_room(in_use | {r.key for r in refs})
                self._load(ref)
            except Exception as error:  # a damaged folder fails its requests, never the batch
                logger.exception("Cannot load the adapter %s from %s", ref.key, ref.path)
                failures[ref.key] = error
        return failures

    def forward_arguments(self, adapters: list[AdapterRef | None]) -> dict[str, Any]:
        """Extra keyword arguments for a forward pass whose rows use ``adapters``."""
        if self._peft is None:
            return {}
        return {"adapter_names": [ref.key if ref is not None else BASE_ADAPTER_NAME for ref in adapters]}

    def _load(self, ref: AdapterRef) -> None:
        from peft import PeftModel

        if self._peft is None:
            self._peft = PeftModel.from_pretrained(self._base, ref.path, adapter_name=ref.key, is_trainable=False)
            self._peft.eval()
        else:
            self._peft.load_adapter(ref.path, adapter_name=ref.key, is_trainable=False)
        # Rows name their adapters, so the "active" one only matters to peft's bookkeeping: it must exist.
        self._peft.set_adapter(ref.key)
        self._loaded[ref.key] = ref
        logger.info("Loaded the adapter %s (%s)", ref.key, ref.name or ref.path)

    def _make_room(self, needed: set[str]) -> None:
        while len(self._loaded) >= self._capacity:
            victim = next((key for key in self._loaded if key not in needed), None)
            if victim is None:
                raise RuntimeError(f"All {self._capacity} adapter slots are in use; raise TUTOR_MAX_ADAPTERS.")
            self._peft.delete_adapter(victim)
            del self._loaded[victim]
            logger.info("Unloaded the adapter %s", victim)
