"""Where a benchmark command's JSON report goes besides the terminal."""
from __future__ import annotations

from pathlib import Path


def report_save(out: Path | None, text: str) -> None:
    """Writes ``text`` to ``out`` (its folder made as needed); nothing when no ``--out`` was given."""
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
