"""The inference-worker benchmark's report: both arms, their medians, and the ratios against the baseline."""
from bench.chat.worker_throughput import BASELINE_ARM, CONFIGURED_ARM, worker_report


def run(answers_per_s: float, cpu_ms: float) -> dict:
    return {"answers_per_s": answers_per_s, "worker_cpu_ms_per_answer": cpu_ms}


def test_the_report_compares_the_configured_arm_with_the_baseline_by_medians():
    report = worker_report(1000, {
        BASELINE_ARM: [run(40.0, 10.0), run(60.0, 8.0), run(50.0, 9.0)],
        CONFIGURED_ARM: [run(100.0, 5.0), run(80.0, 4.0), run(90.0, 6.0)],
    }, token_frame_ms=50)

    assert report["arms"][BASELINE_ARM]["answers_per_s"] == 50.0
    assert report["arms"][CONFIGURED_ARM]["worker_cpu_ms_per_answer"] == 5.0
    assert report["answers_per_s"] == 90.0
    assert report["answers_per_s_ratio"] == 1.8
    assert report["worker_cpu_ratio"] == round(5.0 / 9.0, 3)
    assert (report["answers"], report["token_frame_ms"]) == (1000, 50)
    assert len(report["arms"][BASELINE_ARM]["runs"]) == 3
