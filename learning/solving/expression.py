"""Exact arithmetic on text: a tokenizer that keeps character offsets, and a small recursive-descent
parser over fractions, mixed numbers, decimals, percentages, + - × ÷ "of", powers and roots (pure).

Both sides use it: the solver parses a question's calculation, and the checker parses each equation a
tutor states, so a claim is judged by the same arithmetic that produced the answer. Nothing is
evaluated with ``eval``; every literal, exponent and intermediate value is bounded.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Union

from learning.solving.numbers import MAX_DIGITS, OutOfBounds, bounded, literal_value

MAX_EXPONENT = 1000
MAX_POWER_BITS = 1400  # about 420 digits: 2^1000 fits, 999999^1000 does not
MAX_OPERATIONS = 24

VULGAR = {"½": "1/2", "⅓": "1/3", "⅔": "2/3", "¼": "1/4", "¾": "3/4", "⅕": "1/5", "⅖": "2/5", "⅗": "3/5",
          "⅘": "4/5", "⅙": "1/6", "⅚": "5/6", "⅛": "1/8", "⅜": "3/8", "⅝": "5/8", "⅞": "7/8"}
_VULGAR_CLASS = "[" + "".join(VULGAR) + "]"
_OPERATOR_SYMBOLS = {"+": "+", "-": "-", "−": "-", "×": "×", "*": "×", "·": "×", "⋅": "×", "\\times": "×",
                     "\\cdot": "×", "÷": "÷", "\\div": "÷", "/": "÷", "∕": "÷", "^": "^", "**": "^"}
_ROOTS = {"√": 2, "∛": 3, "∜": 4, "\\sqrt": 2}

_INTEGER = r"\d{1,3}(?:,\d{3})+(?!\d)|\d+"
_PERCENT = r"(?:\s?%|\s?\\%|\s+per\s?cent\b)"
_TOKEN = re.compile(
    "|".join([
        rf"(?P<latex_mixed>(?<![\d.])\d+\s*\\[dt]?frac\s*\{{\s*\d+\s*\}}\s*\{{\s*\d+\s*\}})",
        rf"(?P<latex>\\[dt]?frac\s*\{{\s*\d+\s*\}}\s*\{{\s*\d+\s*\}})",
        rf"(?P<vulgar_mixed>(?<![\d.])\d+\s?{_VULGAR_CLASS})",
        rf"(?P<vulgar>{_VULGAR_CLASS})",
        rf"(?P<mixed>(?<![\d./,])\d+[ \t]+\d+\s*[/⁄]\s*\d+(?!\d|\.\d|\s*[/⁄]))",
        rf"(?P<fraction>(?<![\d.])\d+\s*[/⁄]\s*\d+(?!\d|\.\d|\s*[/⁄]\s*\d))",
        rf"(?P<decimal>(?<![\d.])(?:(?:{_INTEGER})\.\d+|\.\d+|{_INTEGER})(?![\d]|\.\d)(?:(?:\.\.\.|…)?{_PERCENT})?)",
        r"(?P<root>√|∛|∜|\\sqrt\b)",
        r"(?P<equals>=|≈|\\approx\b)",
        r"(?P<operator>\*\*|\\times\b|\\cdot\b|\\div\b|[+\-−×*·⋅÷/∕^])",
        r"(?P<open>[({]|\\left\(|\\\()",
        r"(?P<close>[)}]|\\right\)|\\\))",
        r"(?P<word>[A-Za-z]+(?:'[a-z]+)?)",
        r"(?P<other>\S)",
    ])
)


@dataclass(frozen=True)
class Token:
    kind: str  # number, operator, equals, open, close, root, word, other
    text: str
    start: int
    end: int
    value: Fraction | None = None
    form: str = ""  # for numbers: integer, decimal, fraction, mixed, percent


@dataclass(frozen=True)
class Number:
    value: Fraction
    form: str
    text: str


@dataclass(frozen=True)
class Operation:
    operator: str  # "+", "-", "×", "÷", "of", "^"
    left: "Node"
    right: "Node"


@dataclass(frozen=True)
class Negation:
    operand: "Node"


@dataclass(frozen=True)
class Root:
    degree: int
    operand: "Node"


Node = Union[Number, Operation, Negation, Root]


class NotACalculation(ValueError):
    """The tokens are not one well-formed calculation the parser understands."""


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` with their offsets; numbers carry their exact value and written form."""
    tokens = [_token(match) for match in _TOKEN.finditer(text)]
    return _times_from_letter_x(tokens)


