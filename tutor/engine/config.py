"""Settings of the local transformers engine (plain dataclass, no Django).

The Django settings layer builds one ``EngineConfig`` from its environment;
nothing in the engine imports Django or reads its settings.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Device = Literal["auto", "cpu", "cuda"]
DType = Literal["auto", "float32", "bfloat16", "float16"]

_DEVICES = ("auto", "cpu", "cuda")
_DTYPES = ("auto", "float32", "bfloat16", "float16")


def default_cache_dir() -> Path:
    """Where converted models live unless configured: the user's cache folder."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tutor" / "models"


@dataclass(frozen=True)
class EngineConfig:
    base_model: str = ""  # "": the bundled SmolLM2 GGUF; else a .gguf file or a HF folder
    cache_dir: Path = field(default_factory=default_cache_dir)
    max_new_tokens: int = 256
    max_prompt_tokens: int = 1536
    generation_timeout_s: float = 60.0
    max_batch_size: int = 16
    max_queue: int = 256  # waiting requests; one more raises EngineOverloaded
    num_threads: int | None = None  # torch intra-op threads; None: torch's default
    device: Device = "auto"
    dtype: DType = "auto"  # auto: float32 on CPU, bfloat16 on CUDA
    attn_implementation: str = "sdpa"  # or "eager"
    prefix_cache_mb: int = 256  # KV of shared system prompts kept for reuse; 0 disables
    pack_cpu_weights: bool = True  # oneDNN pre-packed float32 linears on CPU (see cpu_kernels)
    max_adapters: int = 8  # LoRA adapters kept loaded beside the base model (least recently used goes)
    repetition_penalty: float = 1.15  # on tokens a sequence already generated (see repetition); 1.0 disables

    def __post_init__(self) -> None:
        object.__setattr__(self, "cache_dir", Path(self.cache_dir))
        self._check_choices()
        self._check_positive()

    def _check_choices(self) -> None:
        if self.device not in _DEVICES:
            raise ValueError(f"device must be one of {_DEVICES}, not {self.device!r}")
        if self.dtype not in _DTYPES:
            raise ValueError(f"dtype must be one of {_DTYPES}, not {self.dtype!r}")

    def _check_positive(self) -> None:
        for name in ("max_new_tokens", "max_prompt_tokens", "max_batch_size", "max_queue", "max_adapters"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.generation_timeout_s <= 0:
            raise ValueError("generation_timeout_s must be positive")
        if self.prefix_cache_mb < 0:
            raise ValueError("prefix_cache_mb must be 0 (off) or positive")
        if not 1.0 <= self.repetition_penalty <= 10.0:
            raise ValueError("repetition_penalty must be between 1.0 (off) and 10.0")
        if self.num_threads is not None and self.num_threads < 1:
            raise ValueError("num_threads must be at least 1 (or None)")
