from fractions import Fraction

import pytest
from pydantic import ValidationError

from learning.grading import ANSWER_SPEC, grade, normalise, parse_number


def spec(**fields):
    return ANSWER_SPEC.validate_python(fields)


@pytest.mark.parametrize(
    ("response", "correct"),
    [("Chlorophyll", True), ("  chlorophyll. ", True), ("CHLOROPHYLL!", True), ("“chlorophyll”", True),
     ("chlorophyl", False), ("", False)],
)
def test_exact_answers_are_normalised(response, correct):
    assert grade(spec(kind="exact", answer="chlorophyll"), response).correct is correct


@pytest.mark.parametrize(
    ("response", "value"),
    [("3/8", Fraction(3, 8)), ("0.375", Fraction(3, 8)), ("37.5%", Fraction(3, 8)), ("2 1/3", Fraction(7, 3)),
     ("-1 1/2", Fraction(-3, 2)), ("1,000", Fraction(1000)), (" 12 ", Fraction(12)), ("1e3", Fraction(1000)),
     (".5", Fraction(1, 2)), ("−2", Fraction(-2))],
)
def test_numbers_students_write(response, value):
    assert parse_number(response) == value


@pytest.mark.parametrize("response", ["", "abc", "1/0", "3/", "1 1/0", "1..2", "nan", "inf", "9" * 100])
def test_non_numbers_are_not_numbers(response):
    assert parse_number(response) is None


def test_numeric_tolerance():
    item = spec(kind="numeric", value=0.375, tolerance=0.001)
    assert grade(item, "3/8").correct and grade(item, "0.3751").correct
    assert not grade(item, "0.38").correct and not grade(item, "three eighths").correct
    assert grade(item, "x").expected == "0.375"


def test_choice_by_key():
    item = spec(kind="choice", answer="b")
    assert grade(item, "b").correct and grade(item, " B ").correct and not grade(item, "a").correct


def test_set_accepts_any_listed_answer():
    item = spec(kind="set", answers=["7/12", "seven twelfths"])
    assert grade(item, "Seven  Twelfths").correct and grade(item, "7/12").correct
    assert not grade(item, "7/13").correct and grade(item, "x").expected == "7/12"


@pytest.mark.parametrize(
    "fields",
    [{"kind": "exact"}, {"kind": "exact", "answer": ""}, {"kind": "numeric", "value": "0.5"},
     {"kind": "numeric", "value": 1, "tolerance": -1}, {"kind": "set", "answers": []},
     {"kind": "guess", "answer": "x"}, {"kind": "exact", "answer": "x", "hint": "y"}],
)
def test_bad_specifications_are_rejected(fields):
    with pytest.raises(ValidationError):
        spec(**fields)


def test_normalise_collapses_whitespace_and_case():
    assert normalise("  The\tCalvin   Cycle ") == "the calvin cycle"
