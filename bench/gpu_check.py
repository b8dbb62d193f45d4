"""The embedded engine and the LoRA loop on a CUDA GPU, in one run of a few minutes (no Django, no database).

Model weights cannot travel to a lent GPU machine, so the model is the bundled SmolLM2-135M's architecture
(its ``config.json`` and tokenizer, read from the conversion folder ``tutor_model prepare`` makes) with random
weights in bfloat16. Speed does not depend on the weights' values: what a random model says is noise, but it
takes the same kernels and the same bytes to say it. Reported, as JSON:

- **serving**: the engine (``TransformersEngine``, the same code the tutor serves with) answering 1, 8 and 32
  students at once: aggregate tokens/s, time to first token p50/p95; plain ``model.generate`` at batch 1 and 32
  as the baseline of the same run; and each set against the memory-bandwidth limit, the tokens/s at which one
  decode step does nothing but read the weights and the KV cache once, at the GPU's nominal and measured
  bandwidth;
- **training**: LoRA training tokens/s and model-FLOPs utilisation (``bench.retraining.throughput``) for the
  135M model and a 1.07B configuration of the same architecture.

Run: ``python -m bench.gpu_check --model-folder <conversion folder> --out gpu.json``.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import torch

# Nominal HBM bandwidth (bytes/s) by device-name fragment, from the vendors' data sheets.
NOMINAL_BANDWIDTH = {"H200": 4.8e12, "H100 80GB HBM3": 3.35e12, "H100 PCIe": 2.0e12, "A100": 2.0e12, "L4": 0.3e12}
TOKENIZER_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                   "chat_template.jinja", "generation_config.json")
SYSTEM_PROMPT = (
    "You are a patient tutor for the course Fractions and Decimals. Answer the student's question in a few "
    "short sentences, show each step of a calculation, and say so when you are not sure. "
) * 6  # 273 tokens with the chat template: a short course system prompt
QUESTIONS = [
    "What is 3/4 + 5/6?", "How do I turn 0.375 into a fraction?", "Why do we need a common denominator?",
    "What is 40% of 65?", "Which is bigger, 5/8 or 0.6?", "How do I simplify 18/24?",
    "What is the LCM of 6 and 8?", "Can you explain mixed numbers?",
]


def main(argv: list[str] | None = None) -> int:
    options = _parse(argv)
    if not torch.cuda.is_available():
        print(json.dumps({"skipped": "no CUDA device is visible to torch"}))
        return 2
    report = {"date": date.today().isoformat(), "device": torch.cuda.get_device_name(0),
              "torch": torch.__version__, "max_new_tokens": options.new_tokens}
    with tempfile.TemporaryDirectory(prefix="tutor-gpu-check-") as scratch:
        folder = random_model_folder(Path(options.model_folder), Path(scratch) / "smollm2-random")
        report["serving"] = measure_serving(folder, options.new_tokens, options.levels)
    report["training"] = measure_training()
    text = json.dumps(report, indent=2)
    print(text)
    if options.out:
        Path(options.out).write_text(text + "\n")
    return 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-folder", required=True,
                        help="a folder holding the bundled model's config.json and tokenizer files")
    parser.add_argument("--new-tokens", type=int, default=128, help="tokens each answer generates")
    parser.add_argument("--levels", default="1,8,32", help="students at once, comma-separated")
    parser.add_argument("--out", default="", help="also write the JSON report here")
    options = parser.parse_args(argv)
    options.levels = [int(level) for level in options.levels.split(",")]
    return options


def random_model_folder(source: Path, target: Path) -> Path:
    """A Hugging Face folder with ``source``'s architecture and tokenizer and random bfloat16 weights (``source``
    needs no weights: config.json and the tokenizer files are enough)."""
    from transformers import AutoConfig, AutoModelForCausalLM

    target.mkdir(parents=True)
    for name in TOKENIZER_FILES:
        if (source / name).is_file():
            shutil.copy(source / name, target / name)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(str(source)), dtype=torch.bfloat16)
    model.save_pretrained(str(target))
    return target


# --- serving -----------------------------------------------------------------------------


def measure_serving(folder: Path, new_tokens: int, levels: list[int], device: str = "cuda") -> dict:
    from tutor.engine import repetition
    from tutor.engine.config import EngineConfig
    from tutor.engine.transformers_engine import TransformersEngine

    config = EngineConfig(base_model=str(folder), cache_dir=folder.parent / "cache", device=device,
                          dtype="bfloat16" if device == "cuda" else "float32", max_batch_size=max(levels), max_new_tokens=new_tokens,
                          generation_timeout_s=600.0, pack_cpu_weights=False)
    engine = TransformersEngine(config)
    engine.start()
    loop_tokens, repetition.LOOP_MIN_TOKENS = repetition.LOOP_MIN_TOKENS, new_tokens + 1
    try:
        asyncio.run(_burst(engine, 1, new_tokens))  # CUDA context, kernels' first launches, the prefix cache
        engine_runs = {str(n): _best_of(lambda n=n: asyncio.run(_burst(engine, n, new_tokens)), 3 if n == 1 else 2)
                       for n in levels}
        model, tokenizer = engine.model, engine.tokenizer
        generate_runs = {str(n): _generate(model, tokenizer, n, new_tokens) for n in sorted({1, max(levels)})}
        prompt_tokens = _prompt_tokens(tokenizer)
        bound = bandwidth_bound(model, prompt_tokens=prompt_tokens, new_tokens=new_tokens)
        bare = {str(n): forward_step_ms(model, n, prompt_tokens) for n in sorted({1, max(levels)})}
    finally:
        repetition.LOOP_MIN_TOKENS = loop_tokens
        engine.close()
    for runs in (engine_runs, generate_runs):
        for n, run in runs.items():
            limit = bound["tokens_per_s_limit"](int(n))
            run["share_of_nominal_bandwidth_limit"] = round(run["aggregate_tokens_per_s"] / limit["nominal"], 4)
            run["share_of_measured_bandwidth_limit"] = round(run["aggregate_tokens_per_s"] / limit["measured"], 4)
            run["bandwidth_limit_tokens_per_s"] = {k: round(v) for k, v in limit.items()}
    del bound["tokens_per_s_limit"]
    return {"engine": engine_runs, "generate": generate_runs, "bandwidth": bound, "forward_step_ms": bare,
            "loop_stop": "off: a random model loops under greedy decoding, so every answer runs its full length",
            "engine_vs_generate": {n: round(engine_runs[n]["aggregate_tokens_per_s"]
                                            / generate_runs[n]["aggregate_tokens_per_s"], 3)
                                   for n in generate_runs if n in engine_runs}}


def _best_of(run, times: int) -> dict:
    results = [run() for _ in range(times)]
    return max(results, key=lambda result: result["aggregate_tokens_per_s"])


async def _burst(engine, students: int, new_tokens: int) -> dict:
    from tutor.engine.types import ChatTurn, Completion, GenerationRequest, complete_all

    requests = [GenerationRequest(SYSTEM_PROMPT, [ChatTurn("user", QUESTIONS[i % len(QUESTIONS)])],
                                  max_new_tokens=new_tokens) for i in range(students)]
    started = time.perf_counter()
    results = await complete_all(engine, requests, students)
    wall = time.perf_counter() - started
    done = [result for result in results if isinstance(result, Completion)]
    tokens = sum(completion.features.n_tokens for completion in done)
    ttft = sorted(completion.timings["ttft_s"] for completion in done if "ttft_s" in completion.timings)
    return {"students": students, "answers": len(done), "tokens": tokens, "wall_s": round(wall, 3),
            "aggregate_tokens_per_s": round(tokens / wall, 1), "per_student_tokens_per_s": round(tokens / wall / students, 1),
            "ttft_ms_p50": _ms(_percentile(ttft, 50)), "ttft_ms_p95": _ms(_percentile(ttft, 95)),
            "finish_reasons": dict(sorted(_count(c.finish_reason for c in done).items()))}


def _generate(model, tokenizer, batch: int, new_tokens: int) -> dict:
    """Plain ``model.generate``, greedy, every row exactly ``new_tokens`` long: the baseline."""
    prompts = [tokenizer.apply_chat_template(
        [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": QUESTIONS[i % len(QUESTIONS)]}],
        tokenize=False, add_generation_prompt=True) for i in range(batch)]
    tokenizer.padding_side = "left"
    inputs = tokenizer(prompts, return_tensors="pt", padding=True).to(model.device)
    kwargs = dict(max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False,
                  pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id)
    with torch.inference_mode():
        model.generate(**inputs, **{**kwargs, "max_new_tokens": 4, "min_new_tokens": 4})  # warm-up
        _sync(model.device)
        started = time.perf_counter()
        model.generate(**inputs, **kwargs)
        _sync(model.device)
    wall = time.perf_counter() - started
    return {"batch": batch, "tokens": batch * new_tokens, "wall_s": round(wall, 3),
            "aggregate_tokens_per_s": round(batch * new_tokens / wall, 1)}


def _prompt_tokens(tokenizer) -> int:
    text = tokenizer.apply_chat_template(
        [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": QUESTIONS[0]}],
        tokenize=False, add_generation_prompt=True)
    return len(tokenizer(text)["input_ids"])


def forward_step_ms(model, batch: int, context: int, steps: int = 20) -> float:
    """One decode step of the bare model (a token per row after a ``context``-token prefill): the floor under
    any serving loop built on transformers' forward, whatever it does around it."""
    tokens = torch.randint(0, model.config.vocab_size, (batch, context), device=model.device)
    with torch.inference_mode():
        cache = model(input_ids=tokens, use_cache=True).past_key_values
        step = tokens[:, -1:]
        for index in range(3 + steps):
            if index == 3:
                _sync(model.device)
                started = time.perf_counter()
            output = model(input_ids=step, past_key_values=cache, use_cache=True)
            cache = output.past_key_values
        _sync(model.device)
    return round((time.perf_counter() - started) / steps * 1000, 2)


