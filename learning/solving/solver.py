"""``solve``: recognise the calculation a student's message asks for and solve it exactly (pure).

Precision over recall: each recogniser matches one phrasing of one kind of question, and a question
with words left over that are not filler ("what is", "can you help me work out") is declined, so
"What does the numerator tell you in 3/4?" gets no answer rather than a wrong one.
"""
from __future__ import annotations

import re
from dataclasses import replace

from learning.solving.algebra import solve_derivative, solve_equation
from learning.solving.answer_form import honoured, rounded
from learning.solving.conversions import (solve_compare, solve_convert, solve_extreme, solve_order,
                                          solve_reciprocal, solve_simplify)
from learning.solving.divisibility import solve_gcd_lcm
from learning.solving.equivalent_fractions import solve_missing_number
from learning.solving.expression import NotACalculation, Operation, Root, Token, evaluate, leaves, parse, tokenize
from learning.solving.percentages import (solve_fraction_of_whole, solve_percent_change, solve_percentage_of,
                                          solve_whole_from_part)
from learning.solving.solution import Solution, numeric_solution
from learning.solving.units import UNIT_NAMES, solve_units
from learning.solving.word_problems import solve_parts_of_a_whole, solve_word_problem
from learning.solving.numbers import OutOfBounds, decimal_text, literal_value
from learning.solving.wording import (NUMBER, Instructions, inline_form, match_phrase, normalise, only_filler,
                                      strip_instructions, strip_rounding)
from learning.solving.working import calculation_steps, prefers_decimals, render

MAX_QUESTION_CHARS = 500
_MATH_KINDS = ("number", "operator", "open", "close", "root")
_RECOGNISERS = (solve_equation, solve_derivative, solve_gcd_lcm, solve_units, solve_convert, solve_simplify,
                solve_reciprocal, solve_compare, solve_extreme, solve_order, solve_percentage_of, solve_fraction_of_whole,
                solve_whole_from_part, solve_percent_change, solve_missing_number, solve_parts_of_a_whole,
                solve_word_problem)


def solve(question: str) -> Solution | None:
    """The exact solution of the calculation ``question`` asks for, or None when it asks for none (or
    one too large to be worth solving)."""
    if len(question) > MAX_QUESTION_CHARS or re.search(r"\d{13,}", question.replace(",", "")):
        return None
    text, places = strip_rounding(normalise(question))
    text, instructions = strip_instructions(text)
    try:
        for recognise in (*_RECOGNISERS, solve_arithmetic):
            if (solution := recognise(text)) is not None:
                solution = honoured(solution, instructions)
                return solution if places is None else rounded(solution, places)
        if places is not None and (number := _a_number_alone(text)) is not None:
            return rounded(honoured(number, instructions), places)
    except (NotACalculation, OutOfBounds, ZeroDivisionError):
        return None
    return None


def solve_arithmetic(text: str) -> Solution | None:
    """A calculation in symbols, with filler words around it: "what is 2 1/2 × 3/5?"."""
    tokens = tokenize(text)
    run = _calculation_run(tokens)
    if run is None:
        return None
    start, end = run
    after, unit = _unit_of_the_amount(tokens[start:end], text[tokens[end - 1].end:])
    around = inline_form(text[: tokens[start].start] + " " + after)
    if around is None or not only_filler(around[0].replace("=", " ")):
        return None
    form = around[1]
    node = parse(tokens[start:end])
    if not isinstance(node, (Operation, Root)):
        return None
    value = evaluate(node)
    decimal = prefers_decimals(node)
    kind = "root" if isinstance(node, Root) else "power" if node.operator == "^" else "arithmetic"
    solution = numeric_solution(kind, value, calculation_steps(node), render(node, decimal),
                                tuple(number.value for number in leaves(node)), decimal)
    if unit is not None:
        solution = replace(solution, final_answer=f"{render(node, decimal)} {unit} = {solution.result_text} {unit}.")
    return solution if form is None else honoured(solution, Instructions(form=form))


def _a_number_alone(text: str) -> Solution | None:
    """"2/3" in "round 2/3 to 2 decimal places": a number with nothing to calculate, to be rounded."""
    match = match_phrase(rf"(?<![\d/.])({NUMBER})(?![\d/.])", text)
    if match is None:
        return None
    literal = match.group(1)
    value = literal_value(literal)
    steps = [] if literal == decimal_text(value) else [f"{literal} = {decimal_text(value)}"]
    return numeric_solution("round", value, steps, "", (value,), decimal=True)


def _unit_of_the_amount(run: list[Token], after: str) -> tuple[str, str | None]:
    """A unit straight after a share of an amount ("2/5 of 35 kg") belongs to the amount and to the result;
    returns the text after the calculation without it, and the unit. Any other unit is left in, so "3 m + 20 cm"
    is declined."""
    match = re.match(rf"\s?({'|'.join(sorted(UNIT_NAMES, key=len, reverse=True))})(?![a-z])", after)
    shares_an_amount = len(run) >= 3 and run[-2].kind == "operator" and run[-2].text == "of"
    if match is None or not shares_an_amount or any(name in _words(after[match.end():]) for name in UNIT_NAMES):
        return after, None
    return after[match.end():], match.group(1)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text))


def _calculation_run(tokens: list[Token]) -> tuple[int, int] | None:
    """The one stretch of tokens that is a calculation (a leading "of", as in "the value of", dropped)."""
    runs, start = [], None
    for index, token in enumerate([*tokens, None]):
        inside = token is not None and token.kind in _MATH_KINDS
        if inside and start is None:
            start = index
        elif not inside and start is not None:
            runs.append((start, index))
            start = None
    runs = [(s, e) for s, e in runs if any(t.kind == "number" for t in tokens[s:e])]
    if len(runs) != 1:
        return None
    start, end = runs[0]
    while start < end and tokens[start].kind == "operator" and tokens[start].text == "of":
        start += 1
    return start, end
