"""The baseline for the chat benchmark: plain ``transformers`` ``generate``, one prompt after another."""
from __future__ import annotations

import dataclasses
import time

from bench.chat.chat_load import percentile
from learning.models import Course
from tutor.demo import load_demo
from tutor.engine.types import ChatTurn
from tutor.prompting import system_prompt_for


class _FirstTokenClock:
    """A generate() streamer that notes when the first new token arrives (the first put() is the prompt)."""

    def __init__(self):
        self.puts = 0
        self.first_token_at: float | None = None

    def put(self, value) -> None:
        self.puts += 1
        if self.puts == 2:
            self.first_token_at = time.perf_counter()

    def end(self) -> None:
        pass


def demo_course() -> Course:
    return Course(**load_demo()["courses"][0])  # the course the benchmark students are enrolled in


def run_generate_baseline(questions: list[str], *, max_new_tokens: int) -> dict:
    import torch

    from tutor.engine import engine_config_from_settings
    from tutor.engine.loading import load_model
    from tutor.engine.prompt import build_prompt, stop_token_ids

    # Plain transformers: none of the engine's CPU weight packing.
    config = dataclasses.replace(engine_config_from_settings(), pack_cpu_weights=False)
    loaded = load_model(config)
    system_prompt = system_prompt_for(demo_course())
    stops = sorted(stop_token_ids(loaded.tokenizer, loaded.model.generation_config))
    prompts = [
        build_prompt(loaded.tokenizer, system_prompt, [ChatTurn("user", q)], config.max_prompt_tokens).token_ids
        for q in questions
    ]
    ttft, tokens, wall = [], 0, 0.0
    for ids in prompts:
        clock, started = _FirstTokenClock(), time.perf_counter()
        with torch.inference_mode():
            output = loaded.model.generate(
                torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long), do_sample=False,
                max_new_tokens=max_new_tokens, eos_token_id=stops, pad_token_id=stops[0], streamer=clock,
            )
        wall += time.perf_counter() - started
        tokens += output.shape[1] - len(ids)
        ttft.append(clock.first_token_at - started)
    return {
        "prompts": len(prompts),
        "prompt_tokens_mean": round(sum(map(len, prompts)) / len(prompts), 1),
        "tokens": tokens,
        "wall_s": round(wall, 2),
        "tokens_per_s": round(tokens / wall, 2),
        "ttft_ms_p50": round(percentile(ttft, 50) * 1000, 1),
        "ttft_ms_p95": round(percentile(ttft, 95) * 1000, 1),
    }
