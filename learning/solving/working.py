"""Worked steps for a calculation, in the words a school course uses (pure).

Each operation of the parsed calculation becomes one to three short lines ("Common denominator of 4
and 6: 12", "3/4 = 9/12 and 5/6 = 10/12", "9/12 + 10/12 = 19/12"), innermost first, so a small model
can copy verified working instead of inventing its own.
"""
from __future__ import annotations

from fractions import Fraction
from math import gcd, lcm

from learning.solving.expression import Negation, Node, Number, Operation, Root, evaluate, leaves
from learning.solving.numbers import fraction_text, mixed_text, number_text

_ROOT_SIGNS = {2: "√", 3: "∛", 4: "∜"}
_PRECEDENCE = {"+": 1, "-": 1, "×": 2, "÷": 2, "of": 3, "^": 4}


def render(node: Node, prefer_decimal: bool = False) -> str:
    """The calculation written out again, normalised ("2 1/2 × 3/5")."""
    if isinstance(node, Number):
        return _literal_text(node)
    if isinstance(node, Negation):
        return "-" + _wrapped(node.operand, 3, prefer_decimal)
    if isinstance(node, Root):
        return _ROOT_SIGNS.get(node.degree, f"{node.degree}th root of ") + _wrapped(node.operand, 4, prefer_decimal)
    precedence = _PRECEDENCE[node.operator]
    left = _wrapped(node.left, precedence, prefer_decimal)
    right = _wrapped(node.right, precedence + (node.operator != "^"), prefer_decimal)
    return f"{left}^{right}" if node.operator == "^" else f"{left} {node.operator} {right}"


def _wrapped(node: Node, precedence: int, prefer_decimal: bool) -> str:
    text = render(node, prefer_decimal)
    needs_brackets = isinstance(node, Operation) and _PRECEDENCE[node.operator] < precedence
    needs_brackets |= isinstance(node, Number) and node.form in ("fraction", "mixed") and precedence == 4
    return f"({text})" if needs_brackets else text


def _literal_text(number: Number) -> str:
    if number.form == "percent":
        return number_text(number.value * 100, True) + "%"
    if number.form == "mixed":
        return mixed_text(number.value) or fraction_text(number.value)
    if number.form == "fraction":
        numerator, denominator = _written_fraction(number)
        return f"{numerator}/{denominator}"
    return number_text(number.value, True)


def _written_fraction(number: Number) -> tuple[int, int]:
    """A fraction as the student wrote it, unsimplified ("18/24" stays 18/24)."""
    digits = [int(part) for part in "".join(c if c.isdigit() else " " for c in number.text).split()]
    if number.form == "fraction" and len(digits) == 2 and digits[1] and Fraction(*digits) == number.value:
        return digits[0], digits[1]
    return number.value.numerator, number.value.denominator


def prefers_decimals(node: Node) -> bool:
    """Whether the question was asked in decimals (and no fractions), so the working stays in decimals."""
    forms = {number.form for number in leaves(node)}
    return "decimal" in forms and not forms & {"fraction", "mixed"}


def calculation_steps(node: Node) -> list[str]:
    """The worked steps of the whole calculation, ending with the mixed-number form when there is one."""
    decimal = prefers_decimals(node)
    steps: list[str] = []
    value = _explain(node, steps, decimal)
    if not decimal and (mixed := mixed_text(value)):
        steps.append(f"{fraction_text(value)} = {mixed}")
    return steps


def _hundredths(value: Fraction) -> str:
    """How many hundredths a percentage is, written so that "/100" cannot be misread: "12.5" for 12.5%,
    "(100/3)" for 33 1/3%."""
    hundredths = number_text(value * 100, prefer_decimal=True)
    return f"({hundredths})" if "/" in hundredths else hundredths


def _explain(node: Node, steps: list[str], decimal: bool) -> Fraction:
    if isinstance(node, Number):
        if node.form == "mixed":
            steps.append(f"{_literal_text(node)} = {fraction_text(node.value)}")
        elif node.form == "percent" and not decimal:
            reduced = "" if node.value.denominator == 100 else f" = {fraction_text(node.value)}"
            steps.append(f"{_literal_text(node)} = {_hundredths(node.value)}/100{reduced}")
        elif node.form == "fraction" and _written_fraction(node)[1] != node.value.denominator:
            steps.extend(_simplify_steps(*_written_fraction(node)))
        return node.value
    if isinstance(node, Negation):
        return -_explain(node.operand, steps, decimal)
    if isinstance(node, Root):
        operand = _explain(node.operand, steps, decimal)
        result = evaluate(node)
        repeated = " × ".join([_shown(result, decimal)] * node.degree)
        sign = _ROOT_SIGNS.get(node.degree, f"{node.degree}th root of ")
        steps.append(f"{repeated} = {_shown(operand, decimal)}, so {sign}{_shown(operand, decimal)} = "
                     f"{_shown(result, decimal)}")
        return result
    left = _explain(node.left, steps, decimal)
    right = _explain(node.right, steps, decimal)
    left_text, right_text = _operand_text(node.left, left, decimal), _operand_text(node.right, right, decimal)
    result = evaluate(Operation(node.operator, Number(left, "", ""), Number(right, "", "")))
    if node.operator in ("+", "-"):
        steps.extend(_sum_steps(node.operator, left, right, left_text, right_text, decimal))
    elif node.operator in ("×", "of", "÷"):
        steps.extend(_product_steps(node.operator, left, right, left_text, right_text, decimal))
    else:
        steps.extend(_power_steps(left, right, result, left_text, decimal))
    return result


