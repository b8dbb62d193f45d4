"""The LoRA training loop: answer tokens only, the course's system prompt computed once per step, checkpoints.

Every example is rendered exactly as the tutor renders a question (``tutor.engine.prompt.encode_chat``), and
the loss counts only the answer's tokens and its end-of-turn token. The system prompt, shared by all of a
course's examples and several hundred tokens long, is run once per step without gradients (with the current
adapter) and its keys and values are reused by every row of the batch: training then costs what the
question and the answer cost, and what the model sees matches serving. Checkpoints hold the adapter, the
optimiser and the losses so far; the batch order is a function of the seed, so a resumed run continues
exactly where the checkpoint left off.
"""
from __future__ import annotations

import logging
import math
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import torch

from annotation.training.config import LoraHyperparameters, Progress, TrainingAborted, TrainingText
from tutor.engine.prompt import END_OF_TURN_TOKENS, encode_chat, shared_prefix_len

logger = logging.getLogger(__name__)

CHECKPOINT_FILE = "checkpoint.pt"


@dataclass
class TrainingOutcome:
    model: Any  # the PeftModel with the trained adapter "default"
    steps: int
    tokens_seen: int
    examples_seen: int
    seconds: float
    resumed_from_step: int
    losses: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class _Encoded:
    prefix: tuple[int, ...]  # the system prompt's tokens, shared by the batch
    prompt: list[int]  # the rest of the prompt
    answer: list[int]  # answer tokens plus the end-of-turn token


def train_lora(model: Any, tokenizer: Any, examples: Sequence[TrainingText], hyper: LoraHyperparameters, *,
               checkpoint_dir: Path, on_progress: Callable[[Progress], None] = lambda progress: None) -> TrainingOutcome:
    """Fine-tune a LoRA adapter on ``examples`` (resuming from ``checkpoint_dir`` when it holds a checkpoint)."""
    if not examples:
        raise ValueError("There is nothing to train on.")
    encoded = [_encode(tokenizer, example, hyper.max_answer_tokens) for example in examples]
    peft_model = wrap_with_lora(model, hyper)
    optimizer = torch.optim.AdamW([p for p in peft_model.parameters() if p.requires_grad], lr=hyper.learning_rate)
    schedule = batch_schedule(encoded, hyper)
    state = _resume(peft_model, optimizer, Path(checkpoint_dir))
    started, device = time.monotonic(), next(peft_model.parameters()).device
    for step in range(state.step, len(schedule)):
        batch = [encoded[i] for i in schedule[step]]
        loss, tokens = _train_step(peft_model, optimizer, batch, device)
        state.advance(loss, len(batch), tokens)
        if state.step % hyper.checkpoint_every == 0 and state.step < len(schedule):
            _save_checkpoint(peft_model, optimizer, state, Path(checkpoint_dir))
        on_progress(Progress(state.step, len(schedule), loss, state.examples, state.tokens, time.monotonic() - started,
                             tuple(state.losses)))
    peft_model.eval()
    return TrainingOutcome(peft_model, state.step, state.tokens, state.examples, time.monotonic() - started,
                           state.resumed_from, state.losses)


def batch_schedule(encoded: Sequence[_Encoded], hyper: LoraHyperparameters) -> list[list[int]]:
    """Every step's example indices: each epoch shuffled by the seed, batches never mixing system prompts."""
    groups: dict[tuple[int, ...], list[int]] = {}
    for index, item in enumerate(encoded):
        groups.setdefault(item.prefix, []).append(index)
    steps: list[list[int]] = []
    for epoch in range(hyper.epochs):
        rng = random.Random(hyper.seed * 1_000_003 + epoch)
        epoch_steps = []
        for members in groups.values():
            shuffled = rng.sample(members, len(members))
            epoch_steps += [shuffled[i:i + hyper.batch_size] for i in range(0, len(shuffled), hyper.batch_size)]
        rng.shuffle(epoch_steps)
        steps += epoch_steps
    return steps


def count_tokens(tokenizer: Any, examples: Sequence[TrainingText], hyper: LoraHyperparameters) -> int:
    """Tokens one epoch trains on, beyond the shared system prompt (for throughput figures)."""
    return sum(len(e.prompt) + len(e.answer) for e in (_encode(tokenizer, x, hyper.max_answer_tokens) for x in examples))


def save_adapter(peft_model: Any, folder: Path) -> None:
    """The trained adapter as a folder of safetensors (adapter_config.json + adapter_model.safetensors)."""
    peft_model.save_pretrained(str(folder), safe_serialization=True)


# --- encoding ------------------------------------------------------------------------------------------------


def _encode(tokenizer: Any, example: TrainingText, max_answer_tokens: int) -> _Encoded:
    ids = encode_chat(tokenizer, example.system_prompt, list(example.turns))
    shared = shared_prefix_len(tokenizer, example.system_prompt, ids)
    answer = list(tokenizer.encode(example.answer.strip(), add_special_tokens=False))[:max_answer_tokens]
    return _Encoded(tuple(ids[:shared]), ids[shared:], answer + [_end_of_turn_id(tokenizer)])


