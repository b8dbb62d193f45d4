"""``chat_bench --engine a,b``: the option, and the comparison of the engines the same students asked (here the
fake engine stands in for both, so no model and no llama-server are needed)."""
import asyncio
import os
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command

from bench.chat import engine_level
from bench.chat.chat_bench import engines_parse
from bench.chat.engine_compare import engines_compared
from bench.chat.engine_level import run_engine_levels
from tutor.engine.fake import FakeEngine


def test_the_engine_option_keeps_the_order_given_the_first_being_the_reference():
    assert engines_parse("openai, embedded") == ("openai", "embedded")
    assert engines_parse("embedded") == ("embedded",)


@pytest.mark.parametrize("text, named", [("embedded,vllm", "'vllm'"), ("embedded,embedded", "twice"), ("", "''")])
def test_a_bad_engine_list_is_refused_before_anything_starts(text, named):
    with pytest.raises(CommandError, match=named):
        call_command("chat_bench", "--engine", text, "--skip-fake")


@pytest.fixture
def fake_engines(monkeypatch):
    """Both engine names served by the fake engine in this process: "openai" writes a token every 20 ms."""
    @contextmanager
    def fake(name, *, slots, llama_threads):
        yield FakeEngine(token_delay_s=0.02 if name == "openai" else 0.0), os.getpid()

    monkeypatch.setattr(engine_level, "_engine", fake)


def test_each_engine_gets_its_figures_and_their_ratios_to_the_first_engine(fake_engines):
    engines = ("embedded", "openai")
    report = {
        "engine_level": run_engine_levels(engines=engines, levels=[1, 2], questions=["What is 1/2?", "And 1/3?"],
                                          max_new_tokens=8, llama_threads=1),
        "served": {"levels": {"1": {"aggregate_tokens_per_s": 20.0, "ttft_ms_p50": 500.0, "ttft_ms_p95": 800.0}},
                   "server_peak_rss_mib": 1200.0},
        "served_openai": {"levels": {"1": {"aggregate_tokens_per_s": 60.0, "ttft_ms_p50": 100.0, "ttft_ms_p95": None}},
                          "server_peak_rss_mib": 250.0,
                          "engine_server": {"name": "llama-server", "peak_rss_mib": 300.0}},
    }
    compared = engines_compared(report, engines)
    assert compared["reference"] == "embedded" and set(compared["by_engine"]) == set(engines)
    openai = compared["by_engine"]["openai"]
    assert openai["serving_process"] == "llama-server" and openai["peak_rss_mib"] == 300.0
    assert openai["tutor_server_peak_rss_mib"] == 250.0
    assert compared["by_engine"]["embedded"]["peak_rss_mib"] == 1200.0  # the model lives in the tutor's server
    ratios = compared["vs_reference"]["openai"]
    assert ratios["served"]["1"] == {"aggregate_tokens_per_s": 3.0, "ttft_ms_p50": 0.2, "ttft_ms_p95": None}
    assert ratios["peak_rss_mib"] == 0.25
    assert set(ratios["engine_level"]) == {"1", "2", "2_again"}
    assert ratios["engine_level"]["2"]["aggregate_tokens_per_s"] < 0.5  # the slower fake engine, measured
    assert ratios["engine_level"]["2"]["ttft_ms_p50"] is None  # the fake engine reports no first-token time
    assert "embedded" not in compared["vs_reference"]
