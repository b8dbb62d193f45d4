"""Stating a solution in the form a question's instructions ask for: "give your answer as a decimal", "to 2
decimal places" (pure).

A form never changes the value, only how the result is written; the extra form joins the accepted forms and one
working step shows the conversion. Rounding does change it: the rounded number becomes the result, and a step
shows the exact value it came from. A request that does not fit the solution (a decimal for "which is
bigger", a whole number for 3/4, a percentage for "write 0.5 as a fraction") declines the question.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from learning.solving.numbers import (decimal_text, fraction_text, mixed_text, percent_forms, percent_step,
                                      percent_text, terminates)
from learning.solving.solution import Solution
from learning.solving.wording import Instructions

_FORM_NAMES = {"fraction": "fraction", "mixed": "mixed number", "decimal": "decimal", "percent": "percentage"}


def honoured(solution: Solution | None, instructions: Instructions) -> Solution | None:
    """``solution`` restated as ``instructions`` ask, or None when they ask for something it cannot give."""
    if solution is None:
        return None
    if instructions.result_only:
        solution = replace(solution, result_only=True)
    if instructions.size is not None and not _names_the(instructions.size, solution):
        return None
    if instructions.form is None:
        return solution
    if solution.value is None or solution.kind in ("compare", "order"):
        return None
    if instructions.form == "whole":
        return solution if solution.value.denominator == 1 else None
    return _restated(solution, instructions.form)


def _names_the(size: str, solution: Solution) -> bool:
    """Whether the comparison's answer is the ``size`` ("bigger" or "smaller") of its options."""
    if solution.kind != "compare":
        return False
    return solution.value == (max(solution.given) if size == "bigger" else min(solution.given))


def _restated(solution: Solution, form: str) -> Solution | None:
    value = solution.value
    shown = shown_in(value, form)
    bare_result = solution.result_text.removeprefix(f"{solution.variable} = ")
    if shown == bare_result:
        return solution
    if solution.kind == "convert":
        return None  # the question names one form and its instructions another
    result = f"{solution.variable} = {shown}" if solution.kind == "equation" else shown
    extra = (result, *percent_forms(value)) if form == "percent" else (result,)
    forms = tuple(dict.fromkeys((*extra, *solution.accepted_forms)))
    return replace(solution, result_text=result, accepted_forms=forms,
                   steps=(*solution.steps, *_form_steps(value, form, solution.steps)),
                   final_answer=f"{solution.final_answer} As a {_FORM_NAMES[form]}, that is {shown}.")


def shown_in(value: Fraction, form: str) -> str:
    """``value`` written as a fraction, mixed number, decimal or percentage (a whole number stays whole)."""
    if form == "mixed":
        return mixed_text(value) or fraction_text(value)
    if form == "decimal":
        return decimal_text(value)
    if form == "percent":
        return percent_text(value)
    return fraction_text(value)


def _form_steps(value: Fraction, form: str, steps: tuple[str, ...]) -> list[str]:
    fraction = fraction_text(value)
    if form == "fraction":
        return [f"{decimal_text(value)} = {fraction}"] if terminates(value) else []
    if form == "mixed":
        step = f"{fraction} = {mixed_text(value)}"
        return [] if step in steps else [step]
    about = "" if terminates(value) else "about "
    division = [f"{fraction} = {value.numerator} ÷ {value.denominator} = {about}{decimal_text(value)}"]
    if value.denominator == 1:
        division = []
    if form == "decimal":
        return division
    return division + [percent_step(value)]


def rounded(solution: Solution | None, places: int) -> Solution | None:
    """``solution`` with its number rounded to ``places`` decimal places (a percentage's own number, when the
    result is a percentage); None when it has no number to round."""
    if solution is None or solution.value is None or solution.kind in ("compare", "order", "equation", "simplify"):
        return None
    as_percent = solution.result_text.endswith("%")
    exact = solution.value * 100 if as_percent else solution.value
    number = Fraction(Decimal(exact.numerator / Decimal(exact.denominator)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
    shown = f"{_fixed_places(number, places)}{'%' if as_percent else ''}"
    value = number / 100 if as_percent else number
    exact_text = decimal_text(exact) if not exact.denominator == 1 else fraction_text(exact)
    places_text = "the nearest whole number" if places == 0 else f"{places} decimal place{'s' if places > 1 else ''}"
    step = f"{exact_text}{'%' if as_percent else ''} rounded to {places_text} is {shown}"
    forms = (shown, *((shown[:-1],) if as_percent else ()), *solution.accepted_forms)
    before = solution.final_answer.removesuffix(".") if solution.final_answer.endswith("....") else solution.final_answer
    final = f"{step}." if solution.kind == "round" else f"{before} Rounded to {places_text}, that is {shown}."
    return replace(solution, value=value, result_text=shown, accepted_forms=tuple(dict.fromkeys(forms)),
                   steps=(*solution.steps, step), final_answer=final[0].upper() + final[1:])


def _fixed_places(number: Fraction, places: int) -> str:
    return f"{Decimal(number.numerator) / Decimal(number.denominator):.{places}f}"
