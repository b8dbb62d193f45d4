"""The chat benchmark: real server, real sockets on loopback; see `manage.py chat_bench --help`."""
from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.chat.baseline import run_generate_baseline
from bench.chat.chat_load import SessionLog, percentile, student_session
from bench.chat.engine_compare import engines_compared, ratio, served_key
from bench.chat.engine_level import run_engine_levels
from bench.chat.server import REPO, peak_rss_mib, running_server

QUESTIONS = [
    "How do I add 1/3 and 1/4?",
    "Why can't I just add the denominators when I add fractions?",
    "What is 3/4 divided by 1/2, and why do we flip the second fraction?",
    "How do I simplify 12/18?",
    "Is 3/8 bigger than 2/5? How can I tell?",
    "How do I turn the mixed number 2 1/3 into an improper fraction?",
    "What does the denominator of a fraction mean?",
    "Can you explain equivalent fractions with an example?",
    "How do I write 7/20 as a percentage?",
    "What is 2/3 times 3/5?",
    "How do I find a common denominator for 5/6 and 3/8?",
    "Why is 1/2 the same as 50/100?",
    "How do I subtract 1/6 from 3/4?",
    "What is the reciprocal of 5/7?",
    "How do I change 0.375 into a fraction?",
    "Which is larger, 5/9 or 4/7?",
]


ENGINES = ("embedded", "openai")  # the torch engine in the server process; llama-server behind TUTOR_ENGINE=openai
# llama.cpp's threads wait for each other at every step: on a CPU that other work also uses, more threads than
# idle cores makes it far slower (measured here: 2 threads on 2 busy cores, 1-2 tok/s; 1 thread, 64-71 tok/s).
LLAMA_THREADS = 2
LLAMA_CONTEXT_PER_STUDENT = 1024  # llama-server splits its context between its slots: one slot per student


def engines_parse(text: str) -> tuple[str, ...]:
    """``--engine``'s value: engine names, comma-separated, each once, the first the one the others are compared
    with. Raises ValueError naming what is wrong."""
    engines = tuple(name.strip() for name in text.split(","))
    unknown = [name for name in engines if name not in ENGINES]
    if unknown:
        raise ValueError(f"--engine: unknown engine {', '.join(map(repr, unknown))}; expected some of "
                         f"{', '.join(ENGINES)}, comma-separated")
    if len(set(engines)) != len(engines):
        raise ValueError(f"--engine: {text!r} names an engine twice")
    return engines


def run_chat_bench(*, levels: list[int] | None, window_s: float, max_new_tokens: int, fake_clients: int | None,
                   fake_asks: int, think_s: tuple[float, float], burst_asks: int, seed: int,
                   engines: tuple[str, ...] = ("embedded",), llama_threads: int = LLAMA_THREADS) -> dict:
    """The real-model streaming run at each of ``levels`` (None: skipped) on each of ``engines``, then the
    fake-engine protocol load with ``fake_clients`` (None: skipped)."""
    report = {}
    if levels is not None:
        report["model"] = run_model_report(levels=levels, window_s=window_s, max_new_tokens=max_new_tokens,
                                           engines=engines, llama_threads=llama_threads)
    if fake_clients is not None:
        report["protocol_fake_engine"] = run_protocol_load(clients=fake_clients, asks=fake_asks, think_s=think_s,
                                                           burst_asks=burst_asks, seed=seed)
    return report


