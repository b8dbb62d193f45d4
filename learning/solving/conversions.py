"""Simplifying, converting between fractions, decimals and percentages, reciprocals, comparing and ordering
(pure)."""
from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction
from math import gcd, lcm

from learning.solving.numbers import (accepted_forms, decimal_text, fraction_text, literal_value, mixed_text,
                                      percent_forms, percent_step, percent_text, terminates)
from learning.solving.solution import Solution, numeric_solution
from learning.solving.wording import LOWEST_TERMS, NUMBER, match_phrase

_FRACTION = r"\d+/\d+"
_BIGGER = {"bigger", "larger", "greater", "more", "higher", "biggest", "largest", "greatest", "highest"}
_SMALLER = {"smaller", "less", "lesser", "lower", "smallest", "least", "lowest"}
_SIZE_WORD = "(" + "|".join(sorted(_BIGGER | _SMALLER, key=len, reverse=True)) + ")"
_OPTION_NOUN = r"(?:number|fraction|decimal|one|value)s?"
_TARGETS = {"fraction": "fraction", "improper fraction": "fraction", "mixed number": "mixed",
            "decimal": "decimal", "%": "percent"}
_TARGET_WORD = "(improper fraction|mixed number|fraction|decimal|%)"


def form_of(literal: str) -> str:
    if literal.endswith("%"):
        return "percent"
    if " " in literal:
        return "mixed"
    return "fraction" if "/" in literal else "decimal" if "." in literal else "integer"


def solve_simplify(text: str) -> Solution | None:
    """"simplify 18/24", "18/24 in simplest form", "reduce 18/24 to lowest terms"."""
    match = (match_phrase(rf"\b(?:simplify|reduce) ({_FRACTION})(?: fully| completely)?"
                          rf"(?: to (?:its )?(?:lowest terms|simplest form))?", text)
             or match_phrase(rf"\b({_FRACTION}) (?:(?:in|to) (?:its )?(?:lowest terms|simplest form)|"
                             rf"(?:fully )?simplified)", text,
                             frozenset({"write", "put", "reduce"})))
    if match is None:
        return None
    numerator, denominator = (int(part) for part in match.group(1).split("/"))
    if denominator == 0:
        return None
    steps = simplify_steps(numerator, denominator)
    return numeric_solution("simplify", Fraction(numerator, denominator), steps, match.group(1),
                            (Fraction(numerator, denominator),))


def simplify_steps(numerator: int, denominator: int) -> list[str]:
    divisor = gcd(numerator, denominator)
    if divisor == 1:
        return [f"The greatest common factor of {numerator} and {denominator} is 1, so "
                f"{numerator}/{denominator} is already in simplest form"]
    simplest = Fraction(numerator, denominator)
    return [f"Greatest common factor of {numerator} and {denominator}: {divisor}",
            f"{numerator} ÷ {divisor} = {simplest.numerator} and {denominator} ÷ {divisor} = {simplest.denominator}",
            f"{numerator}/{denominator} = {fraction_text(simplest)}"]


def solve_convert(text: str) -> Solution | None:
    """"write 0.375 as a fraction", "3/8 as a percent", "convert 19/12 to a mixed number"."""
    match = match_phrase(rf"(?<![\d/.])({NUMBER}) (?:as|to|into|in) (?:an? )?{_TARGET_WORD}(?: form)?(?!\w)"
                         rf"(?: {LOWEST_TERMS})?", text,
                         frozenset({"write", "convert", "change", "express", "turn", "written", "put"}))
    if match is None:
        return None
    literal, target = match.group(1), _TARGETS[match.group(2)]
    value = literal_value(literal)
    steps = _conversion_steps(literal, form_of(literal), value, target)
    if steps is None:
        return None
    if target == "percent":
        shown = percent_text(value)
        return Solution("convert", value, shown, percent_forms(value), tuple(steps), f"{literal} = {shown}.",
                        (value,))
    if target == "mixed":
        shown = mixed_text(value)
        return Solution("convert", value, shown, (shown, fraction_text(value)), tuple(steps),
                        f"{literal} = {shown}.", (value,))
    if target == "fraction":  # "5 3/8 as an improper fraction" ends at 43/8, not back at 5 3/8
        shown = fraction_text(value)
        return Solution("convert", value, shown, (shown, *_other_forms(value, shown)),
                        tuple(steps), f"{literal} = {shown}.", (value,))
    return numeric_solution("convert", value, steps, literal, (value,), decimal=target == "decimal")


