"""The GPU check's serving half, run on the CPU with a tiny model so that the script a lent GPU runs once is
known to work before it gets there."""
from bench.gpu_check import measure_serving, random_model_folder
from tutor.engine.tests.conftest import make_model, make_tokenizer


def test_serving_report_on_a_tiny_random_model(tmp_path):
    source = tmp_path / "source"
    tokenizer = make_tokenizer()
    make_model(tokenizer).save_pretrained(str(source))
    tokenizer.save_pretrained(str(source))

    folder = random_model_folder(source, tmp_path / "random")
    report = measure_serving(folder, new_tokens=6, levels=[1, 3], device="cpu")

    assert set(report["engine"]) == {"1", "3"} and set(report["generate"]) == {"1", "3"}
    three = report["engine"]["3"]
    assert three["answers"] == 3 and 0 < three["tokens"] <= 18
    assert three["aggregate_tokens_per_s"] > 0 and three["ttft_ms_p95"] >= three["ttft_ms_p50"] >= 0
    assert report["generate"]["3"]["tokens"] == 18
    assert 0 < three["share_of_measured_bandwidth_limit"]
    assert report["bandwidth"]["prompt_tokens"] > 100 and set(report["forward_step_ms"]) == {"1", "3"}
    assert all(run["finish_reasons"] == {"length": 1 * run["students"]} for run in report["engine"].values())
    assert report["bandwidth"]["kv_bytes_per_token"] == 2 * 2 * 2 * 16 * 4  # K and V, 2 layers, 2 heads of 16, fp32
    assert set(report["engine_vs_generate"]) == {"1", "3"}
