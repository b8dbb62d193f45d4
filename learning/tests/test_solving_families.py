"""Phrasing families of numeric questions: synonyms of GCF and LCM, percentages of a whole, changing an
amount by a percentage, unit wordings, comparisons, and the missing number in equivalent fractions."""
from fractions import Fraction

import pytest

from learning.solving import check_answer, solve


@pytest.mark.parametrize(("question", "kind", "value"), [
    ("What's the Greatest Common Divisor of 84 and 36?", "gcd", 12),
    ("find the gcf of 45, 60 and 75.", "gcd", 15),
    ("HCF of 16 and 40?", "gcd", 8),
    ("Highest common divisor of 27 and 63", "gcd", 9),
    ("What is the least common multiple of 8 and 12?", "lcm", 24),
    ("LCM of 9 and 15.", "lcm", 45),
    ("What is the lowest common denominator of 5/8 and 7/12?", "lcm", 24),
    ("Find the least common denominator for 2/3, 1/4 and 5/6.", "lcm", 12),
])
def test_names_of_the_greatest_common_factor_and_lowest_common_multiple(question, kind, value):
    solution = solve(question)
    assert (solution.kind, solution.value) == (kind, value)


def test_the_lowest_common_denominator_names_the_denominators_and_the_fractions():
    solution = solve("What is the lowest common denominator of 5/8 and 7/12?")
    assert solution.steps[0] == "The denominators are 8, 12"
    assert solution.final_answer == "The lowest common denominator of 5/8 and 7/12 is 24."


@pytest.mark.parametrize(("question", "shown", "value"), [
    ("What percentage is 18 out of 24?", "75%", Fraction(3, 4)),
    ("what percent is 9 of 12", "75%", Fraction(3, 4)),
    ("What is 7 as a percentage of 40?", "17.5%", Fraction(7, 40)),
    ("Express 30 as a percentage of 25.", "120%", Fraction(6, 5)),
    ("What percentage of 80 is 12?", "15%", Fraction(3, 20)),
    ("Write 13 out of 20 as a percentage", "65%", Fraction(13, 20)),
    ("What percentage is 2.5 out of 8?", "31.25%", Fraction(5, 16)),
])
def test_one_number_as_a_percentage_of_another(question, shown, value):
    solution = solve(question)
    assert (solution.kind, solution.result_text, solution.value) == ("percentage", shown, value)
    assert check_answer(solution, f"So the answer is {shown}.").status == "agrees"


@pytest.mark.parametrize(("question", "value"), [
    ("Increase 250 by 12%", Fraction(280)),
    ("decrease 80 by 35%.", Fraction(52)),
    ("What is 250 reduced by 12%?", Fraction(220)),
    ("What is 64 increased by 12.5 percent?", Fraction(72)),
    ("Reduce £45 by 20%", Fraction(36)),
    ("Increase 60 by 1/3", Fraction(80)),
    ("Decrease 2.4 by 25%", Fraction(9, 5)),
    ("Find 15% of 80", Fraction(12)),
])
def test_changing_an_amount_by_a_percentage_or_fraction(question, value):
    assert solve(question).value == value


def test_a_percentage_change_works_out_the_change_then_adds_it():
    steps = solve("Increase 250 by 12%").steps
    assert steps[0] == "Increasing by 12% adds 12% of 250"
    assert steps[-1] == "250 + 30 = 280"


@pytest.mark.parametrize("question", [
    "Increase 250 by 12",  # by 12 or by 12%? not a percentage change
    "Decrease 80 by 150%",  # below zero
    "Increase 250 by 12% and then by 5%",  # a leftover number
    "What percentage is 18 out of 0?",
    "What percentage is 18 out of 24 and 30?",
])
def test_percentage_near_misses_are_declined(question):
    assert solve(question) is None


@pytest.mark.parametrize(("question", "value"), [
    ("How many metres is 4.25 km?", Fraction(4250)),
    ("how many grams are in 2.5 kg", Fraction(2500)),
    ("How many ml make 1.5 litres?", Fraction(1500)),
    ("Convert 3.2 litres to millilitres.", Fraction(3200)),
    ("What is 750 g in kg?", Fraction(3, 4)),
])
def test_unit_wordings(question, value):
    solution = solve(question)
    assert (solution.kind, solution.value) == ("units", value)


@pytest.mark.parametrize(("question", "value"), [
    ("Which is larger, 4/5 or 5/7?", Fraction(4, 5)),
    ("Which is the greater fraction: 3/8 or 2/5? Reply with only the bigger number.", Fraction(2, 5)),
    ("Which of 0.45 and 4/9 is smaller?", Fraction(4, 9)),
    ("which fraction is smaller, 5/6 or 7/9?", Fraction(7, 9)),
])
def test_comparison_wordings(question, value):
    solution = solve(question)
    assert (solution.kind, solution.value) == ("compare", value)