def _token(match: re.Match) -> Token:
    kind, text = match.lastgroup, match.group()
    start, end = match.span()
    if kind in ("latex_mixed", "latex", "vulgar_mixed", "vulgar", "mixed", "fraction", "decimal"):
        literal, form = _literal(kind, text)
        if any(len(digits) > MAX_DIGITS for digits in re.findall(r"\d+", literal.replace(",", ""))):
            return Token("number", text, start, end, None, "too_long")
        try:
            value = literal_value(literal)
        except ZeroDivisionError:
            return Token("other", text, start, end)
        return Token("number", text, start, end, value, form)
    if kind == "operator":
        return Token("operator", _OPERATOR_SYMBOLS[text], start, end)
    if kind == "root":
        return Token("root", text, start, end, Fraction(_ROOTS[text]))
    if kind == "equals":
        return Token("equals", "≈" if text != "=" else "=", start, end)
    if kind == "word" and text.lower() == "of":
        return Token("operator", "of", start, end)
    return Token(kind if kind in ("open", "close", "word") else "other", text, start, end)


def _literal(kind: str, text: str) -> tuple[str, str]:
    """The plain literal ("2 1/2") and form of a matched number."""
    if kind in ("latex_mixed", "latex"):
        digits = re.findall(r"\d+", text)
        return (" ".join(digits[:-2]) + " " if kind == "latex_mixed" else "") + "/".join(digits[-2:]), (
            "mixed" if kind == "latex_mixed" else "fraction")
    if kind in ("vulgar_mixed", "vulgar"):
        whole = text[:-1].strip()
        return (whole + " " if whole else "") + VULGAR[text[-1]], "mixed" if whole else "fraction"
    plain = text.replace("⁄", "/")
    if kind == "mixed":
        whole, rest = plain.split(None, 1)
        return f"{whole} {rest.replace(' ', '')}", "mixed"
    if kind == "fraction":
        return plain.replace(" ", ""), "fraction"
    if re.search(_PERCENT + "$", plain):
        number = re.match(r"[\d,]*(?:\.\d+)?", plain).group()  # "66.667...%" is 66.667%, marked as recurring
        return number + "%", "percent"
    return plain, "decimal" if "." in plain else "integer"


def _times_from_letter_x(tokens: list[Token]) -> list[Token]:
    """"3 x 4" is a multiplication, while "3x" stays a variable for the algebra parser."""
    result = list(tokens)
    for index in range(1, len(tokens) - 1):
        before, token, after = tokens[index - 1], tokens[index], tokens[index + 1]
        if (token.kind == "word" and token.text in ("x", "X") and before.kind in ("number", "close")
                and after.kind in ("number", "open") and before.end < token.start and token.end < after.start):
            result[index] = Token("operator", "×", token.start, token.end)
    return result


def parse(tokens: list[Token]) -> Node:
    """The calculation the tokens spell, or NotACalculation when they spell anything else."""
    if sum(token.kind == "operator" for token in tokens) > MAX_OPERATIONS:
        raise NotACalculation("too many operations")
    parser = _Parser(tokens)
    node = parser.expression()
    if parser.position != len(tokens):
        raise NotACalculation("tokens left over")
    return node


