"""Question files for the router benchmark, and grading a tutor's answer against their gold answers (pure).

One JSON object a line: ``{"question": "...", "gold": ["accepted", ...], "check": "exact" | "numeric" |
"contains"}``, plus an optional ``"course"`` (a course slug; the benchmark's ``--course`` otherwise), an
optional ``"category"`` (``calculation``, ``factual`` or ``word_problem``, for reporting by kind) and an optional
``"support"`` (the sentence of the course notes that answers a factual question, so it can be checked).

How an answer is graded, since a tutor answers in sentences, not in one word:

- ``exact``: the whole answer, or its first sentence, equals a gold answer once case, spacing, punctuation
  and a leading "the answer is" are ignored.
- ``numeric``: the last number the answer states that the question did not already state (fractions, mixed
  numbers, decimals and percentages understood) equals a gold number. Restating the question's numbers
  proves nothing, and a tutor's final number is its answer.
- ``contains``: a gold phrase appears in the answer as whole words, and it is not negated right before
  ("not carbon dioxide").
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from learning.grading import parse_number

BaseModelT = TypeVar("BaseModelT", bound=BaseModel)
MAX_QUESTIONS = 10_000
MAX_LINE_BYTES = 8_000


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


@dataclass(frozen=True)
class QAQuestion:
    question: str
    gold: tuple[str, ...]
    check: str
    course: str | None = None
    category: str | None = None
    support: str | None = None


def read_qa(path: Path) -> list[QAQuestion]:
    """Every question of ``path``; a bad line raises QAFormatError naming the line and the field."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        if line.strip():
            questions.append(_parse_line(line, number))
        if len(questions) > MAX_QUESTIONS:
            raise QAFormatError(f"{path.name}: more than {MAX_QUESTIONS} questions; split the file.")
    if not questions:
        raise QAFormatError(f"{path.name}: no questions; expected one JSON object a line.")
    return questions


def validated_line(model: type[BaseModelT], line: str, number: int) -> BaseModelT:
    """Line ``number`` of a JSON-lines file checked against ``model``; QAFormatError names the line and field."""
    if len(line.encode()) > MAX_LINE_BYTES:
        raise QAFormatError(f"line {number}: longer than {MAX_LINE_BYTES} bytes.")
    try:
        return model.model_validate(json.loads(line))
    except json.JSONDecodeError as exc:
        raise QAFormatError(f"line {number}: not JSON ({exc.msg}); expected one JSON object a line.") from None
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or "line"
        raise QAFormatError(f"line {number}, field {field!r}: {error['msg']}.") from None


def _parse_line(line: str, number: int) -> QAQuestion:
    parsed = validated_line(_QALine, line, number)
    if parsed.check == "numeric" and any(parse_number(g) is None for g in parsed.gold):
        raise QAFormatError(f"line {number}, field 'gold': a numeric check needs numbers, found {parsed.gold}.")
    gold = tuple(g for g in parsed.gold if g.strip())
    if not gold:
        raise QAFormatError(f"line {number}, field 'gold': expected at least one non-blank answer.")
    return QAQuestion(parsed.question, gold, parsed.check, parsed.course, parsed.category, parsed.support)


def answer_is_correct(question: QAQuestion, answer: str) -> bool:
    if question.check == "numeric":
        return _numeric_correct(question, answer)
    if question.check == "contains":
        return any(_contains(answer, gold) for gold in question.gold)
    return _exact_correct(question, answer)


# --- exact -------------------------------------------------------------------------------------------------

_LEAD_IN = re.compile(r"^(so,? )?(the )?(final |correct )?answer is:? ")


def _words(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    # A word keeps inner dots (3.5, e.g) but not a sentence's full stop: "Chlorophyll. It ..." has "chlorophyll".
    words = (word.strip(".'-") for word in re.findall(r"[\w/.%'-]+", folded))
    return " ".join(word for word in words if word)


def _exact_form(text: str) -> str:
    return _LEAD_IN.sub("", _words(text))


def _exact_correct(question: QAQuestion, answer: str) -> bool:
    first_sentence = re.split(r"(?<=[.!?])\s|\n", answer.strip(), maxsplit=1)[0]
    candidates = {_exact_form(answer), _exact_form(first_sentence)}
    return any(_exact_form(gold) in candidates for gold in question.gold)


# --- contains ----------------------------------------------------------------------------------------------

_NEGATIONS = ("not", "no", "never", "isn't", "aren't", "doesn't", "don't", "cannot", "can't", "without")


def _contains(answer: str, gold: str) -> bool:
    text, phrase = f" {_words(answer)} ", _words(gold)
    if not phrase:
        return False
    for match in re.finditer(rf"(?<=\s){re.escape(phrase)}(?=\s)", text):
        before = text[: match.start()].split()[-2:]
        if not any(word in _NEGATIONS for word in before):
            return True
    return False


# --- numeric -----------------------------------------------------------------------------------------------

_NUMBER = re.compile(
    r"(?<![\w.])(-?\d+\s+\d+\s*/\s*\d+|-?\d+\s*/\s*\d+|-?\d+(?:,\d{3})*(?:\.\d+)?%?|-?\.\d+%?)(?![\w]|/\d)"
)


def numbers_in(text: str) -> list[Fraction]:
    """The numbers ``text`` states, in order, as exact fractions."""
    cleaned = unicodedata.normalize("NFKC", text).replace("−", "-").replace("⁄", "/")
    values = (parse_number(match.group(1)) for match in _NUMBER.finditer(cleaned))
    return [value for value in values if value is not None]


def _numeric_correct(question: QAQuestion, answer: str) -> bool:
    stated = set(numbers_in(question.question))
    new_numbers = [value for value in numbers_in(answer) if value not in stated]
    if not new_numbers:
        return False
    gold = {parse_number(g) for g in question.gold}
    return new_numbers[-1] in gold
