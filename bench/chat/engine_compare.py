"""One table of the engines ``chat_bench --engine a,b`` ran on the same students: for each engine, aggregate
tokens/s and time to first token at each level, as students saw them (``served``: token frames through the
tutor) and as the engine produced them (``engine_level``: its own tokens, without the tutor around it), the peak
resident memory of the process that holds the model, and every figure as a ratio to the first engine's.

The serving process is the tutor's server for the embedded torch engine (the model lives in it) and
``llama-server`` for the openai engine (the tutor's server, which then holds no model, is reported beside it).
"""
from __future__ import annotations

LEVEL_FIGURES = ("aggregate_tokens_per_s", "ttft_ms_p50", "ttft_ms_p95")


def engines_compared(report: dict, engines: tuple[str, ...]) -> dict:
    """``report``: ``run_model_report``'s (``served``/``served_<engine>``, ``engine_level``)."""
    by_engine = {name: _engine_figures(report, name) for name in engines}
    reference = by_engine[engines[0]]
    return {
        "reference": engines[0],
        "by_engine": by_engine,
        "vs_reference": {name: _ratios(figures, reference) for name, figures in by_engine.items()
                         if name != engines[0]},
    }


def served_key(engine: str) -> str:
    return "served" if engine == "embedded" else f"served_{engine}"


def _engine_figures(report: dict, engine: str) -> dict:
    served = report.get(served_key(engine)) or {}
    engine_level = (report.get("engine_level") or {}).get(engine) or {}
    server = served.get("engine_server")  # a separate serving process (llama-server), else the tutor's server
    return {
        "serving_process": server["name"] if server else "tutor server (model in-process)",
        "served": _levels(served.get("levels") or {}),
        "engine_level": _levels(engine_level.get("levels") or {}),
        "peak_rss_mib": server["peak_rss_mib"] if server else served.get("server_peak_rss_mib"),
        "tutor_server_peak_rss_mib": served.get("server_peak_rss_mib"),
        "engine_level_peak_rss_mib": engine_level.get("peak_rss_mib"),
    }


def _levels(levels: dict) -> dict:
    return {n: {figure: level.get(figure) for figure in LEVEL_FIGURES} for n, level in levels.items()}


def _ratios(figures: dict, reference: dict) -> dict:
    """Each figure over the reference engine's (tokens/s above 1: faster; time and memory above 1: more)."""
    return {
        "served": _level_ratios(figures["served"], reference["served"]),
        "engine_level": _level_ratios(figures["engine_level"], reference["engine_level"]),
        "peak_rss_mib": ratio(figures["peak_rss_mib"], reference["peak_rss_mib"]),
    }


def _level_ratios(levels: dict, reference: dict) -> dict:
    return {n: {figure: ratio(level[figure], reference.get(n, {}).get(figure)) for figure in LEVEL_FIGURES}
            for n, level in levels.items()}


def ratio(value: float | None, reference: float | None) -> float | None:
    """None where either figure is missing (nothing served at the reference level, an engine that reports no
    first-token time): nothing made up."""
    return round(value / reference, 2) if value is not None and reference else None