def _other_forms(value: Fraction, shown: str) -> tuple[str, ...]:
    return tuple(form for form in accepted_forms(value) if form != shown)


def _conversion_steps(literal: str, form: str, value: Fraction, target: str) -> list[str] | None:
    """The working from ``literal`` to the ``target`` form; None when there is nothing to convert."""
    if form == target or form == "integer" and target in ("fraction", "mixed", "decimal"):
        if form != "fraction":
            return None
    steps = _to_fraction_steps(literal, form) if target in ("fraction", "mixed") or form == "mixed" else []
    if target == "mixed":
        if mixed_text(value) is None:
            return None
        whole, rest = divmod(value.numerator, value.denominator)
        return steps + [f"{value.numerator} ÷ {value.denominator} = {whole} remainder {rest}",
                        f"{fraction_text(value)} = {mixed_text(value)}"]
    if target == "decimal" and form == "percent":
        return [f"{literal} = {decimal_text(value * 100)} ÷ 100 = {decimal_text(value)}"]
    if target in ("decimal", "percent") and form in ("fraction", "mixed"):
        approx = "" if terminates(value) else "about "
        steps.append(f"{value.numerator} ÷ {value.denominator} = {approx}{decimal_text(value)}")
    if target == "percent":
        steps.append(percent_step(value))
    return steps


def _to_fraction_steps(literal: str, form: str) -> list[str]:
    if form == "decimal":
        digits = int(literal.replace(".", "").lstrip("-"))
        denominator = 10 ** len(literal.split(".")[1])
        return [f"{literal} = {digits}/{denominator}", *simplify_steps(digits, denominator)[:2]]
    if form == "percent":
        hundredths = literal[:-1]
        if "." in hundredths:
            return [f"{literal} = {hundredths}/100 = {fraction_text(literal_value(literal))}"]
        return [f"{literal} = {hundredths}/100", *simplify_steps(int(hundredths), 100)[:2]]
    if form == "mixed":
        whole, rest = literal.split(" ")
        numerator, denominator = rest.split("/")
        improper = fraction_text(literal_value(literal))
        return [f"{literal} = ({whole} × {denominator} + {numerator})/{denominator} = {improper}"]
    if form == "fraction":
        numerator, denominator = (int(part) for part in literal.split("/"))
        return simplify_steps(numerator, denominator)
    return []


def _comparison_steps(literals: list[str], values: list[Fraction]) -> list[str]:
    """Fractions over a common denominator when all are fractions, otherwise all as decimals; the equations are
    joined by ";", since "1 = 1 and 1/2 = 0.5" reads as one and a half."""
    if all(form_of(literal) == "fraction" for literal in literals):
        common = lcm(*(value.denominator for value in values))
        scaled = [f"{literal} = {value.numerator * (common // value.denominator)}/{common}"
                  for literal, value in zip(literals, values)]
        return [f"Common denominator of {' and '.join(str(v.denominator) for v in values)}: {common}",
                "; ".join(scaled)]
    return ["; ".join(f"{literal} = {decimal_text(value)}" for literal, value in zip(literals, values))]


def solve_compare(text: str) -> Solution | None:
    """"which is bigger, 3/5 or 5/8?"."""
    words = frozenset({"number", "fraction", "decimal"})
    match = match_phrase(rf"\bwhich (?:\w+ )?(?:is|one is) (?:the )?{_SIZE_WORD}(?: {_OPTION_NOUN})?[:,]? "
                         rf"({NUMBER}),? or ({NUMBER})", text, words)
    if match is None:
        match = match_phrase(rf"\bwhich (?:{_OPTION_NOUN} )?(?:of|out of) ({NUMBER}) (?:and|or) ({NUMBER}),? "
                             rf"(?:is|is the) {_SIZE_WORD}", text, words)
        if match is None:
            return None
        literals, size = [match.group(1), match.group(2)], match.group(3)
    else:
        literals, size = [match.group(2), match.group(3)], match.group(1)
    values = [literal_value(literal) for literal in literals]
    if values[0] == values[1]:
        return None
    bigger = size in _BIGGER
    chosen = max(range(2), key=lambda i: values[i] if bigger else -values[i])
    other = 1 - chosen
    relation = ">" if bigger else "<"
    steps = _comparison_steps(literals, values)
    steps.append(f"{literals[chosen]} {relation} {literals[other]}")
    word = "bigger" if bigger else "smaller"
    forms = tuple(dict.fromkeys((literals[chosen], fraction_text(values[chosen]), decimal_text(values[chosen]))))
    return Solution("compare", values[chosen], literals[chosen], forms, tuple(steps),
                    f"{literals[chosen]} is {word} than {literals[other]}.", tuple(values))


