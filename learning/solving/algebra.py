"""Linear equations in one unknown and derivatives of polynomials, with sympy's parser kept on a short
leash (pure).

``parse_expr`` evaluates what it parses, so text reaches it only after a whitelist check: digits,
operators, brackets and the one single-letter unknown; every exponent is a literal of at most two digits,
and the degree of the (unexpanded) expression is bounded before sympy expands anything. Its namespace
holds only sympy's number and symbol constructors, so no other name can be reached. sympy is imported on
first use: most questions never need it.
"""
from __future__ import annotations

import re
from fractions import Fraction

from learning.solving.numbers import MAX_DIGITS, accepted_forms, fraction_text
from learning.solving.solution import Solution
from learning.solving.wording import match_phrase

MAX_DEGREE = 20
MAX_ALGEBRA_CHARS = 200
_ATOM = r"(?:\d+(?:\.\d+)?|(?<![a-z'])[a-z](?![a-z'])|[-+*/^()×÷·]|[ \t])"
_EQUATION = rf"(?<![a-z])({_ATOM}+=(?!=){_ATOM}+)"
POLYNOMIAL_PATTERN = rf"({_ATOM}+)"
_ALLOWED = re.compile(r"[0-9a-z.+\-*/^() ]+")
_EQUATION_WORDS = frozenset({"solve", "for", "find", "if", "when", "given", "where", "the", "unknown", "equation"})
_DERIVATIVE_WORDS = frozenset({"derivative", "differentiate", "with", "respect", "wrt", "ddx", "dydx", "find", "y",
                               "the", "function", "polynomial", "if", "when", "given", "where"})


class NotAPolynomial(ValueError):
    """The text is not a polynomial in one unknown that the whitelist lets through."""


def polynomial_coefficients(text: str, variable: str) -> list[Fraction]:
    """The coefficients of the polynomial ``text`` in ``variable``, constant term first."""
    cleaned = text.replace("×", "*").replace("÷", "/").replace("·", "*").replace("**", "^").strip()
    if not cleaned or len(cleaned) > MAX_ALGEBRA_CHARS or not _ALLOWED.fullmatch(cleaned):
        raise NotAPolynomial("characters outside the whitelist")
    if set(re.findall(r"[a-z]", cleaned)) - {variable} or re.search(r"[a-z]{2}|\d{%d}" % (MAX_DIGITS + 1), cleaned):
        raise NotAPolynomial("names other than the unknown")
    exponents = re.findall(r"\^\s*(\d*)", cleaned)
    chained = re.search(r"\^\s*\d+\s*\^", cleaned)  # 9^9^9 would be evaluated while parsing
    if chained or any(not exponent or int(exponent) > MAX_DEGREE for exponent in exponents):
        raise NotAPolynomial("exponents must be whole numbers up to %d" % MAX_DEGREE)
    import sympy
    from sympy.parsing.sympy_parser import auto_number, convert_xor, implicit_multiplication, parse_expr, rationalize

    symbol = sympy.Symbol(variable)
    namespace = {"Integer": sympy.Integer, "Float": sympy.Float, "Rational": sympy.Rational,
                 "Symbol": sympy.Symbol, "__builtins__": {}}
    try:
        expression = parse_expr(cleaned, local_dict={variable: symbol}, global_dict=namespace,
                                transformations=(auto_number, rationalize, implicit_multiplication, convert_xor))
    except Exception as error:  # malformed input surfaces as many kinds of error inside sympy's parser
        raise NotAPolynomial(str(error)) from error
    if _degree(expression, symbol) > MAX_DEGREE:
        raise NotAPolynomial("degree too high")
    coefficients = sympy.Poly(expression, symbol).all_coeffs()[::-1]
    return [Fraction(int(c.p), int(c.q)) for c in coefficients]


