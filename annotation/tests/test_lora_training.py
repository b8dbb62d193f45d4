"""The LoRA training loop on a tiny random Llama: it learns, checkpoints, resumes exactly, and saves safetensors."""
from __future__ import annotations

import pytest
import torch

from annotation.training.lora import (
    CHECKPOINT_FILE, LoraHyperparameters, TrainingAborted, TrainingText, batch_schedule, save_adapter, train_lora,
)
from tutor.engine.tests.conftest import make_model, make_tokenizer
from tutor.engine.types import ChatTurn

SYSTEM = "You are a patient tutor for the course Cells. Keep answers short."
FACTS = [
    ("What makes energy in the cell?", "Mitochondria produce energy for the cell."),
    ("What is the basic unit of life?", "The cell is the basic unit of life."),
    ("What does photosynthesis do?", "Photosynthesis turns light into chemical energy."),
    ("How many unknowns has a linear equation?", "A linear equation has one unknown."),
]


@pytest.fixture(scope="module")
def tokenizer():
    return make_tokenizer()


def examples() -> list[TrainingText]:
    return [TrainingText(SYSTEM, (ChatTurn("user", q),), a) for q, a in FACTS]


def hyper(**overrides) -> LoraHyperparameters:
    settings = dict(rank=4, alpha=8, learning_rate=5e-3, epochs=6, batch_size=2, checkpoint_every=2, seed=3)
    return LoraHyperparameters(**{**settings, **overrides})


def adapter_weights(model) -> dict[str, torch.Tensor]:
    return {name: p.detach().clone() for name, p in model.named_parameters() if "lora_" in name}


def test_training_lowers_the_loss_on_answer_tokens(tokenizer, tmp_path):
    outcome = train_lora(make_model(tokenizer), tokenizer, examples(), hyper(epochs=10, learning_rate=3e-2), checkpoint_dir=tmp_path)
    assert outcome.steps == 20 and len(outcome.losses) == 20
    assert sum(outcome.losses[-4:]) / 4 < 0.5 * sum(outcome.losses[:4]) / 4
    assert outcome.examples_seen == 40 and outcome.tokens_seen > 0


def test_the_base_weights_stay_frozen(tokenizer, tmp_path):
    model = make_model(tokenizer)
    before = model.model.layers[0].self_attn.q_proj.weight.detach().clone()
    outcome = train_lora(model, tokenizer, examples(), hyper(epochs=2), checkpoint_dir=tmp_path)
    after = outcome.model.get_base_model().model.layers[0].self_attn.q_proj.base_layer.weight
    assert torch.equal(before, after)


def test_a_killed_run_resumes_from_its_checkpoint_to_the_same_adapter(tokenizer, tmp_path):
    whole = train_lora(make_model(tokenizer), tokenizer, examples(), hyper(), checkpoint_dir=tmp_path / "whole")

    def die_at_step_5(progress):
        if progress.step == 5:
            raise TrainingAborted("killed")

    with pytest.raises(TrainingAborted):
        train_lora(make_model(tokenizer), tokenizer, examples(), hyper(), checkpoint_dir=tmp_path / "split",
                   on_progress=die_at_step_5)
    assert (tmp_path / "split" / CHECKPOINT_FILE).is_file()
    resumed = train_lora(make_model(tokenizer), tokenizer, examples(), hyper(), checkpoint_dir=tmp_path / "split")
    assert resumed.resumed_from_step == 4  # the last checkpoint before the kill
    assert resumed.steps == whole.steps and resumed.losses[:4] == whole.losses[:4]
    for name, weight in adapter_weights(whole.model).items():
        torch.testing.assert_close(adapter_weights(resumed.model)[name], weight, rtol=1e-5, atol=1e-6)


def test_progress_is_reported_every_step(tokenizer, tmp_path):
    seen = []
    train_lora(make_model(tokenizer), tokenizer, examples(), hyper(epochs=1), checkpoint_dir=tmp_path,
               on_progress=seen.append)
    assert [p.step for p in seen] == [1, 2] and all(p.total_steps == 2 for p in seen)
    assert seen[-1].examples_seen == 4


def test_batches_never_mix_system_prompts_and_follow_the_seed(tokenizer):
    from annotation.training.lora import _encode

    mixed = examples() + [TrainingText("Another course.", (ChatTurn("user", "What is a cell?"),), "A unit.")]
    encoded = [_encode(tokenizer, e, 32) for e in mixed]
    steps = batch_schedule(encoded, hyper(batch_size=4, epochs=2))
    assert all(len({encoded[i].prefix for i in step}) == 1 for step in steps)
    assert sorted(i for step in steps[: len(steps) // 2] for i in step) == list(range(5))
    assert steps == batch_schedule(encoded, hyper(batch_size=4, epochs=2))
    assert steps != batch_schedule(encoded, hyper(batch_size=4, epochs=2, seed=4))


def test_the_adapter_is_saved_as_safetensors(tokenizer, tmp_path):
    outcome = train_lora(make_model(tokenizer), tokenizer, examples(), hyper(epochs=1), checkpoint_dir=tmp_path)
    save_adapter(outcome.model, tmp_path / "adapter")
    assert {"adapter_config.json", "adapter_model.safetensors"} <= {p.name for p in (tmp_path / "adapter").iterdir()}


def test_bad_hyperparameters_are_refused():
    with pytest.raises(ValueError, match="rank"):
        LoraHyperparameters(rank=0)
    with pytest.raises(ValueError, match="learning_rate"):
        LoraHyperparameters(learning_rate=2.0)


def test_nothing_to_train_on_is_an_error(tokenizer, tmp_path):
    with pytest.raises(ValueError, match="nothing to train"):
        train_lora(make_model(tokenizer), tokenizer, [], hyper(), checkpoint_dir=tmp_path)
