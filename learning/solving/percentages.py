"""One amount as a share of another: "what percentage is 18 out of 24?", "what fraction of an hour is 45
minutes?"; the whole from a share of it: "2/3 of a number is 18"; and changing an amount by a percentage:
"increase 250 by 12%", "what is 250 reduced by 12%?" (pure)."""
from __future__ import annotations

import re
from dataclasses import replace

from learning.solving.conversions import simplify_steps
from learning.solving.expression import evaluate, parse, tokenize
from learning.solving.numbers import (accepted_forms, decimal_text, fraction_text, literal_value, number_text,
                                      percent_forms, percent_step, percent_text, terminates)
from learning.solving.solution import Solution, numeric_solution
from learning.solving.units import UNIT_NAMES, unit_ratio
from learning.solving.wording import MONEY, NUMBER, match_phrase
from learning.solving.working import calculation_steps, prefers_decimals

_AMOUNT = r"(\d+(?:\.\d+)?)(?![\d/%]|\.\d)"
_SHARE = r"\d+/\d+|\d+(?:\.\d+)?%"
_PERCENT_WORDS = frozenset({"write", "convert", "express", "change", "written"})
_UNIT = "(?: ?(" + "|".join(sorted(UNIT_NAMES, key=len, reverse=True)) + r")(?![a-z]))?"


def _share_patterns(name: str, part: str, whole: str) -> list[tuple[str, bool]]:
    """"what % is 18 out of 24", "18 of 24 as a %", "18 as a % of 24", "what % of 24 is 18" (``name`` being
    "%" or "fraction"), each with whether the part comes first."""
    return [(rf"\bwhat {name} (?:is|are) {part} (?:out )?of {whole}", True),
            (rf"\b{part} (?:out of|of) {whole} (?:as|to|into|in) (?:an? )?{name}", True),
            (rf"\b{part} (?:as|to|into) (?:an? )?{name} of {whole}", True),
            (rf"\bwhat {name} of {whole} (?:is|are) {part}", False)]


_PART_OF_WHOLE = _share_patterns("%", _AMOUNT, _AMOUNT)
_FRACTION_OF_WHOLE = _share_patterns("fraction", rf"{_AMOUNT}{_UNIT}", rf"(?:{_AMOUNT}|an?|one){_UNIT}")
_WHOLE_FROM_PART = [  # (pattern, index of the share, index of the part)
    (rf"\b(?:if )?({_SHARE}) of (?:a|the|some|an unknown) number (?:is|equals|=) {_AMOUNT}(?: ?[,.]? (?:so |then )?"
     rf"what is the number| ?[,.]? ?what is it| ?[,.]? ?find the number)?", 1, 2),
    (rf"\b({_SHARE}) of what(?: number)? (?:is|equals|=) {_AMOUNT}", 1, 2),
    (rf"\b{_AMOUNT} is ({_SHARE}) of what(?: number)?", 2, 1),
]
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


def solve_fraction_of_whole(text: str) -> Solution | None:
    """"what fraction of 60 is 45", "45 as a fraction of 60", "express 45 minutes as a fraction of an hour"."""
    for pattern, part_first in _FRACTION_OF_WHOLE:
        if (match := match_phrase(pattern, text, _PERCENT_WORDS)) is None:
            continue
        (part, part_unit), (whole, whole_unit) = (match.groups()[:2], match.groups()[2:]) if part_first else (
            match.groups()[2:], match.groups()[:2])
        return _fraction_of(part, part_unit, whole or "1", whole_unit)
    return None


def _fraction_of(part_text: str, part_unit: str | None, whole_text: str, whole_unit: str | None) -> Solution | None:
    part, whole = literal_value(part_text), literal_value(whole_text)
    steps = []
    if (part_unit is None) != (whole_unit is None):
        return None
    if part_unit is not None and part_unit != whole_unit:
        ratio = unit_ratio(whole_unit, part_unit)
        if ratio is None:
            return None
        steps.append(f"Both in {part_unit}: {whole_text} {whole_unit} = {number_text(whole * ratio, True)} {part_unit}")
        whole = whole * ratio
    if whole == 0 or part.denominator != 1 or whole.denominator != 1:
        return None
    share = part / whole
    steps += [f"{part_text} out of {fraction_text(whole)} as a fraction: {part_text}/{fraction_text(whole)}",
              *simplify_steps(int(part), int(whole))[-1:]]
    return Solution("fraction_of", share, fraction_text(share), accepted_forms(share), tuple(steps),
                    f"{part_text} out of {fraction_text(whole)} is {fraction_text(share)}.", (part, whole))


def solve_whole_from_part(text: str) -> Solution | None:
    """"if 2/3 of a number is 18, what is the number?", "25% of what is 16?", "18 is 2/3 of what number?"."""
    for pattern, share_group, part_group in _WHOLE_FROM_PART:
        if (match := match_phrase(pattern, text, frozenset({"number"}))) is None:
            continue
        share_text, part_text = match.group(share_group), match.group(part_group)
        share, part = literal_value(share_text), literal_value(part_text)
        if share <= 0:
            return None
        whole = part / share
        decimal = "." in part_text
        share_as_fraction = fraction_text(share)
        steps = [f"{share_text} of the number is {part_text}"]
        if share_text.endswith("%"):
            steps.append(f"{share_text} = {share_text[:-1]}/100 = {share_as_fraction}")
        steps += [f"So the number is {part_text} ÷ {share_as_fraction}",
                  f"{part_text} ÷ {share_as_fraction} = {part_text} × {fraction_text(1 / share)} = "
                  f"{number_text(whole, decimal)}"]
        solution = numeric_solution("whole_from_part", whole, steps, "", (share, part), decimal)
        return replace(solution, final_answer=f"The number is {solution.result_text}: {share_text} of "
                                              f"{solution.result_text} is {part_text}.")
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