def _degree(expression, symbol) -> int:
    """An upper bound on the degree, read from the unexpanded tree; NotAPolynomial for anything else."""
    if expression.is_Number:
        return 0
    if expression == symbol:
        return 1
    if expression.is_Add:
        return max(_degree(term, symbol) for term in expression.args)
    if expression.is_Mul:
        return sum(_degree(factor, symbol) for factor in expression.args)
    if expression.is_Pow and expression.exp.is_Integer and expression.exp >= 0:
        return _degree(expression.base, symbol) * int(expression.exp)
    if expression.is_Pow and expression.base.is_Number:
        return 0
    raise NotAPolynomial(f"not a polynomial: {expression}")


def polynomial_text(coefficients: list[Fraction], variable: str) -> str:
    """"6x + 2", "x^2 - (1/2)x", "0"."""
    terms = []
    for power in range(len(coefficients) - 1, -1, -1):
        coefficient = coefficients[power]
        if coefficient == 0:
            continue
        size = abs(coefficient)
        unknown = "" if power == 0 else variable if power == 1 else f"{variable}^{power}"
        number = fraction_text(size)
        if unknown:
            number = "" if size == 1 else f"({number})" if size.denominator != 1 else number
        sign = "-" if coefficient < 0 else "+"
        terms.append((sign, number + unknown))
    if not terms:
        return "0"
    first_sign, first = terms[0]
    return ("-" if first_sign == "-" else "") + first + "".join(f" {sign} {term}" for sign, term in terms[1:])


def _single_unknown(text: str) -> str | None:
    letters = set(re.findall(r"(?<![a-z])[a-z](?![a-z])", text))
    return letters.pop() if len(letters) == 1 else None


def solve_equation(text: str) -> Solution | None:
    """"solve 3x + 5 = 20", "find x if 2x - 3 = 7", "what is x when 4x = 2x + 10"."""
    if "=" not in text:
        return None
    match = re.search(_EQUATION, text)
    variable = _single_unknown(match.group(1)) if match else None
    if variable is None or match_phrase(re.escape(match.group(1)), text, _EQUATION_WORDS | {variable}) is None:
        return None
    left_text, right_text = match.group(1).split("=")
    try:
        left = (polynomial_coefficients(left_text, variable) + [Fraction(0)] * 2)[:3]
        right = (polynomial_coefficients(right_text, variable) + [Fraction(0)] * 2)[:3]
    except NotAPolynomial:
        return None
    if left[2] or right[2] or left[1] == right[1]:
        return None  # not linear, or no unique solution
    steps = _linear_steps(left, right, variable)
    value = (right[0] - left[0]) / (left[1] - right[1])
    equation = f"{left_text.strip()} = {right_text.strip()}"
    stated = f"{variable} = {fraction_text(value)}"
    # Restating the equation's numbers ("take 3 from both sides") is not stating a result.
    given = tuple(dict.fromkeys(c for c in (*left[:2], *right[:2]) if c))
    return Solution("equation", value, stated, (stated, *accepted_forms(value)), (equation, *steps), stated + ".",
                    given=given, variable=variable)


def _linear_steps(left: list[Fraction], right: list[Fraction], variable: str) -> list[str]:
    """Move the unknown to the left and the numbers to the right, then divide."""
    steps = []
    slope, constant, target = left[1], left[0], right[0]
    if right[1]:
        slope = left[1] - right[1]
        steps.append(f"Take {polynomial_text([Fraction(0), right[1]], variable)} from both sides: "
                     f"{polynomial_text([constant, slope], variable)} = {fraction_text(target)}")
    if constant:
        verb = f"Take {fraction_text(constant)} from" if constant > 0 else f"Add {fraction_text(-constant)} to"
        target -= constant
        steps.append(f"{verb} both sides: {polynomial_text([Fraction(0), slope], variable)} = {fraction_text(target)}")
    if slope != 1:
        steps.append(f"Divide both sides by {fraction_text(slope)}: {variable} = {fraction_text(target / slope)}")
    return steps


_FUNCTION_NOTATION = [  # "f'(x)" and "f'(2)" ask for a derivative, "f(x) =" names the function
    (re.compile(r"\b[fgh]'\(([a-z])\)"), "dydx"),
    (re.compile(r"\by'"), "dydx"),
    (re.compile(r"\b[fgh]\(([a-z])\) ?="), "y ="),
]
_AT_A_POINT = re.compile(rf",? (?:at|when|where|for) (?:the point )?([a-z]) ?= ?(-?\d+/\d+|-?\d+(?:\.\d+)?)\b")
_PRIME_AT = re.compile(r"\b[fgh]'\((-?\d+/\d+|-?\d+(?:\.\d+)?)\)")


