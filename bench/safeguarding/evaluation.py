"""Precision and recall of the safeguarding detector on a labelled CSV (``text,label``, label ``risk`` or
``ok``), on the whole file and on its two halves: the development half (data rows 1, 3, 5, ...), on which the
phrase lists and thresholds were chosen, and the report half (rows 2, 4, 6, ...), which they were not."""
from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

LABELS = ("risk", "ok")


class MessagesFormatError(ValueError):
    """The CSV cannot be evaluated; the message names the row and what was expected."""


@dataclass(frozen=True)
class LabelledMessage:
    row: int  # the data row's number, counting from 1 after the header
    text: str
    risk: bool


def read_messages(path: Path) -> list[LabelledMessage]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in ("text", "label") if column not in (reader.fieldnames or [])]
        if missing:
            raise MessagesFormatError(f"{path}: missing column(s) {', '.join(missing)}; expected a header "
                                      f"with text,label (found {','.join(reader.fieldnames or []) or 'nothing'})")
        messages = [_message(number, row) for number, row in enumerate(reader, start=1)]
    if not messages:
        raise MessagesFormatError(f"{path}: no messages after the header")
    return messages


def _message(number: int, row: dict) -> LabelledMessage:
    text, label = (row.get("text") or "").strip(), (row.get("label") or "").strip().lower()
    if not text:
        raise MessagesFormatError(f"row {number}: the text is empty")
    if label not in LABELS:
        raise MessagesFormatError(f"row {number}: label {row.get('label')!r}; expected risk or ok")
    return LabelledMessage(number, text, label == "risk")


def evaluate(messages: list[LabelledMessage], detect: Callable[[str], object | None]) -> dict:
    """``detect(text)`` returns a signal (with ``kind`` and ``source``) or None."""
    signals = {message.row: detect(message.text) for message in messages}
    return {
        "whole": _scores(messages, signals),
        "development_half": _scores([m for m in messages if m.row % 2 == 1], signals),
        "report_half": _scores([m for m in messages if m.row % 2 == 0], signals),
        "false_negatives": [{"row": m.row, "text": m.text} for m in messages if m.risk and not signals[m.row]],
        "false_positives": [{"row": m.row, "text": m.text, "kind": signals[m.row].kind,
                             "source": signals[m.row].source} for m in messages if not m.risk and signals[m.row]],
    }


def _scores(messages: list[LabelledMessage], signals: dict) -> dict:
    tp = sum(1 for m in messages if m.risk and signals[m.row])
    fp = sum(1 for m in messages if not m.risk and signals[m.row])
    fn = sum(1 for m in messages if m.risk and not signals[m.row])
    return {"messages": len(messages), "risk": tp + fn, "ok": len(messages) - tp - fn,
            "true_positives": tp, "false_positives": fp, "false_negatives": fn,
            "precision": round(tp / (tp + fp), 4) if tp + fp else None,
            "recall": round(tp / (tp + fn), 4) if tp + fn else None}
