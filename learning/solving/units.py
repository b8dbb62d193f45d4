"""Unit conversions of length, mass, volume and time, exactly (pure)."""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from learning.solving.numbers import literal_value, number_text, terminates
from learning.solving.solution import Solution, numeric_solution
from learning.solving.wording import NUMBER, match_phrase

# (dimension, size in the dimension's base unit, the name a step uses), by every spelling a student uses.
_UNITS: dict[str, tuple[str, Fraction, str]] = {}
for _names, _dimension, _size in [
    ("mm millimetre millimetres millimeter millimeters", "length", Fraction(1, 1000)),
    ("cm centimetre centimetres centimeter centimeters", "length", Fraction(1, 100)),
    ("m metre metres meter meters", "length", Fraction(1)),
    ("km kilometre kilometres kilometer kilometers", "length", Fraction(1000)),
    ("inch inches", "length", Fraction(254, 10000)),
    ("ft foot feet", "length", Fraction(3048, 10000)),
    ("yd yard yards", "length", Fraction(9144, 10000)),
    ("mile miles", "length", Fraction(1609344, 1000)),
    ("mg milligram milligrams", "mass", Fraction(1, 1000)),
    ("g gram grams", "mass", Fraction(1)),
    ("kg kilogram kilograms kilo kilos", "mass", Fraction(1000)),
    ("tonne tonnes", "mass", Fraction(1000000)),
    ("ml millilitre millilitres milliliter milliliters", "volume", Fraction(1, 1000)),
    ("cl centilitre centilitres centiliter centiliters", "volume", Fraction(1, 100)),
    ("l litre litres liter liters", "volume", Fraction(1)),
    ("s sec secs second seconds", "time", Fraction(1)),
    ("min mins minute minutes", "time", Fraction(60)),
    ("h hr hrs hour hours", "time", Fraction(3600)),
    ("day days", "time", Fraction(86400)),
    ("week weeks", "time", Fraction(604800)),
]:
    for _name in _names.split():
        _UNITS[_name] = (_dimension, _size, _names.split()[0])

UNIT_NAMES = tuple(_UNITS)
_UNIT = "(" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")(?![a-z])"
_AMOUNT = rf"({NUMBER}|an?|one)"
_PORTION = r"(\d+/\d+|\d+(?:\.\d+)?%|0?\.\d+)"  # "3/4 of 2 hours", "40% of a litre": a part of an amount
_QUANTITY = rf"(?:{_PORTION} of )?{_AMOUNT} ?{_UNIT}"
_EXTRA_WORDS = frozenset({"how", "many", "there", "convert", "change", "express", "write", "much"})


def solve_units(text: str) -> Solution | None:
    """"how many cm in 2.5 m", "convert 2.5 m to cm", "how many minutes are there in 3 hours", "how many
    minutes are in 2/5 of an hour", "what is 3/4 of 2 hours in minutes"."""
    match = match_phrase(rf"\bhow many {_UNIT} (?:(?:are |is )?(?:there )?in|is|are|make|makes|equals?) "
                         rf"{_QUANTITY}", text, _EXTRA_WORDS)
    if match is not None:
        target, portion, amount, source = match.groups()
    else:
        match = match_phrase(rf"(?<![\d/.]){_QUANTITY} (?:in|to|into|as) {_UNIT}", text, _EXTRA_WORDS)
        if match is None:
            return None
        portion, amount, source, target = match.groups()
    whole = Fraction(1) if amount in ("a", "an", "one") else literal_value(amount)
    if portion is None:
        return convert_amount(whole, source, target)
    return _portion_converted(literal_value(portion), portion, whole, source, target)


def _portion_converted(share: Fraction, portion: str, whole: Fraction, source: str, target: str) -> Solution | None:
    """``portion`` of ``whole`` ``source``, in ``target``: the part first, then the conversion."""
    solution = convert_amount(share * whole, source, target)
    if solution is None:
        return None
    source_name = _UNITS[source][2]
    part_step = (f"{portion} of {number_text(whole, True)} {source_name} = {portion} × {number_text(whole, True)}"
                 f" = {number_text(share * whole, True)} {source_name}")
    if whole == 1:
        part_step = f"{portion} of 1 {source_name} = {number_text(share, True)} {source_name}"
    return replace(solution, steps=(part_step, *solution.steps), given=(share, whole),
                   final_answer=f"{portion} of {number_text(whole, True)} {source_name} is {solution.result_text} "
                                f"{_UNITS[target][2]}.")


def unit_ratio(source: str, target: str) -> Fraction | None:
    """How many ``target`` make one ``source`` ("km", "m" -> 1000); None when either is no unit or they
    measure different things."""
    if source not in _UNITS or target not in _UNITS or _UNITS[source][0] != _UNITS[target][0]:
        return None
    return _UNITS[source][1] / _UNITS[target][1]


def convert_amount(amount: Fraction, source: str, target: str) -> Solution | None:
    """``amount`` ``source`` in ``target``, with the working; None when no conversion applies."""
    (source_dimension, source_size, source_name), (target_dimension, target_size, target_name) = (
        _UNITS[source], _UNITS[target])
    if source_dimension != target_dimension or source_size == target_size:
        return None
    ratio = source_size / target_size
    result = amount * ratio
    decimal = result.denominator != 1 and terminates(result)
    amount_text, result_text = number_text(amount, True), number_text(result, decimal)
    if ratio >= 1:
        steps = [f"1 {source_name} = {number_text(ratio, True)} {target_name}",
                 f"{amount_text} × {number_text(ratio, True)} = {result_text}"]
    else:
        steps = [f"1 {target_name} = {number_text(1 / ratio, True)} {source_name}",
                 f"{amount_text} ÷ {number_text(1 / ratio, True)} = {result_text}"]
    solution = numeric_solution("units", result, steps, "", (amount,), decimal,
                                extra_forms=(f"{result_text} {target_name}",))
    return replace(solution, final_answer=f"{amount_text} {source_name} = {result_text} {target_name}.")