def solve_derivative(text: str) -> Solution | None:
    """"derivative of 3x^2 + 2x", "differentiate x^3 - 4x", "d/dx (x^2 + 1)", "find dy/dx if y = 5x^2",
    "f'(x) if f(x) = x^3"; at a point: "the gradient of y = x^2 at x = 3", "find f'(2) when f(x) = x^2 + 3x"."""
    text, point = _derivative_notation(text)
    if point is not None:
        text = re.sub(r"\b(?:slope|gradient) of (?:the (?:curve|graph|line) (?:of )?)?", "derivative of ", text)
    match = match_phrase(rf"\b(?:derivative of|differentiate|ddx(?: of)?|dydx (?:if|when|for|of|given) y =)"
                         rf"\s*(?:(?<=derivative of )y = ?|(?<=differentiate )y = ?)?{POLYNOMIAL_PATTERN}(?:with respect to|wrt)?",
                         text, _DERIVATIVE_WORDS | {"x"})
    if match is None or not re.search(r"[a-z\d]", match.group(1)):
        return None
    variable = _single_unknown(match.group(1)) or "x"
    if point is not None and point[0] != variable:
        return None
    try:
        coefficients = polynomial_coefficients(match.group(1), variable)
    except NotAPolynomial:
        return None
    derivative = [power * coefficient for power, coefficient in enumerate(coefficients)][1:] or [Fraction(0)]
    steps = [_term_step(coefficient, power, variable) for power, coefficient in enumerate(coefficients)
             if coefficient][::-1]
    result = polynomial_text(derivative, variable)
    written = polynomial_text(coefficients, variable)
    if point is not None:
        return _derivative_at(point[1], derivative, steps, written, result, variable)
    forms = (result, result.replace(" ", ""))
    return Solution("derivative", None, result, tuple(dict.fromkeys(forms)), tuple(steps),
                    f"The derivative of {written} is {result}.", variable=variable)


def _derivative_notation(text: str) -> tuple[str, tuple[str, Fraction] | None]:
    """``text`` with "dy/dx", "f'(x)" and "f(x) =" in the parser's words, and the point asked about (if any)."""
    text = text.replace("dy/dx", "dydx").replace("d/dx", "ddx")
    point = None
    if (prime := _PRIME_AT.search(text)) is not None:
        point = ("x", Fraction(prime.group(1)))
        text = text[:prime.start()] + "dydx" + text[prime.end():]
    for pattern, replacement in _FUNCTION_NOTATION:
        text = pattern.sub(replacement, text)
    if (at := _AT_A_POINT.search(text)) is not None and point is None:
        point = (at.group(1), Fraction(at.group(2)))
        text = text[:at.start()] + text[at.end():]
    return text, point


def _derivative_at(point: Fraction, derivative: list[Fraction], steps: list[str], written: str, result: str,
                   variable: str) -> Solution:
    value = sum(coefficient * point**power for power, coefficient in enumerate(derivative))
    at = fraction_text(point)
    steps = [*steps, f"The derivative is {result}", f"At {variable} = {at} the derivative is {fraction_text(value)}"]
    return Solution("derivative_at", value, fraction_text(value), accepted_forms(value), tuple(steps),
                    f"The derivative of {written} at {variable} = {at} is {fraction_text(value)}.", (point,),
                    variable=variable)


def _term_step(coefficient: Fraction, power: int, variable: str) -> str:
    term = polynomial_text([Fraction(0)] * power + [coefficient], variable)
    if power == 0:
        return f"The derivative of the constant {term} is 0"
    result = polynomial_text([Fraction(0)] * (power - 1) + [coefficient * power], variable)
    if power == 1:
        return f"The derivative of {term} is {result}"
    lowered = polynomial_text([Fraction(0)] * (power - 1) + [coefficient], variable)
    return f"The derivative of {term} is {power} × {lowered} = {result}"