def _shown(value: Fraction, decimal: bool) -> str:
    return number_text(value, decimal)


def _operand_text(node: Node, value: Fraction, decimal: bool) -> str:
    """A leaf as written (mixed numbers and percentages already converted); a sub-result as a number."""
    if isinstance(node, Number) and node.form == "fraction" and _written_fraction(node)[1] == value.denominator:
        return _literal_text(node)
    text = _shown(value, decimal)
    return f"({text})" if value < 0 else text


def _sum_steps(operator: str, left: Fraction, right: Fraction, left_text: str, right_text: str,
               decimal: bool) -> list[str]:
    result = left + right if operator == "+" else left - right
    if decimal or (left.denominator == 1 and right.denominator == 1):
        return [f"{left_text} {operator} {right_text} = {_shown(result, decimal)}"]
    common = lcm(left.denominator, right.denominator)
    steps = []
    if left.denominator != right.denominator:
        steps.append(f"Common denominator of {left.denominator} and {right.denominator}: {common}")
    conversions = [f"{text} = {value.numerator * (common // value.denominator)}/{common}"
                   for text, value in ((left_text, left), (right_text, right)) if value.denominator != common]
    if conversions:
        steps.append(" and ".join(conversions))
    left_scaled, right_scaled = (v.numerator * (common // v.denominator) for v in (left, right))
    raw = left_scaled + right_scaled if operator == "+" else left_scaled - right_scaled
    steps.append(f"{left_scaled}/{common} {operator} {_bracketed(right_scaled)}/{common} = {raw}/{common}")
    steps.extend(_simplify_steps(raw, common))
    return steps


def _bracketed(number: int) -> str:
    return f"({number})" if number < 0 else str(number)


def _product_steps(operator: str, left: Fraction, right: Fraction, left_text: str, right_text: str,
                   decimal: bool) -> list[str]:
    steps = []
    if operator == "of":
        steps.append(f"{left_text} of {right_text} means {left_text} × {right_text}")
    if operator == "÷":
        if decimal or (left.denominator == 1 and right.denominator == 1):
            return [f"{left_text} ÷ {right_text} = {_shown(left / right, decimal)}"]
        reciprocal = 1 / right
        steps.append(f"Dividing by {right_text} is the same as multiplying by {fraction_text(reciprocal)}")
        right, right_text = reciprocal, fraction_text(reciprocal)
    result = left * right
    if decimal or (left.denominator == 1 and right.denominator == 1):
        return steps + [f"{left_text} × {right_text} = {_shown(result, decimal)}"]
    numerator, denominator = left.numerator * right.numerator, left.denominator * right.denominator
    steps.append(f"Multiply the numerators and the denominators: {left_text} × {right_text} = "
                 f"{numerator}/{denominator}")
    steps.extend(_simplify_steps(numerator, denominator))
    return steps


def _simplify_steps(numerator: int, denominator: int) -> list[str]:
    divisor = gcd(numerator, denominator)
    if divisor in (0, 1):
        return []
    return [f"{numerator}/{denominator} = {fraction_text(Fraction(numerator, denominator))} "
            f"(divide top and bottom by {divisor})"]


def _power_steps(base: Fraction, exponent: Fraction, result: Fraction, base_text: str, decimal: bool) -> list[str]:
    shown_base = f"({base_text})" if base.denominator != 1 or base < 0 else base_text
    power_text = f"{shown_base}^{exponent.numerator}"
    if exponent < 0:
        positive = f"{shown_base}^{-exponent.numerator}"
        return [f"{power_text} = 1/{positive} = {_shown(result, decimal)}"]
    if 2 <= exponent <= 5 and len(base_text) <= 6:
        repeated = " × ".join([shown_base] * int(exponent))
        return [f"{power_text} = {repeated} = {_shown(result, decimal)}"]
    return [f"{power_text} = {_shown(result, decimal)}"]
