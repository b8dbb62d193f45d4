"""The router benchmark's question files.

One JSON object a line: ``{"question": "...", "gold": ["accepted", ...], "check": "exact" | "numeric" |
"contains"}``, plus an optional ``"course"`` (a course slug; the benchmark's ``--course`` otherwise), an
optional ``"category"`` (``calculation``, ``factual`` or ``word_problem``, for reporting by kind) and an optional
``"support"`` (the sentence of the course notes that answers a factual question, so it can be checked).
``annotation.router.qa`` says how an answer is graded against ``gold``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from annotation.router.qa import QAQuestion
from bench.jsonl import line_problem, read_jsonl
from learning.grading import parse_number

MAX_QUESTIONS = 10_000


class QAFormatError(ValueError):
    pass


class _QALine(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    question: str = Field(min_length=1, max_length=2000)
    gold: list[str] = Field(min_length=1, max_length=20)
    check: Literal["exact", "numeric", "contains"]
    course: str | None = Field(default=None, min_length=1, max_length=100)
    category: Literal["calculation", "factual", "word_problem"] | None = None
    support: str | None = Field(default=None, min_length=1, max_length=2000)


def read_qa(path: Path) -> list[QAQuestion]:
    """Every question of ``path``; a bad line raises QAFormatError naming the line and the field."""
    questions = []
    for number, line in read_jsonl(path, _QALine, error=QAFormatError):
        questions.append(_question(path, number, line))
        if len(questions) > MAX_QUESTIONS:
            raise QAFormatError(f"{path.name}: more than {MAX_QUESTIONS} questions; split the file.")
    if not questions:
        raise QAFormatError(f"{path.name}: no questions; expected one JSON object a line.")
    return questions


def _question(path: Path, number: int, line: _QALine) -> QAQuestion:
    if line.check == "numeric" and any(parse_number(g) is None for g in line.gold):
        raise QAFormatError(line_problem(path, number, f"a numeric check needs numbers, found {line.gold}.",
                                         field="gold"))
    gold = tuple(g for g in line.gold if g.strip())
    if not gold:
        raise QAFormatError(line_problem(path, number, "expected at least one non-blank answer.", field="gold"))
    return QAQuestion(line.question, gold, line.check, line.course, line.category, line.support)