def solve_order(text: str) -> Solution | None:
    """"order 0.5, 2/5, 45% from smallest", "put 3/4, 2/3 and 5/6 in ascending order"."""
    numbers = rf"(?P<numbers>{NUMBER}(?:,? (?:and )?{NUMBER}){{1,9}})"
    direction = rf"(?:from (?:the )?(?P<size>{_SIZE_WORD})(?: to (?:the )?\w+)?|in (?P<way>ascending|descending) order)"
    verb = r"\b(?:order|arrange|sort|put|list|write) (?:these |the |the following )?(?:numbers |fractions |decimals )?"
    words = frozenset({"these", "numbers", "fractions", "decimals", "following"})
    match = (match_phrase(rf"{verb}{numbers},? (?:in order )?{direction}", text, words)
             or match_phrase(rf"{verb}(?:in order )?{direction}[:,]? {numbers}", text, words))
    options = _distinct_options(match)
    if options is None:
        return None
    literals, values = options
    descending = match.group("size") in _BIGGER if match.group("size") else match.group("way") == "descending"
    order = sorted(range(len(values)), key=lambda i: values[i], reverse=descending)
    relation = " > " if descending else " < "
    ordered_text = ", ".join(literals[i] for i in order)
    steps = _comparison_steps(literals, values) + [relation.join(literals[i] for i in order)]
    return Solution("order", None, ordered_text, (ordered_text,), tuple(steps),
                    f"In order: {ordered_text}.", tuple(values), ordered=tuple(values[i] for i in order))


def solve_reciprocal(text: str) -> Solution | None:
    """"what is the reciprocal of 3/7?", "reciprocal of 2 1/2"."""
    match = match_phrase(rf"\b(?:the )?(?:reciprocal|multiplicative inverse) of (?<![\d/.])({NUMBER})(?![\d/.%])", text)
    if match is None:
        return None
    literal = match.group(1)
    value = literal_value(literal)
    if value == 0:
        return None
    as_fraction = f"{value.numerator}/{value.denominator}"
    steps = [] if form_of(literal) == "fraction" else [f"{literal} = {as_fraction}"]
    steps.append(f"Swap the numerator and the denominator: the reciprocal of {as_fraction} is "
                 f"{fraction_text(1 / value)}")
    solution = numeric_solution("reciprocal", 1 / value, steps, "", (value,))
    return replace(solution, final_answer=f"The reciprocal of {literal} is {' = '.join(_shown(1 / value))}.")


def _shown(value: Fraction) -> list[str]:
    return [form for form in (fraction_text(value), mixed_text(value)) if form]


def solve_extreme(text: str) -> Solution | None:
    """"what's the largest out of 3/4, 0.7 and 72%?", "which is the smallest of 2/3, 0.6 and 65%?"."""
    numbers = rf"(?P<numbers>{NUMBER}(?:,? (?:and |or )?{NUMBER}){{1,9}})"
    match = match_phrase(rf"\b(?:which|what)(?:'s| is| one is)? (?:the )?(?P<size>{_SIZE_WORD})(?: {_OPTION_NOUN})?,?"
                         rf"(?: |(?=:))"
                         rf"(?:(?:out of|of|among|from)(?: these| the numbers| the fractions)?:?|:) {numbers}", text,
                         frozenset({"number", "fraction", "decimal", "these", "numbers", "fractions"}))
    options = _distinct_options(match)
    if options is None:
        return None
    literals, values = options
    bigger = match.group("size") in _BIGGER
    order = sorted(range(len(values)), key=lambda i: values[i])
    chosen = order[-1] if bigger else order[0]
    word = "largest" if bigger else "smallest"
    steps = [*_comparison_steps(literals, values), " < ".join(literals[i] for i in order)]
    forms = tuple(dict.fromkeys((literals[chosen], fraction_text(values[chosen]), decimal_text(values[chosen]))))
    return Solution("compare", values[chosen], literals[chosen], forms, tuple(steps),
                    f"The {word} is {literals[chosen]}.", tuple(values))


def _distinct_options(match: re.Match | None) -> tuple[list[str], list[Fraction]] | None:
    """The numbers of a match's "numbers" group, as written and as values; None without a match, or when two
    are equal (no order between them)."""
    if match is None:
        return None
    literals = re.findall(rf"(?<![\d/.]){NUMBER}(?![\d/.])", match.group("numbers"))
    values = [literal_value(literal) for literal in literals]
    return None if len(set(values)) != len(values) else (literals, values)
