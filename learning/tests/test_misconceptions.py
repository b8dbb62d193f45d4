"""The bug library and misconception matching (pure: no database)."""
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from learning.grading import ANSWER_SPEC, expected_number, grade
from learning.misconceptions.bug_library import calculation_in, correct_value, predicted_errors
from learning.misconceptions.matching import misconception_for


def errors_of(prompt: str) -> dict[str, list[Fraction]]:
    found: dict[str, list[Fraction]] = {}
    for error in predicted_errors(prompt):
        found.setdefault(error.misconception, []).append(error.value)
    return found


@pytest.mark.parametrize("prompt, bug, value", [
    ("What is 1/3 + 1/4?", "adds-across", Fraction(2, 7)),
    ("What is 1/3 + 1/4?", "cross-multiplies-addition", Fraction(7, 7)),
    ("What is 2 1/3 + 1 1/4?", "adds-across", Fraction(23, 7)),
    ("What is 3/4 ÷ 1/2?", "flips-wrong-fraction", Fraction(2, 3)),
    ("What is 3/4 ÷ 1/2?", "multiplies-without-flipping", Fraction(3, 8)),
    ("What is 6 ÷ 2/3?", "flips-wrong-fraction", Fraction(1, 9)),
    ("What is 3 × 2/7?", "whole-number-bias", Fraction(6, 21)),
    ("What is 3 1/4 − 1 3/4?", "whole-number-bias", Fraction(5, 2)),
    ("Write 3/8 as a decimal.", "whole-number-bias", Fraction(38, 10)),
    ("What is 20% of 60?", "percent-of-confusion", Fraction(1200)),
    ("Write 3/4 as a percentage.", "percent-of-confusion", Fraction(3, 400)),
])
def test_each_classic_error_gives_what_a_student_following_it_writes(prompt, bug, value):
    assert value in errors_of(prompt)[bug]


def test_a_prompt_without_a_fraction_calculation_has_no_bugs():
    assert predicted_errors("What is 3 + 4?") == () and predicted_errors("Name the sugar plants make.") == ()


small = st.integers(min_value=1, max_value=40)


@given(small, small, small, small, st.sampled_from(["+", "−", "×", "÷"]))
def test_no_bug_ever_predicts_the_right_answer_or_a_value_twice(a, b, c, d, operator):
    prompt = f"What is {a}/{b} {operator} {c}/{d}?"
    calculation = calculation_in(prompt)
    assert calculation is not None and calculation.left.value == Fraction(a, b)
    values = [error.value for error in predicted_errors(prompt)]
    assert correct_value(calculation) not in values and len(values) == len(set(values))


@given(small, small, small, small)
def test_adding_across_is_always_detected_on_unlike_denominators(a, b, c, d):
    prompt = f"What is {a}/{b} + {c}/{d}?"
    wrong = Fraction(a + c, b + d)
    spec = ANSWER_SPEC.validate_python({"kind": "numeric", "value": float(Fraction(a, b) + Fraction(c, d)),
                                        "tolerance": 1e-9})
    found = misconception_for(response=f"{a + c}/{b + d}", spec=spec, prompt=prompt)
    assert wrong == Fraction(a, b) + Fraction(c, d) or (found is not None and found.id == "adds-across")


NUMERIC = ANSWER_SPEC.validate_python({"kind": "numeric", "value": 0.583333, "tolerance": 0.001})
CHOICE = ANSWER_SPEC.validate_python({"kind": "choice", "answer": "b"})


def test_the_authors_misconception_is_tried_before_the_bug_library():
    declared = [{"id": "mine", "text": "Mine.", "value": 2 / 7}]
    assert misconception_for(response="2/7", spec=NUMERIC, prompt="What is 1/3 + 1/4?", declared=declared).id == "mine"
    assert misconception_for(response="0.286", spec=NUMERIC, prompt="What is 1/3 + 1/4?").id == "adds-across"
    assert misconception_for(response="0.9", spec=NUMERIC, prompt="What is 1/3 + 1/4?") is None


def test_choices_and_patterns_match_as_declared():
    declared = [{"id": "flip", "text": "Flipped.", "choice": "a"}]
    assert misconception_for(response="A", spec=CHOICE, prompt="1/2 + 1/3 = 2/5?", declared=declared).id == "flip"
    assert misconception_for(response="c", spec=CHOICE, prompt="1/2 + 1/3 = 2/5?", declared=declared) is None
    words = ANSWER_SPEC.validate_python({"kind": "exact", "answer": "chlorophyll"})
    pattern = [{"id": "organelle", "text": "That is where it is.", "pattern": "chloroplasts?"}]
    assert misconception_for(response=" Chloroplast.", spec=words, prompt="Which pigment?", declared=pattern).id \
        == "organelle"


@pytest.mark.parametrize("value, prompt, shown", [
    (0.583333, "What is 1/3 + 1/4? Give a fraction, a mixed number or a decimal.", "7/12"),
    (3.583333, "What is 2 1/3 + 1 1/4?", "3 7/12"),
    (0.4, "What is 2/3 × 3/5?", "2/5"),
    (0.375, "Write 3/8 as a decimal.", "0.375"),
    (0.333333, "How much is left?", "1/3"),  # recurring: the fraction it rounds
    (2.5, "How many litres?", "2.5"),
    (15.0, "What is 3/4 of 20?", "15"),
])
def test_the_expected_answer_is_shown_in_the_items_own_form(value, prompt, shown):
    assert expected_number(value, prompt) == shown
    spec = ANSWER_SPEC.validate_python({"kind": "numeric", "value": value, "tolerance": 0.001})
    assert grade(spec, "-1", prompt).expected == shown