def _end_of_turn_id(tokenizer: Any) -> int:
    vocabulary = tokenizer.get_vocab()
    for token in END_OF_TURN_TOKENS:
        if token in vocabulary:
            return vocabulary[token]
    if tokenizer.eos_token_id is None:
        raise ValueError("The tokenizer has no end-of-turn or end-of-sequence token to end answers with.")
    return tokenizer.eos_token_id


# --- the model -----------------------------------------------------------------------------------------------


def wrap_with_lora(model: Any, hyper: LoraHyperparameters) -> Any:
    """``model`` with a fresh, trainable LoRA adapter named "default" (the base weights stay frozen)."""
    from peft import LoraConfig, get_peft_model

    torch.manual_seed(hyper.seed)
    present = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
    targets = [name for name in hyper.target_modules if name in present]
    if not targets:
        raise ValueError(f"The model has none of the LoRA target modules {list(hyper.target_modules)}.")
    config = LoraConfig(r=hyper.rank, lora_alpha=hyper.alpha, lora_dropout=hyper.dropout,
                        target_modules=targets, task_type="CAUSAL_LM")
    return get_peft_model(model, config)


def _train_step(peft_model: Any, optimizer: Any, batch: list[_Encoded], device: Any) -> tuple[float, int]:
    cache, prefix_len = _prefix_cache(peft_model, batch[0].prefix, len(batch), device)
    input_ids, labels, attention_mask, position_ids = _batch_tensors(batch, prefix_len, device)
    peft_model.train()
    output = peft_model(input_ids=input_ids, attention_mask=attention_mask, position_ids=position_ids,
                        past_key_values=cache, use_cache=cache is not None)
    logits = output.logits[:, :-1].float()
    loss = torch.nn.functional.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1), ignore_index=-100
    )
    if not math.isfinite(loss.item()):
        raise FloatingPointError("The training loss is not finite; lower the learning rate.")
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return loss.item(), int(attention_mask[:, prefix_len:].sum())


def _prefix_cache(peft_model: Any, prefix: tuple[int, ...], rows: int, device: Any) -> tuple[Any, int]:
    if not prefix:
        return None, 0
    peft_model.eval()
    with torch.no_grad():
        cache = peft_model(input_ids=torch.tensor([prefix], device=device), use_cache=True).past_key_values
    cache.batch_repeat_interleave(rows)
    return cache, len(prefix)


def _batch_tensors(batch: list[_Encoded], prefix_len: int, device: Any):
    width = max(len(item.prompt) + len(item.answer) for item in batch)
    input_ids = torch.zeros((len(batch), width), dtype=torch.long)
    labels = torch.full((len(batch), width), -100, dtype=torch.long)
    attention_mask = torch.zeros((len(batch), prefix_len + width), dtype=torch.long)
    attention_mask[:, :prefix_len] = 1
    for row, item in enumerate(batch):
        sequence = item.prompt + item.answer
        input_ids[row, : len(sequence)] = torch.tensor(sequence)
        labels[row, len(item.prompt): len(sequence)] = torch.tensor(item.answer)
        attention_mask[row, prefix_len: prefix_len + len(sequence)] = 1
    position_ids = (torch.arange(width) + prefix_len).expand(len(batch), width)
    return input_ids.to(device), labels.to(device), attention_mask.to(device), position_ids.to(device)


# --- checkpoints ---------------------------------------------------------------------------------------------


@dataclass
class _RunState:
    step: int = 0
    examples: int = 0
    tokens: int = 0
    losses: list[float] = field(default_factory=list)
    resumed_from: int = 0

    def advance(self, loss: float, examples: int, tokens: int) -> None:
        self.step += 1
        self.examples += examples
        self.tokens += tokens
        self.losses.append(loss)


def _resume(peft_model: Any, optimizer: Any, checkpoint_dir: Path) -> _RunState:
    path = checkpoint_dir / CHECKPOINT_FILE
    if not path.is_file():
        return _RunState()
    from peft import set_peft_model_state_dict

    saved = torch.load(path, map_location=next(peft_model.parameters()).device, weights_only=True)
    set_peft_model_state_dict(peft_model, saved["adapter"])
    optimizer.load_state_dict(saved["optimizer"])
    state = _RunState(saved["step"], saved["examples"], saved["tokens"], list(saved["losses"]), saved["step"])
    logger.info("Resuming training from step %d", state.step)
    return state


def _save_checkpoint(peft_model: Any, optimizer: Any, state: _RunState, checkpoint_dir: Path) -> None:
    from peft import get_peft_model_state_dict

    checkpoint_dir.mkdir(parents=True, exist_ok=True)
    scratch = checkpoint_dir / f".{CHECKPOINT_FILE}.{os.getpid()}.tmp"
    torch.save({
        "adapter": get_peft_model_state_dict(peft_model), "optimizer": optimizer.state_dict(), "step": state.step,
        "examples": state.examples, "tokens": state.tokens, "losses": state.losses,
    }, scratch)
    os.replace(scratch, checkpoint_dir / CHECKPOINT_FILE)  # a kill mid-write leaves the previous checkpoint
