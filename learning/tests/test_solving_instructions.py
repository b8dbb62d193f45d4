"""Instructions about the answer around a question: filler, or a form the result must be stated in."""
from fractions import Fraction

import pytest

from learning.solving import check_answer, solve
from learning.solving.wording import Instructions, normalise, strip_instructions


@pytest.mark.parametrize(("question", "value"), [
    ("What is 2/3 + 1/5? Reply with just the answer.", Fraction(13, 15)),
    ("what is 7 x 8?  Answer with a number please", Fraction(56)),
    ("Show your working. What is 1 1/2 - 3/4?", Fraction(3, 4)),
    ("Work out 5/9 × 3/10. Show all your working!", Fraction(1, 6)),
    ("Simplify 35/49. Give your answer as a fraction in its lowest terms.", Fraction(5, 7)),
    ("What is 4/9 + 2/9? Answer in simplest form.", Fraction(2, 3)),
    ("What is 0.3 × 0.4? Just give the answer, no explanation needed.", Fraction(3, 25)),
    ("Calculate 12 ÷ 1/3. Respond with only the number. Thanks", Fraction(36)),
])
def test_instructions_that_add_nothing_are_filler(question, value):
    solution = solve(question)
    assert solution is not None and solution.value == value


@pytest.mark.parametrize(("question", "shown"), [
    ("Give your answer as a decimal. What is 3/8 + 1/4?", "0.625"),
    ("What is 1/6 + 3/4, giving your answer as a mixed number?", "11/12"),  # no mixed form below 1
    ("What is 5/6 + 3/4? Write your answer as a mixed number.", "1 7/12"),
    ("What is 3/20 + 1/4? Give your answer as a percentage.", "40%"),
    ("What is 0.5 + 0.125? Give your answer as a fraction.", "5/8"),
    ("Solve 4x = 3. Give your answer as a decimal.", "x = 0.75"),
    ("What is 2/3 of 9? Give your answer as a whole number.", "6"),
])
def test_a_requested_form_changes_how_the_result_is_stated(question, shown):
    solution = solve(question)
    assert solution.result_text == shown
    assert shown in solution.accepted_forms
    assert shown.removeprefix("x = ") in solution.final_answer


def test_the_requested_form_is_shown_as_a_step_and_checked_like_any_form():
    solution = solve("What is 3/20 + 1/4? Give your answer as a percentage.")
    assert solution.steps[-1] == "0.4 × 100 = 40, so 40%"
    assert check_answer(solution, "So the answer is 40%.").status == "agrees"
    assert check_answer(solution, "So the answer is 45%.").status == "contradicts"


@pytest.mark.parametrize("question", [
    "Which is smaller, 4/5 or 5/7? Reply with only the bigger number.",  # the instruction contradicts the question
    "What is 2/3 + 1/4? Reply with only the bigger number.",  # not a comparison
    "Write 0.5 as a fraction. Give your answer as a decimal.",  # two different forms asked for
    "What is 1/3 + 1/4? Give your answer as a decimal. Give your answer as a fraction.",
    "What is 1/2 of 9? Give your answer as a whole number.",  # 9/2 is not whole
    "Which is bigger, 0.7 or 2/3? Give your answer as a percentage.",
    "What is 1/3 to 2 decimal places, or to 3 decimal places?",  # two roundings: which one?
    "What is 3/4 + 1/8? Explain why we need a common denominator.",
])
def test_instructions_that_do_not_fit_are_declined(question):
    assert solve(question) is None


@pytest.mark.parametrize(("question", "kept", "instructions"), [
    ("Which is bigger, 4/5 or 5/7? Reply with only the bigger number.", "which is bigger, 4/5 or 5/7?",
     Instructions(size="bigger", result_only=True)),
    ("Write 5 3/8 as an improper fraction", "write 5 3/8 as an improper fraction", Instructions()),
    ("Express 3/8 as a percentage.", "express 3/8 as a %.", Instructions()),
    ("Show your working", "show your working", Instructions()),  # nothing else left: kept, and declined
])
def test_only_whole_instruction_clauses_are_stripped(question, kept, instructions):
    assert strip_instructions(normalise(question)) == (kept, instructions)


@pytest.mark.parametrize(("question", "result_only"), [
    ("What is 2/3 + 1/5? Reply with just the answer.", True),
    ("What is 0.3 × 0.4? Just give the answer, no explanation needed.", True),
    ("Calculate 12 ÷ 1/3. Respond with only the number.", True),
    ("What is 2/3 + 1/6? No working needed.", True),
    ("What is 2/3 + 1/6? Show your working.", False),
    ("Simplify 35/49. Give your answer as a fraction in its lowest terms.", False),
    ("What is 2/3 + 1/6?", False),
])
def test_a_request_for_the_result_alone_is_remembered(question, result_only):
    assert solve(question).result_only is result_only


def test_a_conversion_to_an_improper_fraction_ends_at_the_improper_fraction():
    solution = solve("Write 5 3/8 as an improper fraction.")
    assert (solution.result_text, solution.final_answer) == ("43/8", "5 3/8 = 43/8.")
    assert "5 3/8" in solution.accepted_forms and check_answer(solution, "It is 43/8.").status == "agrees"
