"""Training throughput of the LoRA loop on this machine's accelerator: tokens/s and model-FLOPs utilisation.

Random weights and random tokens are enough for a throughput figure. Model FLOPs per trained token are
counted as 4 × the parameters (forward 2N, backward to the activations 2N: LoRA leaves the base weights'
gradients out, so the usual 6N of full fine-tuning would overstate the work), attention's quadratic term
left out. Utilisation is that over the accelerator's dense bf16 peak.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace
from typing import Any

import torch
from django.conf import settings

from annotation.training.lora import LoraHyperparameters, wrap_with_lora
from tutor.engine import engine_config_from_settings
from tutor.engine.loading import load_model

# Dense bf16 peaks (FLOP/s) by device-name fragment; None where unknown (then no utilisation is reported).
PEAK_BF16 = {"H200": 989e12, "H100": 989e12, "A100": 312e12, "L4": 121e12}


@dataclass(frozen=True)
class Throughput:
    name: str
    parameters: int
    device: str
    dtype: str
    batch: int
    sequence: int
    steps: int
    tokens_per_s: float
    mfu: float | None
    peak_memory_mb: float | None

    def as_dict(self) -> dict:
        return asdict(self)


def llama_1b_config(vocab_size: int = 49152) -> Any:
    """A 1.07 B-parameter configuration of the SmolLM2 (Llama) architecture."""
    from transformers import LlamaConfig

    return LlamaConfig(vocab_size=vocab_size, hidden_size=2048, intermediate_size=8192, num_hidden_layers=16,
                       num_attention_heads=32, num_key_value_heads=8, max_position_embeddings=2048,
                       tie_word_embeddings=True)


def measure(model: Any, name: str, *, batch: int = 16, sequence: int = 256, steps: int = 10, warmup: int = 2,
            hyper: LoraHyperparameters | None = None) -> Throughput:
    device = next(model.parameters()).device
    parameters = sum(p.numel() for p in model.parameters())  # the base model's, before the adapter joins
    peft_model = wrap_with_lora(model, hyper or LoraHyperparameters())
    optimizer = torch.optim.AdamW([p for p in peft_model.parameters() if p.requires_grad], lr=1e-4)
    vocab = model.config.vocab_size
    tokens = torch.randint(0, vocab, (batch, sequence), device=device, generator=None)
    peft_model.train()
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    for step in range(warmup + steps):
        if step == warmup:
            _sync(device)
            started = time.perf_counter()
        loss = peft_model(input_ids=tokens, labels=tokens).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
    _sync(device)
    seconds = time.perf_counter() - started
    per_s = batch * sequence * steps / seconds
    peak = PEAK_BF16.get(next((k for k in PEAK_BF16 if k in _device_name(device)), ""), None)
    return Throughput(
        name=name, parameters=parameters, device=_device_name(device), dtype=str(next(model.parameters()).dtype),
        batch=batch, sequence=sequence, steps=steps, tokens_per_s=round(per_s, 1),
        mfu=round(4 * parameters * per_s / peak, 4) if peak else None,
        peak_memory_mb=round(torch.cuda.max_memory_allocated() / 2**20, 1) if device.type == "cuda" else None,
    )


def _sync(device: Any) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def _device_name(device: Any) -> str:
    return torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"


def throughput_report() -> dict:
    """The configured base model's throughput on the training device and, on CUDA, a 1B-parameter
    configuration of its architecture's."""
    config = replace(engine_config_from_settings(), device=settings.ANNOTATION_TRAINING_DEVICE, pack_cpu_weights=False)
    loaded = load_model(config)
    results = [measure(loaded.model, loaded.name).as_dict()]
    del loaded
    if torch.cuda.is_available():
        from transformers import AutoModelForCausalLM

        big = AutoModelForCausalLM.from_config(llama_1b_config(), dtype=torch.bfloat16).to("cuda")
        results.append(measure(big, "llama-1.07B (random weights)").as_dict())
    else:
        results.append({"name": "llama-1.07B", "skipped": "no CUDA device: a 1B throughput figure needs a GPU"})
    return {"throughput": results}
