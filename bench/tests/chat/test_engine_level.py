"""The engine-level burst counts the engine's own tokens and times, whatever the engine."""
import asyncio

from bench.chat.engine_level import _burst
from tutor.engine.fake import FakeEngine


def test_a_burst_reports_every_answer_its_tokens_and_first_token_times():
    report = asyncio.run(_burst(FakeEngine(), "Be brief.", ["What is 1/2?", "What is 1/3?"], max_new_tokens=8))
    assert report["students"] == report["answers"] == 2
    assert report["tokens"] > 0 and report["aggregate_tokens_per_s"] > 0
    assert report["ttft_ms_p50"] is None  # the fake engine reports no timings; nothing is made up