def run_model_report(*, levels: list[int], window_s: float, max_new_tokens: int,
                     engines: tuple[str, ...] = ("embedded",), llama_threads: int = LLAMA_THREADS) -> dict:
    """Tokens/s served at each concurrency level on each engine, against the first level and against plain
    sequential generate; the same students and questions for every engine ("served" is the embedded one's)."""
    engines = engines_parse(",".join(engines))
    report = {}
    for engine in engines:
        served = _served_on(engine, levels=levels, window_s=window_s, max_new_tokens=max_new_tokens,
                            llama_threads=llama_threads)
        report[served_key(engine)] = served
    if engines != ("embedded",):  # comparing engines: also their own tokens, without the tutor around them
        report["engine_level"] = run_engine_levels(engines=engines, levels=levels, questions=QUESTIONS,
                                                   max_new_tokens=max_new_tokens, llama_threads=llama_threads)
    baseline = run_generate_baseline(QUESTIONS[: max(levels)], max_new_tokens=max_new_tokens)
    for served in (value for key, value in report.items() if key.startswith("served")):
        single = served["levels"][str(levels[0])]["aggregate_tokens_per_s"]
        served["aggregate_vs_single_stream"] = {
            n: ratio(level["aggregate_tokens_per_s"], single) for n, level in served["levels"].items()
        }
        served["aggregate_vs_sequential_generate"] = {
            n: ratio(level["aggregate_tokens_per_s"], baseline["tokens_per_s"]) for n, level in served["levels"].items()
        }
    if len(engines) > 1:
        report["engines_compared"] = engines_compared(report, engines)
    return {**report, "baseline_sequential_generate": baseline}


def _served_on(engine: str, *, levels: list[int], window_s: float, max_new_tokens: int, llama_threads: int) -> dict:
    if engine == "embedded":
        return run_model_levels(levels=levels, window_s=window_s, max_new_tokens=max_new_tokens,
                                env_extra={"TUTOR_ENGINE": "transformers", "TUTOR_MAX_BATCH_SIZE": str(max(levels))})
    from tutor.engine.llama_server import require_binary, running_llama_server
    from tutor.engine.loading import bundled_gguf_path

    with tempfile.TemporaryDirectory(prefix="tutor-bench-llama-") as tmp, running_llama_server(
        binary=require_binary(REPO), model=bundled_gguf_path(), log_path=Path(tmp) / "llama-server.log",
        threads=llama_threads, parallel=max(levels), context=LLAMA_CONTEXT_PER_STUDENT * max(levels),
    ) as llama:
        env = {"TUTOR_ENGINE": "openai", "TUTOR_OPENAI_BASE_URL": llama.base_url, "TUTOR_OPENAI_ADAPTERS": "none"}
        served = run_model_levels(levels=levels, window_s=window_s, max_new_tokens=max_new_tokens, env_extra=env)
        served["engine_server"] = {"name": "llama-server", "threads": llama_threads, "slots": max(levels),
                                   "peak_rss_mib": peak_rss_mib(llama.process.pid)}
        return served


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


# --- the fake-engine protocol load ----------------------------------------------------------


def run_protocol_load(*, clients: int, asks: int, think_s: tuple[float, float], burst_asks: int, seed: int) -> dict:
    """Paced students (the realistic case), then the same students with no think time (raw throughput)."""
    with running_server(students=clients, env_extra={"TUTOR_ENGINE": "fake"}) as server:
        tokens = [server.token(f"bench{i}") for i in range(clients)]
        course = server.course_id(tokens[0])
        paced = _protocol_run(server.ws_url, tokens, course, asks, think_s, seed)
        burst = _protocol_run(server.ws_url, tokens, course, burst_asks, (0.0, 0.0), seed + 1)
        return {"paced": paced, "burst_no_think_time": burst, "server_peak_rss_mib": server.peak_rss_mib()}


def _protocol_run(ws_url, tokens, course, asks, think_s, seed) -> dict:
    started = time.perf_counter()
    logs = asyncio.run(_protocol_sessions(ws_url, tokens, course, asks, think_s, seed))
    report = _protocol_report(logs, len(tokens), asks, time.perf_counter() - started)
    return {"think_time_s": list(think_s), **report}


async def _protocol_sessions(ws_url, tokens, course, asks, think_s, seed) -> list[SessionLog]:
    questions = [QUESTIONS[i % len(QUESTIONS)] for i in range(asks)]
    return await asyncio.gather(
        *(
            student_session(ws_url, token, course, questions, answer_timeout_s=60, linger_s=1.0, think_s=think_s,
                            rng=random.Random(seed * 100_003 + i))
            for i, token in enumerate(tokens)
        )
    )


