"""LoRA adapter artifacts on disk: a folder of safetensors with one content hash (pure, no torch).

The hash covers every file's relative path and bytes, in sorted order, so the same folder gives the same
hash on any machine, and a changed, missing or extra file gives another one.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK_BYTES = 1 << 20


class ArtifactMismatch(Exception):
    """An adapter folder is missing, or its content is not what the registry recorded."""


def folder_sha256(folder: Path) -> str:
    folder = Path(folder)
    if not folder.is_dir():
        raise ArtifactMismatch(f"The adapter folder {folder.name!r} does not exist.")
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()


def verify_folder(folder: Path, expected_sha256: str) -> None:
    """Raise ``ArtifactMismatch`` unless ``folder`` hashes to ``expected_sha256``."""
    actual = folder_sha256(folder)
    if actual != expected_sha256:
        raise ArtifactMismatch(
            f"The adapter folder {Path(folder).name!r} has sha256 {actual[:12]}…, but the registry recorded "
            f"{expected_sha256[:12]}…; it was changed or damaged after training, so it is refused."
        )
