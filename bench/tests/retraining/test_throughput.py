"""LoRA training throughput, measured on a tiny random Llama on the CPU."""
from annotation.training.lora import LoraHyperparameters
from bench.retraining.throughput import llama_1b_config, measure
from tutor.engine.tests.conftest import make_model, make_tokenizer


def test_throughput_reports_tokens_per_second_on_the_cpu():
    tokenizer = make_tokenizer()
    hyper = LoraHyperparameters(rank=4, alpha=8, learning_rate=5e-3, epochs=6, batch_size=2, seed=3)
    result = measure(make_model(tokenizer), "tiny", batch=2, sequence=16, steps=2, warmup=1, hyper=hyper)
    assert result.tokens_per_s > 0 and result.device == "cpu" and result.mfu is None
    assert result.parameters == sum(p.numel() for p in make_model(tokenizer).parameters())


def test_the_1b_configuration_has_about_a_billion_parameters():
    config = llama_1b_config()
    layer = 2 * 2048 * 2048 + 2 * 2048 * 512 + 3 * 2048 * 8192  # q, o; k, v (8 of 32 heads); the MLP
    assert 1.0e9 < 16 * layer + config.vocab_size * 2048 < 1.1e9