def _protocol_report(logs: list[SessionLog], clients: int, asks: int, wall: float) -> dict:
    outcomes = [ask for log in logs for ask in log.asks]
    acks = [ask.ack_at - ask.sent_at for ask in outcomes if ask.ack_at]
    answers = [ask.answer_at - ask.sent_at for ask in outcomes if ask.answer_at]
    wrong_text = sum(1 for ask in outcomes if ask.answer_at and ask.tag not in ask.answer_text)
    return {
        "clients": clients,
        "asks_per_client": asks,
        "asks": len(outcomes),
        "lost": sum(1 for ask in outcomes if ask.answers == 0),
        "duplicated": sum(max(0, ask.answers - 1) for ask in outcomes) + sum(log.duplicate_frames for log in logs),
        "cross_delivered": sum(log.foreign_frames for log in logs) + wrong_text,
        "errors": sum(1 for ask in outcomes if ask.error),
        "ack_ms_p50": ms(percentile(acks, 50)),
        "ack_ms_p95": ms(percentile(acks, 95)),
        "ack_ms_max": ms(max(acks, default=None)),
        "answer_ms_p50": ms(percentile(answers, 50)),
        "answer_ms_p95": ms(percentile(answers, 95)),
        "asks_per_s": round(len(outcomes) / wall, 1),
        "wall_s": round(wall, 1),
    }


# --- the real-model streaming run -------------------------------------------------------------


def run_model_levels(*, levels: list[int], window_s: float, max_new_tokens: int, env_extra: dict[str, str]) -> dict:
    """Steady state at each concurrency: every student keeps asking for ``window_s`` seconds, and only the
    tokens that arrive inside the window count, so that a level is measured while all its students are active."""
    env = {"TUTOR_MAX_NEW_TOKENS": str(max_new_tokens), "TUTOR_WARMUP": "1", **env_extra}
    with running_server(students=max(levels), env_extra=env) as server:
        tokens = [server.token(f"bench{i}") for i in range(max(levels))]
        course = server.course_id(tokens[0])
        asyncio.run(_level(server.ws_url, tokens[:1], course, None))  # warm-up: first-call costs are not the steady state
        results = {str(n): _level_report(*_timed_level(server.ws_url, tokens[:n], course, window_s)) for n in levels}
        return {"window_s": window_s, "levels": results, "server_peak_rss_mib": server.peak_rss_mib()}


def _timed_level(ws_url: str, tokens: list[str], course: int, window_s: float) -> tuple[list[SessionLog], float, float]:
    started = time.perf_counter()
    logs = asyncio.run(_level(ws_url, tokens, course, started + window_s))
    return logs, started, started + window_s


async def _level(ws_url: str, tokens: list[str], course: int, ask_until: float | None) -> list[SessionLog]:
    def questions(i: int) -> list[str]:
        return QUESTIONS[i % len(QUESTIONS):] + QUESTIONS[: i % len(QUESTIONS)]

    return await asyncio.gather(
        *(
            student_session(ws_url, t, course, questions(i)[:1] if ask_until is None else questions(i),
                            answer_timeout_s=600, ask_until=ask_until)
            for i, t in enumerate(tokens)
        )
    )


def _level_report(logs: list[SessionLog], window_start: float, window_end: float) -> dict:
    asks = [ask for log in logs for ask in log.asks]
    answered = [ask for ask in asks if ask.answer_at and ask.first_token_at]
    ttft = [ask.first_token_at - ask.sent_at for ask in answered]
    decode_rates = [
        (ask.token_frames - 1) / (ask.answer_at - ask.first_token_at)
        for ask in answered if ask.token_frames > 1 and ask.answer_at > ask.first_token_at
    ]
    in_window = sum(1 for ask in asks for t in ask.token_times if window_start <= t <= window_end)
    return {
        "answers": len(answered),
        "errors": sum(1 for ask in asks if ask.error),
        "ttft_ms_p50": ms(percentile(ttft, 50)),
        "ttft_ms_p95": ms(percentile(ttft, 95)),
        "stream_decode_tokens_per_s_mean": round(statistics.fmean(decode_rates), 2) if decode_rates else None,
        "aggregate_tokens_per_s": round(in_window / (window_end - window_start), 2),
        "tokens_in_window": in_window,
    }
