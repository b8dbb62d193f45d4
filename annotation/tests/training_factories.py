"""A tiny random base model on disk, settings that train it in seconds, and a course's corrections and items."""
from __future__ import annotations

from pathlib import Path

import pytest

from annotation.models import TrainingExample
from learning.models import Item

# Facts the tiny model learns to state after a few dozen steps (the tokenizer was trained on these words).
FACTS = [
    ("What makes energy in the cell?", "Mitochondria produce energy for the cell.", "mitochondria"),
    ("What is the basic unit of life?", "The cell is the basic unit of life.", "cell"),
    ("What does photosynthesis do?", "Photosynthesis turns light into chemical energy.", "light"),
    ("How many unknowns has a linear equation?", "A linear equation has one unknown.", "one"),
]


@pytest.fixture(scope="session")
def tiny_base_model(tmp_path_factory) -> Path:
    from tutor.engine.tests.conftest import make_model, make_tokenizer

    folder = tmp_path_factory.mktemp("tiny-base")
    tokenizer = make_tokenizer()
    make_model(tokenizer).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture
def training_settings(settings, tiny_base_model, tmp_path, use_engine):
    """Train and judge with the tiny model: the worker's engine and its training copy both load it."""
    from tutor.engine import engine_config_from_settings
    from tutor.engine.transformers_engine import TransformersEngine

    settings.TUTOR_ENGINE = "transformers"
    settings.TUTOR_BASE_MODEL = str(tiny_base_model)
    settings.TUTOR_DEVICE = "cpu"
    settings.TUTOR_ADAPTER_DIR = tmp_path / "adapters"
    settings.ANNOTATION_TRAINING_DIR = tmp_path / "training"
    settings.ANNOTATION_TRAINING_NICE = 0
    settings.ANNOTATION_TRAINING_TORCH_THREADS = 0
    settings.ANNOTATION_LORA_RANK, settings.ANNOTATION_LORA_ALPHA = 8, 16
    settings.ANNOTATION_LORA_LEARNING_RATE = 1e-2
    settings.ANNOTATION_LORA_EPOCHS, settings.ANNOTATION_LORA_BATCH_SIZE = 60, 4
    settings.ANNOTATION_LORA_CHECKPOINT_EVERY = 4
    settings.ANNOTATION_EVAL_MAX_NEW_TOKENS = 12
    settings.LEARNING_PASSAGES_IN_PROMPT = 0
    # Four facts can at best gain 4 of 4 (one-sided McNemar p = 1/16), never significant at 0.05: the promotion
    # path is exercised at a looser level here, and the level itself in test_training_gate.py.
    settings.ANNOTATION_GATE_ALPHA = 0.2
    engine = TransformersEngine(engine_config_from_settings())
    use_engine(engine)
    yield settings
    engine.close()


def correction(course, question: str, answer: str, *, key: str = "", rewordings: list[str] | None = None,
               teacher=None) -> TrainingExample:
    return TrainingExample.objects.create(
        course=course, kind=TrainingExample.Kind.CORRECTION, question=question, answer=answer,
        original_answer="Something wrong.", teacher=teacher, gold=[key] if key else [],
        gold_check="contains" if key else "", rewordings=rewordings or [],
    )


def fact_corrections(course, teacher=None) -> list[TrainingExample]:
    return [correction(course, q, a, key=key, teacher=teacher) for q, a, key in FACTS]


def reference_item(course, key: str, prompt: str, answer: str) -> Item:
    return Item.objects.create(course=course, key=key, prompt=prompt, answer_spec={"kind": "exact", "answer": answer})


def reference_items(course, count: int = 12) -> list[Item]:
    """Items whose answers the tiny model never gives: a stable golden set of wrong answers."""
    return [reference_item(course, f"ref-{n}", f"Solve x plus {n} equals {n + 7}.", "7") for n in range(count)]