def bandwidth_bound(model, *, prompt_tokens: int, new_tokens: int) -> dict:
    """The decode rate at which each step only reads the weights once and each sequence's KV cache once.

    Per step: every weight (the tied embedding counted once, as the output projection reads it) plus, per
    sequence, 2 (K and V) × layers × KV heads × head size values at the mean context length of the answer."""
    config = model.config
    weight_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
    element = next(model.parameters()).element_size()
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    kv_per_token = 2 * config.num_hidden_layers * config.num_key_value_heads * head_dim * element
    mean_context = prompt_tokens + new_tokens / 2
    device = next(model.parameters()).device
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    nominal = next((value for key, value in NOMINAL_BANDWIDTH.items() if key in name), None)
    measured = measured_bandwidth(device)

    def limit(batch: int) -> dict:
        step_bytes = weight_bytes + batch * kv_per_token * mean_context
        rates = {"measured": batch * measured / step_bytes}
        rates["nominal"] = batch * nominal / step_bytes if nominal else rates["measured"]
        return rates

    return {"weight_mb": round(weight_bytes / 2**20, 1), "kv_bytes_per_token": kv_per_token,
            "prompt_tokens": prompt_tokens, "nominal_bytes_per_s": nominal, "measured_bytes_per_s": round(measured),
            "tokens_per_s_limit": limit}


