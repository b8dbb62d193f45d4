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

_GCD = r"gcd|gcf|hcf|(?:greatest|highest) common (?:factor|divisor)"
_LCM = r"lcm|lcd|(?:lowest|least) common (?:multiple|denominator)"
_INTEGERS = r"(\d+(?:,? (?:and )?\d+){1,5})"
_FRACTIONS = r"(\d+/\d+(?:,? (?:and )?\d+/\d+){1,5})"
_END = r"(?![\d/%]|\.\d)"  # the list ends here: no further digit, fraction or decimal
_DENOMINATOR_LCM = r"lcd|(?:lowest|least) common denominator"


def solve_gcd_lcm(text: str) -> Solution | None:
    """"GCD of 12 and 18", "lowest common multiple of 4, 6 and 10"."""
    match = match_phrase(rf"\b(?:the )?({_GCD}|{_LCM}) (?:of |for )?{_INTEGERS}{_END}", text)
    if match is not None:
        numbers = [int(number) for number in re.findall(r"\d+", match.group(2))]
        return _solved(numbers, is_gcd=re.fullmatch(_GCD, match.group(1)) is not None, steps=[])
    return solve_common_denominator(text)


def solve_common_denominator(text: str) -> Solution | None:
    """"lowest common denominator of 3/4 and 5/6": the lowest common multiple of the denominators."""
    match = match_phrase(rf"\b(?:the )?(?:{_DENOMINATOR_LCM}) (?:of |for )?(?:the fractions )?{_FRACTIONS}"
                         rf"{_END}", text, frozenset({"fractions"}))
    if match is None:
        return None
    fractions = re.findall(r"(\d+)/(\d+)", match.group(1))
    denominators = [int(bottom) for _, bottom in fractions]
    solution = _solved(denominators, is_gcd=False, steps=[f"The denominators are {', '.join(map(str, denominators))}"])
    if solution is None:
        return None
    written = [f"{top}/{bottom}" for top, bottom in fractions]
    return replace(solution, given=(*solution.given, *(Fraction(int(t), int(b)) for t, b in fractions)),
                   final_answer=f"The lowest common denominator of {', '.join(written[:-1])} and {written[-1]} is "
                                f"{solution.result_text}.")


def _solved(numbers: list[int], is_gcd: bool, steps: list[str]) -> Solution | None:
    if 0 in numbers:
        return None
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
