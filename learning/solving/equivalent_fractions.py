"""The missing number in two equivalent fractions: "4/11 = ?/55", "fill in the blank: 3/4 = 12/?" (pure).

The missing number must be a whole number (else the question has no answer a student could write in the
box), and the working scales the complete fraction's top and bottom by the same factor.
"""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from learning.solving.numbers import fraction_text
from learning.solving.solution import Solution, numeric_solution
from learning.solving.wording import match_phrase

_BLANK = r"(?:\?|_+|□|\[ ?\]|\.\.\.|…|n|x)"
_PART = rf"(\d+|{_BLANK})"
_INSTRUCTION_WORDS = frozenset({"fill", "in", "the", "blank", "gap", "box", "missing", "number", "numerator",
                                "denominator", "goes", "find", "complete", "equivalent", "fractions", "fraction",
                                "write", "which", "should", "go"})


def solve_missing_number(text: str) -> Solution | None:
    """"4/11 = ?/55": ? = 4 × 5 = 20, as 55 = 11 × 5."""
    match = match_phrase(rf"(?<![\d/.]){_PART} ?/ ?{_PART} ?= ?{_PART} ?/ ?{_PART}(?![\d/]|\.\d)", text,
                         _INSTRUCTION_WORDS)
    if match is None:
        return None
    parts = list(match.groups())
    blanks = [index for index, part in enumerate(parts) if not part.isdigit()]
    if len(blanks) != 1:
        return None
    blank = blanks[0]
    complete = 2 if blank < 2 else 0  # where the fraction with no blank starts
    top, bottom = int(parts[complete]), int(parts[complete + 1])
    other = int(parts[blank ^ 1])  # the number sharing the blank's fraction
    if top == 0 or bottom == 0 or other == 0:
        return None
    factor = Fraction(other, bottom if blank % 2 == 0 else top)
    missing = (top if blank % 2 == 0 else bottom) * factor
    if missing.denominator != 1:
        return None
    return _solution(top, bottom, factor, int(missing), blank % 2 == 0)


def _solution(top: int, bottom: int, factor: Fraction, missing: int, numerator_missing: bool) -> Solution:
    known, given = (bottom, top) if numerator_missing else (top, bottom)
    scaled = known * factor
    where, other = ("bottom", "top") if numerator_missing else ("top", "bottom")
    if factor.denominator == 1:
        steps = [f"{known} × {factor} = {scaled}, so the {where} was multiplied by {factor}",
                 f"Multiply the {other} by {factor} too: {given} × {factor} = {missing}"]
    else:
        divisor = fraction_text(1 / factor)
        steps = [f"{known} ÷ {divisor} = {scaled}, so the {where} was divided by {divisor}",
                 f"Divide the {other} by {divisor} too: {given} ÷ {divisor} = {missing}"]
    completed = f"{missing}/{scaled}" if numerator_missing else f"{scaled}/{missing}"
    steps.append(f"{top}/{bottom} = {completed}")
    value = Fraction(top, bottom)
    solution = numeric_solution("missing_number", Fraction(missing), steps, "", (value, Fraction(scaled)))
    return replace(solution, final_answer=f"The missing number is {missing}: {top}/{bottom} = {completed}.")