@pytest.mark.parametrize(("question", "missing", "completed"), [
    ("Fill in the blank: 4/11 = ?/55", 20, "4/11 = 20/55"),
    ("3/4 = 12/?", 16, "3/4 = 12/16"),
    ("?/8 = 3/4", 6, "3/4 = 6/8"),
    ("6/9 = ?/3", 2, "6/9 = 2/3"),
    ("Find the missing number: 5/__ = 15/21.", 7, "15/21 = 5/7"),
    ("What number goes in the box? 2/5 = □/35", 14, "2/5 = 14/35"),
])
def test_the_missing_number_in_equivalent_fractions(question, missing, completed):
    solution = solve(question)
    assert (solution.kind, solution.value) == ("missing_number", missing)
    assert solution.steps[-1] == completed
    assert check_answer(solution, f"The missing number is {missing}.").status == "agrees"
    assert check_answer(solution, f"The missing number is {missing + 10}.").status == "contradicts"


@pytest.mark.parametrize("question", [
    "4/11 = ?/56",  # no whole number fits
    "?/11 = ?/55",  # two blanks
    "4/11 = 20/55",  # nothing missing
    "?/0 = 3/4",
    "3/4 = 12/? + 1",
])
def test_missing_number_near_misses_are_declined(question):
    assert solve(question) is None


@pytest.mark.parametrize(("question", "kind", "result"), [
    ("whats 3 and 1/2 plus 2 and 3/4", "arithmetic", "25/4"),
    ("add 3 and 1/2", "arithmetic", "7/2"),  # "and" between the two numbers to add is not a mixed number
    ("What is 9 over 12 simplified?", "simplify", "3/4"),
    ("how many quarters are in 3 1/2", "arithmetic", "14"),
    ("how many 1/3s are in 4", "arithmetic", "12"),
    ("What do you get if you multiply 3/4 by 8?", "arithmetic", "6"),
    ("How many minutes are in 2/5 of an hour?", "units", "24"),
    ("What is 3/4 of 2 hours in minutes?", "units", "90"),
    ("what's 2/5 of 35 kg", "arithmetic", "14"),
    ("If 2/3 of a number is 18, what is the number?", "whole_from_part", "27"),
    ("25% of what is 16?", "whole_from_part", "64"),
    ("what fraction of 60 is 45", "fraction_of", "3/4"),
    ("Express 45 minutes as a fraction of an hour", "fraction_of", "3/4"),
    ("What is the reciprocal of 3/7?", "reciprocal", "7/3"),
    ("Round 2/3 to 2 decimal places", "round", "0.67"),
    ("What is 2/3 as a percentage to 1 decimal place?", "convert", "66.7%"),
    ("What is 3.456 + 1.2 to the nearest tenth?", "arithmetic", "4.7"),
    ("What is 1/3 + 1/4 as a decimal?", "arithmetic", "0.583..."),
    ("Put these in order from smallest: 2/3, 3/5, 5/8", "order", "3/5, 5/8, 2/3"),
    ("What is the slope of y = x^2 at x = 3?", "derivative_at", "6"),
    ("find f'(x) if f(x) = 2x^3 + x^2", "derivative", "6x^2 + 2x"),
    ("how many times does 1/6 go into 5/3?", "arithmetic", "10"),
    ("what percent is 9/25", "convert", "36%"),
    ("what's the largest out of 3/4, 0.7 and 72%?", "compare", "3/4"),
    ("Which is the smallest of 2/3, 0.6 and 65%?", "compare", "0.6"),
    ("Work out 4/7 + 5/14 and simplify if you can", "arithmetic", "13/14"),
])
def test_more_ways_of_asking_for_a_calculation(question, kind, result):
    solution = solve(question)
    assert (solution.kind, solution.result_text) == (kind, result)


@pytest.mark.parametrize("question", [
    "What is 3 m + 20 cm?",  # two units: the sum of the numbers would be wrong
    "What is 1/3 + 1/4 as a decimal as a percentage?",
    "Simplify 4/6 to 2 decimal places",
    "Which is bigger, 2/3 or 3/5, to 2 decimal places?",
    "How many minutes are in 2/5 of a kilogram?",
    "What fraction of an hour is 30 cm?",
])
def test_calculations_that_do_not_hold_together_are_declined(question):
    assert solve(question) is None


def test_a_recurring_percentage_is_read_as_a_percentage_by_the_checker():
    solution = solve("Write 5/6 as a percentage")
    assert check_answer(solution, "5/6 = 83.333...%").status == "agrees"
    assert check_answer(solution, "5/6 = 38.333...%").status == "contradicts"
