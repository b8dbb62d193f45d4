"""Percentages of a whole: "what percentage is 18 out of 24?", and changing an amount by a percentage:
"increase 250 by 12%", "what is 250 reduced by 12%?" (pure)."""
from __future__ import annotations

import re
from dataclasses import replace

from learning.solving.conversions import simplify_steps
from learning.solving.expression import evaluate, parse, tokenize
from learning.solving.numbers import (decimal_text, fraction_text, literal_value, number_text, percent_forms,
                                      percent_step, percent_text, terminates)
from learning.solving.solution import Solution, numeric_solution
from learning.solving.wording import MONEY, NUMBER, match_phrase
from learning.solving.working import calculation_steps, prefers_decimals

_AMOUNT = r"(\d+(?:\.\d+)?)(?![\d/%]|\.\d)"
_PART_OF_WHOLE = [  # (pattern, whether the part comes first)
    (rf"\bwhat % (?:is|are) {_AMOUNT} (?:out )?of {_AMOUNT}", True),
    (rf"\b{_AMOUNT} (?:out of|of) {_AMOUNT} (?:as|to|into|in) (?:an? )?%", True),
    (rf"\b{_AMOUNT} (?:as|to|into) (?:an? )?% of {_AMOUNT}", True),
    (rf"\bwhat % of {_AMOUNT} (?:is|are) {_AMOUNT}", False),
]
_PERCENT_WORDS = frozenset({"write", "convert", "express", "change", "written"})
_INCREASE = {"increase": "+", "increased": "+", "raise": "+", "raised": "+", "decrease": "-", "decreased": "-",
             "reduce": "-", "reduced": "-", "lower": "-", "lowered": "-"}
_CHANGE_VERB = "(" + "|".join(_INCREASE) + ")"
_CHANGE = r"\d+(?:\.\d+)?%|\d+/\d+"  # a percentage or a fraction of the amount, never a plain number
_CHANGE_PATTERNS = [
    (rf"\b{_CHANGE_VERB} {MONEY}?{_AMOUNT} by ({NUMBER})", (1, 2, 3)),
    (rf"(?<![\d/.]){_AMOUNT} (?:is |was )?{_CHANGE_VERB} by ({NUMBER})", (2, 1, 3)),
]


def solve_percentage_of(text: str) -> Solution | None:
    """"what % is 18 out of 24", "18 as a % of 24", "what % of 24 is 18": the part as a percentage."""
    for pattern, part_first in _PART_OF_WHOLE:
        if (match := match_phrase(pattern, text, _PERCENT_WORDS)) is not None:
            part, whole = match.groups() if part_first else match.groups()[::-1]
            return _percentage(part, whole)
    return None


def _percentage(part_text: str, whole_text: str) -> Solution | None:
    part, whole = literal_value(part_text), literal_value(whole_text)
    if whole == 0:
        return None
    ratio = part / whole
    if part.denominator == whole.denominator == 1:
        steps = [f"{part_text} out of {whole_text} as a fraction: {part_text}/{whole_text}",
                 *simplify_steps(int(part), int(whole))[-1:]]
        if ratio.denominator != 1:
            approx = "" if terminates(ratio) else "about "
            steps.append(f"{fraction_text(ratio)} = {ratio.numerator} ÷ {ratio.denominator} = {approx}"
                         f"{decimal_text(ratio)}")
    else:
        steps = [f"{part_text} ÷ {whole_text} = {decimal_text(ratio)}"]
    shown = percent_text(ratio)
    steps.append(percent_step(ratio))
    return Solution("percentage", ratio, shown, percent_forms(ratio), tuple(steps),
                    f"{part_text} out of {whole_text} is {shown}.", (part, whole))


def solve_percent_change(text: str) -> Solution | None:
    """"increase 250 by 12%", "what is 250 reduced by 12%?", "decrease 60 by 1/3"."""
    for pattern, (verb_group, amount_group, change_group) in _CHANGE_PATTERNS:
        match = match_phrase(pattern, text)
        if match is not None:
            return changed_amount(match.group(amount_group), _INCREASE[match.group(verb_group)],
                                  match.group(change_group))
    return None


def changed_amount(amount: str, sign: str, change: str, setup: tuple[str, ...] = ()) -> Solution | None:
    """``amount`` increased (``sign`` "+") or decreased ("-") by ``change``, a percentage or proper fraction
    of it; None for a plain number ("increase 250 by 12" is not a percentage change)."""
    if not re.fullmatch(_CHANGE, change):
        return None
    rate = literal_value(change)
    if rate <= 0 or sign == "-" and rate > 1:
        return None
    part_node = parse(tokenize(f"{change} of {amount}"))
    part = evaluate(part_node)
    total = literal_value(amount) + (part if sign == "+" else -part)
    decimal = prefers_decimals(part_node) or "." in amount
    verb = "Increasing" if sign == "+" else "Decreasing"
    steps = [*setup, f"{verb} by {change} {'adds' if sign == '+' else 'takes away'} {change} of {amount}",
             *calculation_steps(part_node),
             f"{amount} {sign} {number_text(part, decimal)} = {number_text(total, decimal)}"]
    solution = numeric_solution("percentage", total, steps, "", (literal_value(amount), rate), decimal)
    changed = "increased" if sign == "+" else "decreased"
    return replace(solution, final_answer=f"{amount} {changed} by {change} is {solution.result_text}.")
