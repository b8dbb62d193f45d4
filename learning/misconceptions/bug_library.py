"""The bug library: what each classic fraction error gives for the calculation an item asks for (pure).

A "bug" is a wrong procedure a student follows consistently (adding numerators and denominators, flipping the
wrong fraction). Given an item's prompt, the library finds its calculation ("2 1/3 + 1 1/4", "3/4 ÷ 1/2",
"20% of 60", "3/4 as a percentage") and computes, exactly, the result each applicable bug would produce. A bug
whose result equals the right result is dropped (it cannot be told apart from a right answer), and so is a
second bug giving a value an earlier one already gave: the first in ``BUGS`` order explains it.

The policy is deliberately narrow: one calculation per prompt (the first one found), whole numbers, fractions
and mixed numbers only, so that a match is a confident diagnosis rather than a guess.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from learning.solving.numbers import decimal_text, fraction_text, mixed_text, percent_text


@dataclass(frozen=True)
class Operand:
    whole: int
    numerator: int  # 0 for a whole number
    denominator: int  # 1 for a whole number

    @property
    def value(self) -> Fraction:
        return self.whole + Fraction(self.numerator, self.denominator)

    @property
    def part(self) -> Fraction:
        """The fractional part of a mixed number (the whole of a plain fraction)."""
        return Fraction(self.numerator, self.denominator)

    @property
    def is_whole(self) -> bool:
        return self.numerator == 0

    @property
    def is_mixed(self) -> bool:
        return self.whole != 0 and self.numerator != 0

    def __str__(self) -> str:
        if self.is_whole:
            return str(self.whole)
        fraction = f"{self.numerator}/{self.denominator}"
        return f"{self.whole} {fraction}" if self.whole else fraction


@dataclass(frozen=True)
class Calculation:
    operator: str  # "+", "-", "×", "÷", "of", "%of" (p% of n), "as%" (a/b as a percentage), "asdec"
    left: Operand
    right: Operand | None = None

    @property
    def text(self) -> str:
        if self.operator == "%of":
            return f"{self.left}% of {self.right}"
        if self.operator == "as%":
            return f"{self.left} as a percentage"
        if self.operator == "asdec":
            return f"{self.left} as a decimal"
        return f"{self.left} {self.operator.replace('-', '−')} {self.right}"


@dataclass(frozen=True)
class PredictedError:
    """What ``misconception`` would make a student answer: ``value``, shown as ``shown``."""

    misconception: str
    text: str
    value: Fraction
    shown: str


# --- finding the calculation --------------------------------------------------------------------------------

_OPERAND = r"\d{1,6}\s+\d{1,6}\s*/\s*\d{1,6}|\d{1,6}\s*/\s*\d{1,6}|\d{1,6}"
_BINARY = re.compile(rf"(?<![\d/.])({_OPERAND})\s*([+\-−–×x*÷]|of)\s*({_OPERAND})(?![\d/.%])")
_PERCENT_OF = re.compile(r"(?<![\d.])(\d{1,6})\s*%\s*of\s+(\d{1,6})(?![\d/.])")
_CONVERSION = re.compile(r"(?<![\d/.])(\d{1,6}\s*/\s*\d{1,6})\s+as\s+an?\s+(percentage|percent|decimal)\b", re.I)
_OPERATORS = {"+": "+", "-": "-", "−": "-", "–": "-", "×": "×", "x": "×", "*": "×", "÷": "÷", "of": "of"}


def operand_parse(text: str) -> Operand | None:
    parts = text.replace("/", " / ").split()
    if len(parts) == 1:
        return Operand(int(parts[0]), 0, 1)
    if len(parts) == 3 and int(parts[2]) != 0:
        return Operand(0, int(parts[0]), int(parts[2]))
    if len(parts) == 4 and int(parts[3]) != 0:
        return Operand(int(parts[0]), int(parts[1]), int(parts[3]))
    return None


@lru_cache(maxsize=4096)
def calculation_in(prompt: str) -> Calculation | None:
    """The first calculation the prompt asks for, or None. At least one operand must be a fraction (or the
    calculation a percentage): "3 + 4" is not a fraction item."""
    if match := _PERCENT_OF.search(prompt):
        return Calculation("%of", Operand(int(match[1]), 0, 1), Operand(int(match[2]), 0, 1))
    if match := _CONVERSION.search(prompt):
        operand = operand_parse(match[1])
        kind = "asdec" if match[2].lower() == "decimal" else "as%"
        return Calculation(kind, operand) if operand and not operand.is_whole else None
    for match in _BINARY.finditer(prompt):
        left, right = operand_parse(match[1]), operand_parse(match[3])
        if left and right and not (left.is_whole and right.is_whole):
            return Calculation(_OPERATORS[match[2]], left, right)
    return None


def correct_value(calculation: Calculation) -> Fraction | None:
    x = calculation.left.value
    y = calculation.right.value if calculation.right else None
    operator = calculation.operator
    if operator in ("as%", "asdec"):
        return x
    if operator == "%of":
        return x * y / 100
    if operator == "÷":
        return x / y if y else None
    return {"+": x + (y or 0), "-": x - (y or 0), "×": x * (y or 0), "of": x * (y or 0)}[operator]


# --- the bugs: each gives the wrong values it predicts for a calculation ---------------------------------------


def _adds_across(c: Calculation) -> list[Fraction]:
    """1/3 + 1/4 → 2/7: numerators added, denominators added (mixed numbers: the wholes added too)."""
    if c.operator not in ("+", "-") or c.left.is_whole or c.right.is_whole:
        return []
    sign = 1 if c.operator == "+" else -1
    numerator = c.left.numerator + sign * c.right.numerator
    denominator = c.left.denominator + sign * c.right.denominator
    if denominator <= 0 or numerator < 0:
        return []
    return [c.left.whole + sign * c.right.whole + Fraction(numerator, denominator)]


def _cross_multiplies_addition(c: Calculation) -> list[Fraction]:
    """1/3 + 1/4 → (1×4 + 3×1)/(3 + 4) = 7/7: the numerators cross-multiplied, the denominators added."""
    if c.operator not in ("+", "-") or c.left.is_whole or c.right.is_whole or c.left.is_mixed or c.right.is_mixed:
        return []
    if c.left.denominator == c.right.denominator:
        return []
    sign = 1 if c.operator == "+" else -1
    numerator = c.left.numerator * c.right.denominator + sign * c.left.denominator * c.right.numerator
    return [Fraction(numerator, c.left.denominator + c.right.denominator)] if numerator >= 0 else []


def _flips_wrong_fraction(c: Calculation) -> list[Fraction]:
    """3/4 ÷ 1/2 → 4/3 × 1/2: the first number turned upside down instead of the divisor."""
    if c.operator != "÷" or c.left.value == 0:
        return []
    return [1 / c.left.value * c.right.value]


def _multiplies_without_flipping(c: Calculation) -> list[Fraction]:
    """3/4 ÷ 1/2 → 3/4 × 1/2: multiplied by the divisor instead of by its reciprocal."""
    return [c.left.value * c.right.value] if c.operator == "÷" else []


def _flips_when_multiplying(c: Calculation) -> list[Fraction]:
    """2/3 × 3/5 → 2/3 × 5/3: the second number flipped as if dividing (keep, change, flip misapplied)."""
    if c.operator not in ("×", "of") or c.right.value == 0:
        return []
    return [c.left.value / c.right.value]


def _keeps_common_denominator(c: Calculation) -> list[Fraction]:
    """2/3 × 3/5 → 10/15 × 9/15 = 90/15: rewritten over a common denominator, then numerators multiplied and the
    denominator kept, as for addition."""
    if c.operator not in ("×", "of") or c.left.is_whole or c.right.is_whole or c.left.is_mixed or c.right.is_mixed:
        return []
    common = c.left.denominator * c.right.denominator
    left = c.left.numerator * c.right.denominator
    right = c.right.numerator * c.left.denominator
    return [Fraction(left * right, common)]


def _whole_number_bias(c: Calculation) -> list[Fraction]:
    """Numerator and denominator (or whole and fractional parts) treated as separate whole numbers:
    3 × 2/7 → 6/21; 3 1/4 − 1 3/4 → 2 2/4 (the smaller part taken from the larger); 1 1/2 × 2 1/2 → 2 1/4;
    3/8 as a decimal → 3.8."""
    x, y = c.left, c.right
    if c.operator == "asdec":
        return [Fraction(f"{x.numerator}.{x.denominator}")]
    if c.operator == "×" and (x.is_whole or y.is_whole) and not (x.is_mixed or y.is_mixed):
        whole, fraction = (x, y) if x.is_whole else (y, x)
        return [Fraction(whole.whole * fraction.numerator, whole.whole * fraction.denominator)] if whole.whole else []
    if not (x.is_mixed and y.is_mixed):
        return []
    if c.operator == "-":
        return [x.whole - y.whole + abs(x.part - y.part)]
    if c.operator == "×":
        return [x.whole * y.whole + x.part * y.part]
    if c.operator == "÷" and y.whole and y.part:
        return [Fraction(x.whole, y.whole) + x.part / y.part]
    return []


def _percent_of_confusion(c: Calculation) -> list[Fraction]:
    """20% of 60 → 1200 (not divided by 100) or 3 (60 ÷ 20); 3/4 as a percentage → 0.75% (the decimal with a
    percent sign) or 34%; 3/4 of 20 → 20 ÷ 3/4 ("of" read as division) or 20 ÷ 4 (one part only)."""
    if c.operator == "%of":
        p, n = c.left.whole, c.right.whole
        return [Fraction(p * n), *([Fraction(n, p)] if p else [])]
    if c.operator == "as%":
        digits = Fraction(int(f"{c.left.numerator}{c.left.denominator}"), 100)
        return [c.left.value / 100, digits]
    if c.operator == "of" and c.right.is_whole and not c.left.is_whole and c.left.numerator:
        return [c.right.value / c.left.value, Fraction(c.right.whole, c.left.denominator)]
    return []


@dataclass(frozen=True)
class Bug:
    id: str
    explanation: str  # one line for the student, after "{calculation} is not {wrong}: "
    predict: Callable[[Calculation], list[Fraction]]


BUGS: tuple[Bug, ...] = (
    Bug("adds-across", "fractions are added or subtracted over a common denominator, not numerator with "
        "numerator and denominator with denominator.", _adds_across),
    Bug("cross-multiplies-addition", "cross-multiplying is for comparing fractions; to add or subtract, rewrite "
        "both over a common denominator.", _cross_multiplies_addition),
    Bug("flips-wrong-fraction", "to divide, keep the first number and multiply by the reciprocal of the second "
        "(flip the divisor, not the first fraction).", _flips_wrong_fraction),
    Bug("multiplies-without-flipping", "dividing by a fraction means multiplying by its reciprocal: flip the "
        "divisor before multiplying.", _multiplies_without_flipping),
    Bug("flips-when-multiplying", "only division flips the second fraction; to multiply, multiply the numerators "
        "and multiply the denominators.", _flips_when_multiplying),
    Bug("keeps-common-denominator", "to multiply fractions, multiply the numerators and multiply the "
        "denominators; no common denominator is needed.", _keeps_common_denominator),
    Bug("whole-number-bias", "a fraction is one number: its numerator and denominator (or the whole and the "
        "fraction of a mixed number) cannot be worked on as separate whole numbers.", _whole_number_bias),
    Bug("percent-of-confusion", "a percentage counts hundredths (multiply a fraction by 100 to get one) and "
        "\"of\" means multiply: 20% of 60 is 20/100 × 60.", _percent_of_confusion),
)


def predicted_errors(prompt: str) -> tuple[PredictedError, ...]:
    """Every bug's wrong result for the prompt's calculation, in ``BUGS`` order; () when it has none."""
    calculation = calculation_in(prompt)
    return _errors_of(calculation) if calculation else ()


@lru_cache(maxsize=4096)
def _errors_of(calculation: Calculation) -> tuple[PredictedError, ...]:
    right = correct_value(calculation)
    seen = {right}
    errors = []
    for bug in BUGS:
        for value in bug.predict(calculation):
            if value in seen or value < 0:
                continue
            seen.add(value)
            shown = _shown(value, calculation)
            text = f"{calculation.text} is not {shown}: {bug.explanation}"
            errors.append(PredictedError(bug.id, text, value, shown))
    return tuple(errors)


def _shown(value: Fraction, calculation: Calculation) -> str:
    if calculation.operator == "as%":
        return percent_text(value)
    if calculation.operator == "asdec":
        return decimal_text(value)
    mixed_operands = calculation.left.is_mixed or (calculation.right is not None and calculation.right.is_mixed)
    return (mixed_text(value) if mixed_operands else None) or fraction_text(value)