class _Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.position = 0
        self.depth = 0

    def _peek(self) -> Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take_operator(self, operators: tuple[str, ...]) -> str | None:
        token = self._peek()
        if token is not None and token.kind == "operator" and token.text in operators:
            self.position += 1
            return token.text
        return None

    def expression(self) -> Node:
        node = self.term()
        while operator := self._take_operator(("+", "-")):
            node = Operation(operator, node, self.term())
        return node

    def term(self) -> Node:
        node = self.factor()
        while operator := self._take_operator(("×", "÷")):
            node = Operation(operator, node, self.factor())
        return node

    def factor(self) -> Node:
        node = self.unary()
        if self._take_operator(("of",)):
            node = Operation("of", node, self.factor())
        return node

    def unary(self) -> Node:
        if self._take_operator(("-",)):
            return Negation(self.unary())
        self._take_operator(("+",))
        return self.power()

    def power(self) -> Node:
        base = self.primary()
        if self._take_operator(("^",)):
            return Operation("^", base, self.unary())
        return base

    def primary(self) -> Node:
        token = self._peek()
        if token is None:
            raise NotACalculation("the calculation ends early")
        self.position += 1
        if token.kind == "number" and token.value is not None:
            return Number(token.value, token.form, token.text)
        if token.kind == "root":
            return Root(int(token.value), self.power())
        if token.kind == "open":
            self.depth += 1
            if self.depth > 20:
                raise NotACalculation("brackets nested too deep")
            node = self.expression()
            closing = self._peek()
            if closing is None or closing.kind != "close":
                raise NotACalculation("a bracket is not closed")
            self.position += 1
            self.depth -= 1
            return node
        raise NotACalculation(f"unexpected {token.text!r}")


def evaluate(node: Node) -> Fraction:
    """The exact value; NotACalculation for division by zero or an irrational root, OutOfBounds when too big."""
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Negation):
        return -evaluate(node.operand)
    if isinstance(node, Root):
        return exact_root(evaluate(node.operand), node.degree)
    return apply(node.operator, evaluate(node.left), evaluate(node.right))


def apply(operator: str, left: Fraction, right: Fraction) -> Fraction:
    if operator == "+":
        return bounded(left + right)
    if operator == "-":
        return bounded(left - right)
    if operator in ("×", "of"):
        return bounded(left * right)
    if operator == "÷":
        if right == 0:
            raise NotACalculation("division by zero")
        return bounded(left / right)
    return power(left, right)


def power(base: Fraction, exponent: Fraction) -> Fraction:
    if exponent.denominator != 1:
        raise NotACalculation("only whole-number exponents are exact")
    if abs(exponent) > MAX_EXPONENT:
        raise OutOfBounds("exponent too large")
    size = max(abs(base.numerator).bit_length(), base.denominator.bit_length())
    if size * abs(exponent.numerator) > MAX_POWER_BITS:
        raise OutOfBounds("power too large")
    if base == 0 and exponent < 0:
        raise NotACalculation("division by zero")
    return base ** int(exponent)


def exact_root(value: Fraction, degree: int) -> Fraction:
    """The rational ``degree``-th root of ``value``; NotACalculation when it is irrational or not real."""
    if value < 0 and degree % 2 == 0:
        raise NotACalculation("no real even root of a negative number")
    sign = -1 if value < 0 else 1
    numerator, denominator = (_integer_root(part, degree) for part in (abs(value.numerator), value.denominator))
    if numerator is None or denominator is None:
        raise NotACalculation("the root is not a fraction")
    return sign * Fraction(numerator, denominator)


def _integer_root(number: int, degree: int) -> int | None:
    guess = round(number ** (1 / degree)) if number.bit_length() < 1000 else None
    if guess is None:
        return None
    for candidate in (guess - 1, guess, guess + 1):
        if candidate >= 0 and candidate**degree == number:
            return candidate
    return None


def leaves(node: Node) -> list[Number]:
    """The numbers the calculation states, left to right."""
    if isinstance(node, Number):
        return [node]
    if isinstance(node, (Negation, Root)):
        return leaves(node.operand)
    return leaves(node.left) + leaves(node.right)