def measured_bandwidth(device: torch.device, size_mb: int = 1024, repeats: int = 20) -> float:
    """Copy of ``size_mb`` within ``device``'s memory, counting bytes read and written."""
    if device.type != "cuda":
        size_mb, repeats = 64, 3
    source = torch.empty(size_mb * 2**20, dtype=torch.uint8, device=device)
    target = torch.empty_like(source)
    for _ in range(3):
        target.copy_(source)
    _sync(device)
    started = time.perf_counter()
    for _ in range(repeats):
        target.copy_(source)
    _sync(device)
    seconds = time.perf_counter() - started
    del source, target
    return 2 * size_mb * 2**20 * repeats / seconds


# --- training ----------------------------------------------------------------------------


def measure_training() -> list[dict]:
    from transformers import AutoModelForCausalLM, LlamaConfig

    from bench.retraining.throughput import llama_1b_config, measure

    results = []
    small = LlamaConfig(vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
                        num_attention_heads=9, num_key_value_heads=3, max_position_embeddings=8192,
                        tie_word_embeddings=True, rope_theta=100000.0)
    for name, config in (("SmolLM2-135M (random weights)", small), ("llama-1.07B (random weights)", llama_1b_config())):
        torch.manual_seed(0)
        model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16).to("cuda")
        results.append(measure(model, name, batch=16, sequence=512).as_dict())
        del model
        torch.cuda.empty_cache()
    return results


# --- helpers -----------------------------------------------------------------------------


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def _ms(seconds: float | None) -> int | None:
    return None if seconds is None else round(seconds * 1000)


def _count(items) -> dict:
    counts: dict = {}
    for item in items:
        counts[item] = counts.get(item, 0) + 1
    return counts


if __name__ == "__main__":
    sys.exit(main())
