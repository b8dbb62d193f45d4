"""Engines side by side without the tutor around them: the same requests straight to ``Engine.stream``.

``chat_bench``'s model run counts the token frames students receive, and the grounded answer path now holds most
answers back and sends them whole (a checked calculation, quoted notes), so those frames no longer measure the
engine. Here every engine gets the demo course's system prompt and the benchmark questions, ``students`` at once,
and tokens are the engine's own. The top level runs twice: the second burst finds the shared system prompt cached
(the embedded engine's prefix cache; llama-server's per-slot prompt cache), the steady state of students who keep
asking.
"""
from __future__ import annotations

import asyncio
import os
import tempfile
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Iterator

from bench.chat.baseline import demo_course
from bench.chat.chat_load import percentile
from bench.chat.server import REPO, peak_rss_mib
from tutor.engine.types import ChatTurn, Completion, GenerationRequest, complete_all
from tutor.prompting import system_prompt_for


def run_engine_levels(*, engines: tuple[str, ...], levels: list[int], questions: list[str], max_new_tokens: int,
                      llama_threads: int) -> dict:
    system_prompt = system_prompt_for(demo_course())
    report = {}
    for name in engines:
        with _engine(name, slots=max(levels), llama_threads=llama_threads) as (engine, server_pid):
            asyncio.run(_burst(engine, system_prompt, questions[:1], max_new_tokens))  # first-call costs
            runs = {}
            for label, n in [(str(n), n) for n in levels] + [(f"{max(levels)}_again", max(levels))]:
                runs[label] = asyncio.run(_burst(engine, system_prompt, _questions(questions, n), max_new_tokens))
            report[name] = {"levels": runs, "peak_rss_mib": peak_rss_mib(server_pid)}
    return report


def _questions(questions: list[str], n: int) -> list[str]:
    return [questions[i % len(questions)] for i in range(n)]


async def _burst(engine, system_prompt: str, questions: list[str], max_new_tokens: int) -> dict:
    requests = [GenerationRequest(system_prompt, [ChatTurn("user", q)], max_new_tokens=max_new_tokens)
                for q in questions]
    started = time.perf_counter()
    results = await complete_all(engine, requests, len(requests))
    wall = time.perf_counter() - started
    done = [result for result in results if isinstance(result, Completion)]
    tokens = sum(completion.features.n_tokens for completion in done)
    ttft = [completion.timings["ttft_s"] for completion in done if "ttft_s" in completion.timings]
    return {"students": len(requests), "answers": len(done), "tokens": tokens, "wall_s": round(wall, 2),
            "aggregate_tokens_per_s": round(tokens / wall, 1),
            "ttft_ms_p50": round(percentile(ttft, 50) * 1000) if ttft else None,
            "ttft_ms_p95": round(percentile(ttft, 95) * 1000) if ttft else None}


@contextmanager
def _engine(name: str, *, slots: int, llama_threads: int) -> Iterator[tuple[object, int]]:
    if name == "embedded":
        from tutor.engine import engine_config_from_settings
        from tutor.engine.transformers_engine import TransformersEngine

        engine = TransformersEngine(replace(engine_config_from_settings(), max_batch_size=slots,
                                            generation_timeout_s=900.0))
        engine.start()
        try:
            yield engine, os.getpid()
        finally:
            engine.close()
        return
    from tutor.engine.llama_server import require_binary, running_llama_server
    from tutor.engine.loading import bundled_gguf_path
    from tutor.engine.openai_config import OpenAIConfig
    from tutor.engine.openai_engine import OpenAIEngine

    with tempfile.TemporaryDirectory(prefix="tutor-bench-llama-") as tmp, running_llama_server(
        binary=require_binary(REPO), model=bundled_gguf_path(), log_path=Path(tmp) / "llama-server.log",
        threads=llama_threads, parallel=slots, context=1024 * slots,
    ) as llama:
        yield OpenAIEngine(OpenAIConfig(base_url=llama.base_url, generation_timeout_s=900.0,
                                        read_timeout_s=300.0)), llama.process.pid
