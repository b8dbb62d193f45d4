"""Checking a tutor's arithmetic in code: when a question is a plain calculation ("What is 2/3 + 1/6?",
"3/4 of 20", "Multiply 5/6 by 9/10"), its value is computed exactly and compared with the answer's final
number (pure). Cheap, and a small model's arithmetic is where it is most often wrong."""
from __future__ import annotations

import re
from fractions import Fraction

from annotation.router.qa import numbers_in

_NUMBER = r"(\d+\s+\d+/\d+|\d+/\d+|\d+(?:\.\d+)?%?)"
_OPERATORS = {"+": "+", "plus": "+", "add": "+", "-": "-", "−": "-", "minus": "-", "take away": "-",
              "×": "*", "x": "*", "*": "*", "times": "*", "multiplied by": "*", "of": "*",
              "÷": "/", "/": "/", "divided by": "/"}
_BINARY = re.compile(
    rf"{_NUMBER}\s*(\+|plus|-|−|minus|take away|×|\*|times|multiplied by|of|÷|divided by)\s*{_NUMBER}(?=\s*(?:[?.!,]|$|and|give|in\b|as\b))",
    re.IGNORECASE,
)
_MULTIPLY = re.compile(rf"multiply\s+{_NUMBER}\s+by\s+{_NUMBER}", re.IGNORECASE)
_DIVIDE = re.compile(rf"divide\s+{_NUMBER}\s+by\s+{_NUMBER}", re.IGNORECASE)


def question_value(question: str) -> Fraction | None:
    """The exact value of the calculation the question asks for, or None when it is not a plain one."""
    text = question.replace("−", "-")
    for pattern, operator in ((_MULTIPLY, "*"), (_DIVIDE, "/")):
        if match := pattern.search(text):
            return _apply(match.group(1), operator, match.group(2))
    matches = list(_BINARY.finditer(text))
    if len(matches) != 1:
        return None  # none, or a chain this checker does not follow
    match = matches[0]
    before = text[: match.start()].rstrip().lower()
    if before.endswith(tuple(_OPERATORS)):
        return None  # the end of a chain ("3/4 of 2/3 of 36"): only its last step matched
    return _apply(match.group(1), _OPERATORS[match.group(2).lower()], match.group(3))


def _apply(left: str, operator: str, right: str) -> Fraction | None:
    a, b = _value(left), _value(right)
    if a is None or b is None:
        return None
    if operator == "+":
        return a + b
    if operator == "-":
        return a - b
    if operator == "*":
        return a * b
    return a / b if b else None


def _value(text: str) -> Fraction | None:
    values = numbers_in(text)
    return values[0] if len(values) == 1 else None


def arithmetic_agreement(question: str, answer: str) -> float:
    """+1 when the answer's last new number is the question's value, -1 when it is another number or none,
    0 when the question is not a plain calculation."""
    value = question_value(question)
    if value is None:
        return 0.0
    stated = set(numbers_in(question))
    new_numbers = [n for n in numbers_in(answer) if n not in stated]
    return 1.0 if new_numbers and new_numbers[-1] == value else -1.0
