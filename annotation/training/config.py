"""What a LoRA run is asked to do and what it reports, without torch.

The training loop (``annotation.training.lora``) needs torch and peft; the web process, the admin and the jobs
worker only build these values and read them back, so they live here and the loop is imported where it runs.
"""
from __future__ import annotations

from dataclasses import dataclass

from tutor.engine.types import ChatTurn

DEFAULT_TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass(frozen=True)
class LoraHyperparameters:
    rank: int = 16
    alpha: int = 32
    dropout: float = 0.0
    learning_rate: float = 1e-3
    epochs: int = 5
    batch_size: int = 8
    max_answer_tokens: int = 96
    checkpoint_every: int = 10  # optimiser steps
    seed: int = 0
    target_modules: tuple[str, ...] = DEFAULT_TARGET_MODULES

    def __post_init__(self) -> None:
        for name in ("rank", "alpha", "epochs", "batch_size", "max_answer_tokens", "checkpoint_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if not 0 < self.learning_rate < 1:
            raise ValueError("learning_rate must be between 0 and 1")
        if not 0 <= self.dropout < 1:
            raise ValueError("dropout must be in [0, 1)")


@dataclass(frozen=True)
class TrainingText:
    """One example: what the tutor was asked (as it would see it) and what it should answer."""

    system_prompt: str
    turns: tuple[ChatTurn, ...]  # ends with the student's question
    answer: str


@dataclass(frozen=True)
class Progress:
    step: int
    total_steps: int
    loss: float
    examples_seen: int
    tokens_seen: int
    elapsed_s: float
    losses: tuple[float, ...] = ()  # every step's loss so far, this one last (a resumed run's earlier ones too)


class TrainingAborted(Exception):
    """Raised by a progress callback to stop a run (e.g. another worker now owns it)."""
