"""``solve``: recognise the calculation a student's message asks for and solve it exactly (pure).

Precision over recall: each recogniser matches one phrasing of one kind of question, and a question
with words left over that are not filler ("what is", "can you help me work out") is declined, so
"What does the numerator tell you in 3/4?" gets no answer rather than a wrong one.
"""
from __future__ import annotations

import re

from learning.solving.algebra import solve_derivative, solve_equation
from learning.solving.answer_form import honoured
from learning.solving.conversions import solve_compare, solve_convert, solve_order, solve_simplify
from learning.solving.divisibility import solve_gcd_lcm
from learning.solving.equivalent_fractions import solve_missing_number
from learning.solving.expression import NotACalculation, Operation, Root, Token, evaluate, leaves, parse, tokenize
from learning.solving.numbers import OutOfBounds
from learning.solving.percentages import solve_percent_change, solve_percentage_of
from learning.solving.solution import Solution, numeric_solution
from learning.solving.units import solve_units
from learning.solving.word_problems import solve_parts_of_a_whole, solve_word_problem
from learning.solving.wording import normalise, only_filler, strip_instructions
from learning.solving.working import calculation_steps, prefers_decimals, render

MAX_QUESTION_CHARS = 500
_MATH_KINDS = ("number", "operator", "open", "close", "root")
_RECOGNISERS = (solve_equation, solve_derivative, solve_gcd_lcm, solve_units, solve_convert, solve_simplify,
                solve_compare, solve_order, solve_percentage_of, solve_percent_change, solve_missing_number,
                solve_parts_of_a_whole, solve_word_problem)


def solve(question: str) -> Solution | None:
    """The exact solution of the calculation ``question`` asks for, or None when it asks for none (or
    one too large to be worth solving)."""
    if len(question) > MAX_QUESTION_CHARS or re.search(r"\d{13,}", question.replace(",", "")):
        return None
    text, instructions = strip_instructions(normalise(question))
    try:
        for recognise in (*_RECOGNISERS, solve_arithmetic):
            if (solution := recognise(text)) is not None:
                return honoured(solution, instructions)
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
    leftover = text[: tokens[start].start] + " " + text[tokens[end - 1].end:]
    if not only_filler(leftover.replace("=", " ")):
        return None
    node = parse(tokens[start:end])
    if not isinstance(node, (Operation, Root)):
        return None
    value = evaluate(node)
    decimal = prefers_decimals(node)
    kind = "root" if isinstance(node, Root) else "power" if node.operator == "^" else "arithmetic"
    return numeric_solution(kind, value, calculation_steps(node), render(node, decimal),
                            tuple(number.value for number in leaves(node)), decimal)


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
