"""Exact numbers as students write them, and the forms a result may be written in (pure).

One home for reading a number literal (integer, decimal, fraction, mixed number, percentage) into a
``Fraction`` and for writing a ``Fraction`` back as a student would: "19/12", "1 7/12", "1.583...".
"""
from __future__ import annotations

from fractions import Fraction

MAX_DIGITS = 12  # a number literal longer than this is not school arithmetic, and bounds the work
MAX_RESULT_DIGITS = 400  # numerator or denominator of any value computed along the way
DECIMAL_PLACES_SHOWN = 3  # a non-terminating decimal is shown to this many places, then "..."


class OutOfBounds(ValueError):
    """The input or a value computed from it is larger than the solver will handle."""


def bounded(value: Fraction) -> Fraction:
    """``value``, or OutOfBounds when its numerator or denominator is too long to be worth showing."""
    limit = 10**MAX_RESULT_DIGITS
    if abs(value.numerator) >= limit or value.denominator >= limit:
        raise OutOfBounds("a value along the way is too large")
    return value


def literal_value(text: str) -> Fraction:
    """The exact value of a literal the tokenizer matched: "3", "2.5", "3/4", "2 1/2", "15%"."""
    cleaned = text.replace(",", "").strip()
    if cleaned.endswith("%"):
        return literal_value(cleaned[:-1]) / 100
    if " " in cleaned:
        whole, rest = cleaned.split(None, 1)
        part = literal_value(rest)
        return -(abs(int(whole)) + part) if whole.startswith("-") else int(whole) + part
    if "/" in cleaned:
        numerator, denominator = (part.strip() for part in cleaned.split("/"))
        if int(denominator) == 0:
            raise ZeroDivisionError("a fraction with denominator 0")
        return Fraction(int(numerator), int(denominator))
    return Fraction(cleaned)


def fraction_text(value: Fraction) -> str:
    """"19/12", or "4" for a whole number."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def mixed_text(value: Fraction) -> str | None:
    """"1 7/12" for 19/12 (and "-1 7/12" for its negative); None when no mixed form exists."""
    if value.denominator == 1 or abs(value) < 1:
        return None
    whole, rest = divmod(abs(value.numerator), value.denominator)
    sign = "-" if value < 0 else ""
    return f"{sign}{whole} {rest}/{value.denominator}"


def terminates(value: Fraction) -> bool:
    """Whether the decimal expansion ends (the denominator has no prime factor but 2 and 5)."""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def decimal_text(value: Fraction, places: int = DECIMAL_PLACES_SHOWN) -> str:
    """The exact decimal when it terminates within 12 places ("0.375"), else rounded with "..." ("1.583...")."""
    if terminates(value):
        for exact_places in range(13):
            if (value * 10**exact_places).denominator == 1:
                return _fixed(value, exact_places)
    return _fixed(value, places) + "..."


def _fixed(value: Fraction, places: int) -> str:
    scaled = round(abs(value) * 10**places)
    whole, rest = divmod(scaled, 10**places)
    sign = "-" if value < 0 and scaled else ""
    return f"{sign}{whole}.{rest:0{places}d}" if places else f"{sign}{whole}"


def percent_text(value: Fraction) -> str:
    """"37.5%" for 3/8."""
    return decimal_text(value * 100) + "%"


def percent_step(value: Fraction) -> str:
    """The working line that turns a decimal into a percentage: "0.375 × 100 = 37.5, so 37.5%" (the
    product is a number; only then is it read as a percentage, so the line is a true equation)."""
    return f"{decimal_text(value)} × 100 = {decimal_text(value * 100)}, so {percent_text(value)}"


def percent_forms(value: Fraction) -> tuple[str, ...]:
    """"37.5%" and "37.5" for 3/8; a recurring percentage also as the exact fraction of a hundred ("100/3"),
    so "33.3...%" can be judged against it."""
    shown = percent_text(value)
    exact = () if terminates(value) else (fraction_text(value * 100),)
    return (shown, shown[:-1], *exact)


def number_text(value: Fraction, prefer_decimal: bool = False) -> str:
    """How a working step writes ``value``: as a decimal when the question was in decimals and the
    decimal ends, otherwise as a fraction (or whole number)."""
    if prefer_decimal and terminates(value) and value.denominator != 1:
        return decimal_text(value)
    return fraction_text(value)


def accepted_forms(value: Fraction) -> tuple[str, ...]:
    """The ways a student could write ``value`` and be right: fraction, mixed number, decimal."""
    forms = [fraction_text(value)]
    if mixed := mixed_text(value):
        forms.append(mixed)
    if value.denominator != 1:
        forms.append(decimal_text(value))
    return tuple(dict.fromkeys(forms))
