"""The one reader of the benchmarks' JSON-lines files: one JSON object a line, each checked by a strict schema.

Every error names the file and the line, and the field when one is at fault:
``qa.jsonl, line 4, field 'gold': List should have at least 1 item after validation, not 0.``
Blank lines are skipped. A line is read with a byte limit, so a file without newlines cannot fill the memory.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator, TypeVar

from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)
MAX_LINE_BYTES = 8_000


def line_problem(path: Path, number: int, problem: str, *, field: str | None = None) -> str:
    """The message of an error on line ``number`` of ``path``, in the reader's format."""
    where = f"{path.name}, line {number}" + (f", field {field!r}" if field else "")
    return f"{where}: {problem}"


def read_jsonl(path: Path, model: type[ModelT], *, error: type[Exception] = ValueError,
               max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[tuple[int, ModelT]]:
    """(line number, validated row) for each non-blank line; a bad line raises ``error`` naming it."""
    with path.open("rb") as handle:
        for number, raw in enumerate(iter(lambda: handle.readline(max_line_bytes + 2), b""), start=1):
            if len(raw.rstrip(b"\r\n")) > max_line_bytes:
                raise error(line_problem(path, number, f"longer than {max_line_bytes} bytes."))
            text = _decoded(raw, path, number, error)
            if text.strip():
                yield number, _validated(model, text, path, number, error)


def _decoded(raw: bytes, path: Path, number: int, error: type[Exception]) -> str:
    try:
        return raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError:
        raise error(line_problem(path, number, "not UTF-8 text.")) from None


def _validated(model: type[ModelT], text: str, path: Path, number: int, error: type[Exception]) -> ModelT:
    try:
        return model.model_validate(json.loads(text))
    except json.JSONDecodeError as exc:
        raise error(line_problem(path, number, f"not JSON ({exc.msg}); expected one JSON object a line.")) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        raise error(line_problem(path, number, f"{first['msg']}.", field=field)) from None
