"""Records who first imports a heavy module (torch and the model libraries), for the lean-process tests.

``install()`` puts a finder at the front of ``sys.meta_path``; it never finds anything itself, it only notes,
the first time each heavy package is looked for, the stack of the import that asked for it. ``report()`` gives
those stacks, so a failing test names the chain (``annotation/admin.py`` -> ... -> ``import torch``) to cut.
"""
from __future__ import annotations

import atexit
import json
import os
import sys
import traceback
from pathlib import Path

# Only the engine, training and embedding paths may load these, and only when they are used.
HEAVY_MODULES = (
    "torch", "transformers", "peft", "safetensors", "sentence_transformers", "tokenizers", "huggingface_hub",
    "accelerate", "gguf",
)
_ROOT = str(Path(__file__).resolve().parent.parent) + os.sep
_chains: dict[str, list[str]] = {}


class _HeavyImportRecorder:
    def find_spec(self, name, path=None, target=None):
        top = name.partition(".")[0]
        if top in HEAVY_MODULES and top not in _chains:
            _chains[top] = _import_chain()
        return None  # the normal finders still do the work


def _import_chain() -> list[str]:
    frames = [frame for frame in traceback.extract_stack()[:-2] if not frame.filename.startswith("<frozen")]
    return [f"{frame.filename.replace(_ROOT, '')}:{frame.lineno}  {frame.line}" for frame in frames]


def install(*, report_to: str | None = None) -> None:
    """Start recording; with ``report_to``, the report is written there as JSON when the process exits."""
    sys.meta_path.insert(0, _HeavyImportRecorder())
    if report_to:
        atexit.register(lambda: Path(report_to).write_text(json.dumps(report())))


def report() -> dict[str, list[str]]:
    """Each heavy package the process has loaded, with the chain of the import that first asked for it."""
    loaded = {name.partition(".")[0] for name in sys.modules} & set(HEAVY_MODULES)
    return {name: _chains.get(name, ["(loaded before recording started)"]) for name in sorted(loaded)}
