"""Grading a student's response against an item's answer specification (pure: no Django).

An answer specification is one of:

* ``{"kind": "exact", "answer": "chlorophyll"}``: equal after normalisation (Unicode NFKC, case-folded,
  whitespace collapsed, surrounding punctuation and quotes dropped);
* ``{"kind": "numeric", "value": 0.375, "tolerance": 0.001}``: a number within ``tolerance``; the response
  may be an integer, a decimal, a fraction (``3/8``), a mixed number (``2 1/3``) or a percentage (``37.5%``);
* ``{"kind": "choice", "answer": "b"}``: one of the item's choices, given by its key;
* ``{"kind": "set", "answers": ["7/12", "14/24"]}``: any of the accepted answers, normalised as for exact.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

MAX_ANSWER_CHARS = 500


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ExactSpec(_Spec):
    kind: Literal["exact"]
    answer: Annotated[str, Field(min_length=1, max_length=MAX_ANSWER_CHARS)]


class NumericSpec(_Spec):
    kind: Literal["numeric"]
    value: Annotated[float, Field(allow_inf_nan=False)]  # 1e400 parses as inf: JSON cannot store it
    tolerance: Annotated[float, Field(ge=0, le=1e9)] = 1e-9


class ChoiceSpec(_Spec):
    kind: Literal["choice"]
    answer: Annotated[str, Field(min_length=1, max_length=40)]


class SetSpec(_Spec):
    kind: Literal["set"]
    answers: Annotated[list[Annotated[str, Field(min_length=1, max_length=MAX_ANSWER_CHARS)]], Field(min_length=1, max_length=50)]


AnswerSpec = Annotated[Union[ExactSpec, NumericSpec, ChoiceSpec, SetSpec], Field(discriminator="kind")]
ANSWER_SPEC = TypeAdapter(AnswerSpec)


@dataclass(frozen=True)
class Grade:
    correct: bool
    expected: str  # the answer to show the student after grading


def grade(spec: AnswerSpec, response: str) -> Grade:
    if isinstance(spec, NumericSpec):
        return Grade(_numeric_matches(spec, response), _format_number(spec.value))
    if isinstance(spec, SetSpec):
        accepted = {normalise(answer) for answer in spec.answers}
        return Grade(normalise(response) in accepted, spec.answers[0])
    if isinstance(spec, ChoiceSpec):
        return Grade(response.strip().casefold() == spec.answer.casefold(), spec.answer)
    return Grade(normalise(response) == normalise(spec.answer), spec.answer)


_PUNCTUATION = " \t\n.,;:!?\"'`“”‘’()[]{}"


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.split()).strip(_PUNCTUATION)


_MIXED = re.compile(r"^([+-]?)(\d+)\s+(\d+)\s*/\s*(\d+)$")
_FRACTION = re.compile(r"^([+-]?\d+)\s*/\s*(\d+)$")


def parse_number(text: str) -> Fraction | None:
    """The number a student wrote, exactly, or None if it is not one."""
    cleaned = unicodedata.normalize("NFKC", text).strip().replace(",", "").replace("−", "-")
    if cleaned.endswith("%"):
        value = parse_number(cleaned[:-1])
        return None if value is None else value / 100
    return _mixed(cleaned) or _fraction(cleaned) or _decimal(cleaned)


def _mixed(text: str) -> Fraction | None:
    match = _MIXED.match(text)
    if not match or int(match[4]) == 0:
        return None
    sign = -1 if match[1] == "-" else 1
    return sign * (int(match[2]) + Fraction(int(match[3]), int(match[4])))


def _fraction(text: str) -> Fraction | None:
    match = _FRACTION.match(text)
    if not match or int(match[2]) == 0:
        return None
    return Fraction(int(match[1]), int(match[2]))


def _decimal(text: str) -> Fraction | None:
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?", text, flags=re.IGNORECASE) or len(text) > 60:
        return None
    return Fraction(text)


def _numeric_matches(spec: NumericSpec, response: str) -> bool:
    value = parse_number(response)
    return value is not None and abs(float(value) - spec.value) <= spec.tolerance


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def spec_errors(answer_spec: object, choices: object) -> list[str]:
    """Why an item's answer specification (with its choices) is invalid; empty when it is valid."""
    from pydantic import ValidationError

    try:
        parsed = ANSWER_SPEC.validate_python(answer_spec)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "answer_spec"
        return [f"{where}: {first['msg']}"]
    if isinstance(parsed, ChoiceSpec):
        keys = {c.get("key") for c in choices or [] if isinstance(c, dict)}
        if parsed.answer not in keys:
            return [f'the answer "{parsed.answer}" is not one of the choices ({", ".join(sorted(map(str, keys))) or "none"})']
    return []
