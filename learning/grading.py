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

from learning.solving.numbers import terminates

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


def grade(spec: AnswerSpec, response: str, prompt: str = "") -> Grade:
    """``prompt``: the item's question, which decides how a numeric answer is shown (``expected_number``)."""
    if isinstance(spec, NumericSpec):
        return Grade(_numeric_matches(spec, response), expected_number(spec.value, prompt))
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


_FRACTION_IN_TEXT = re.compile(r"\d\s*/\s*\d|\bfraction", re.IGNORECASE)
_MIXED_IN_TEXT = re.compile(r"\d\s+\d+\s*/\s*\d|mixed number", re.IGNORECASE)
_DECIMAL_ASKED = re.compile(r"\bas\s+a\s+decimal\b|\bdecimal\s+places?\b", re.IGNORECASE)
ROUNDED_PLACES = 6  # authors write 7/12 as 0.583333: a value within half a unit of the 6th place of p/q is p/q
MAX_SHOWN_DENOMINATOR = 1000


def expected_number(value: float, prompt: str = "") -> str:
    """A numeric answer in the item's own form: a fractions item (its prompt has a fraction, or asks for one)
    shows 7/12, not the 0.583333 its author had to write, and "3 7/12" when the prompt uses mixed numbers; a
    recurring decimal is shown as the fraction it rounds. A decimal the prompt asks for stays a decimal."""
    if float(value).is_integer():
        return str(int(value))
    exact = Fraction(value).limit_denominator(MAX_SHOWN_DENOMINATOR)
    rounded_fraction = abs(float(exact) - value) <= 0.5 * 10 ** -ROUNDED_PLACES
    fractions_item = bool(_FRACTION_IN_TEXT.search(prompt)) and not _DECIMAL_ASKED.search(prompt)
    if not rounded_fraction or not (fractions_item or not terminates(exact)):
        return f"{value:g}"
    whole, rest = divmod(abs(exact.numerator), exact.denominator)
    if whole and _MIXED_IN_TEXT.search(prompt):
        return f"{'-' if exact < 0 else ''}{whole} {rest}/{exact.denominator}"
    return f"{exact.numerator}/{exact.denominator}"


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
