"""Greatest common factor and lowest common multiple, worked with Euclid's algorithm (pure).

Euclid takes a number of steps logarithmic in the inputs, so even 12-digit numbers stay quick; factor
trees would not.
"""
from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction
from math import gcd

from learning.solving.solution import Solution, numeric_solution
from learning.solving.wording import match_phrase

_GCD = r"gcd|gcf|hcf|greatest common (?:factor|divisor)|highest common factor"
_LCM = r"lcm|lcd|lowest common multiple|least common multiple|lowest common denominator|least common denominator"
_INTEGERS = r"(\d+(?:,? (?:and )?\d+){1,5})"


def solve_gcd_lcm(text: str) -> Solution | None:
    """"GCD of 12 and 18", "lowest common multiple of 4, 6 and 10"."""
    match = match_phrase(rf"\b(?:the )?({_GCD}|{_LCM}) (?:of |for )?{_INTEGERS}(?![\d/.%])", text)
    if match is None:
        return None
    numbers = [int(number) for number in re.findall(r"\d+", match.group(2))]
    if 0 in numbers:
        return None
    is_gcd = re.fullmatch(_GCD, match.group(1)) is not None
    steps: list[str] = []
    result = numbers[0]
    for number in numbers[1:]:
        result = _gcd_steps(result, number, steps) if is_gcd else _lcm_steps(result, number, steps)
    name = "greatest common factor" if is_gcd else "lowest common multiple"
    listed = ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"
    solution = numeric_solution("gcd" if is_gcd else "lcm", Fraction(result), steps, "",
                                tuple(Fraction(number) for number in numbers))
    return replace(solution, final_answer=f"The {name} of {listed} is {result}.")


def _gcd_steps(a: int, b: int, steps: list[str]) -> int:
    larger, smaller = max(a, b), min(a, b)
    steps.append(f"Euclid's algorithm for {a} and {b}:")
    while smaller:
        quotient, remainder = divmod(larger, smaller)
        steps.append(f"{larger} = {quotient} × {smaller} + {remainder}")
        larger, smaller = smaller, remainder
    steps.append(f"The last non-zero remainder is {larger}, so GCF({a}, {b}) = {larger}")
    return larger


def _lcm_steps(a: int, b: int, steps: list[str]) -> int:
    divisor = gcd(a, b)
    result = a * b // divisor
    steps.append(f"GCF({a}, {b}) = {divisor}")
    steps.append(f"LCM({a}, {b}) = {a} × {b} ÷ {divisor} = {result}")
    return result
