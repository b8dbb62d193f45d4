"""Checking a tutor's answer against the exact solution, and the streaming hold-back offset."""
import pytest

from learning.solving import check_answer, result_span_start, solve

ADD = solve("What is 3/4 + 5/6?")


@pytest.mark.parametrize("answer", [
    "First find a common denominator: 12. 3/4 = 9/12 and 5/6 = 10/12. 9/12 + 10/12 = 19/12, which is 1 7/12.",
    "3/4 + 5/6 = 19/12",
    "The answer is 1 7/12.",
    "The answer is \\frac{19}{12}.",
    "So we get 19 / 12.",
    "The answer is 1 and 7/12.",
    "It is about 1.58",
    "3/4 + 5/6 = 19/12 = 1.583...",
    "Answer: ¾ + ⅚ = 1 7/12",
    "Step 1: 3 × 4 = 12. Step 2: the answer is 19/12. Remember 3/4 means three quarters.",
])
def test_the_right_result_in_any_form_agrees(answer):
    check = check_answer(ADD, answer)
    assert check.status == "agrees", check
    assert check.failed == ()


def test_a_wrong_result_contradicts_with_its_span():
    answer = "You add the tops and bottoms: 3/4 + 5/6 = 8/10."
    check = check_answer(ADD, answer)
    assert check.status == "contradicts"
    assert check.result.text == "8/10" and not check.result.holds
    start, end = check.spans[-1]
    assert answer[start:end] == "8/10"


def test_a_wrong_intermediate_equation_contradicts_even_when_the_result_is_right():
    answer = "9/12 + 10/12 = 18/12. So the answer is 19/12."
    check = check_answer(ADD, answer)
    assert check.status == "contradicts"
    assert [claim.text for claim in check.failed] == ["9/12 + 10/12 = 18/12"]
    assert check.result.holds
    assert check.spans == ((0, 20),)


def test_each_intermediate_equation_is_judged():
    check = check_answer(ADD, "3/4 = 9/12 and 5/6 = 10/12, and 3 × 4 = 12, so 9/12 + 10/12 = 19/12.")
    assert [claim.text for claim in check.equations] == ["3/4 = 9/12", "5/6 = 10/12", "3 × 4 = 12",
                                                          "9/12 + 10/12 = 19/12"]
    assert all(claim.holds for claim in check.equations)


def test_a_rounded_decimal_must_round_the_exact_value():
    assert check_answer(ADD, "19/12 = 1.58").status == "agrees"
    assert check_answer(ADD, "19/12 = 1.59").status == "contradicts"
    assert check_answer(ADD, "The answer is 1.6").status == "contradicts"  # one place is too coarse to accept


def test_a_named_result_wins_over_numbers_mentioned_after_it():
    check = check_answer(ADD, "So the sum is 19/12. The common denominator we used was 12.")
    assert check.status == "agrees" and check.result.text == "19/12"


def test_the_operands_of_a_restated_calculation_are_not_results():
    assert check_answer(solve("half of 40"), "That's 20, which is 1/2 of 40.").status == "agrees"


def test_an_answer_with_no_result_says_so():
    check = check_answer(ADD, "You add fractions by finding a common denominator first.")
    assert check.status == "no_result"
    assert check.result is None


def test_restating_the_question_is_not_a_result():
    assert check_answer(ADD, "To add 3/4 and 5/6 you need a common denominator.").status == "no_result"


def test_negative_results_keep_their_sign():
    check = check_answer(solve("what is 7 - 10"), "7 - 10 = -3")
    assert check.status == "agrees" and check.result.text == "-3"
    assert check_answer(solve("what is 7 - 10"), "7 - 10 = 3").status == "contradicts"


def test_algebra_lines_are_not_read_as_arithmetic():
    solution = solve("solve 3x + 5 = 20")
    assert check_answer(solution, "Subtract 5 from both sides: 3x + 5 - 5 = 20 - 5, so 3x = 15 and x = 5.").status \
        == "agrees"
    assert check_answer(solution, "3x = 15, so x = 6.").status == "contradicts"


def test_unit_statements_are_not_read_as_equations():
    solution = solve("how many cm in 2.5 m")
    assert check_answer(solution, "1 m = 100 cm, so 2.5 m = 250 cm.").status == "agrees"
    assert check_answer(solution, "There are 25 cm in 2.5 m.").status == "contradicts"


def test_derivatives_are_compared_as_polynomials():
    solution = solve("derivative of 3x^2 + 2x")
    assert check_answer(solution, "The derivative is 2x + 6x.").status == "contradicts"
    assert check_answer(solution, "f'(x) = 2 + 6x").status == "agrees"
    assert check_answer(solution, "The derivative is 6x + 2.").status == "agrees"
    assert check_answer(solution, "Bring the power down.").status == "no_result"


def test_comparisons_are_judged_as_statements():
    solution = solve("which is bigger, 3/5 or 5/8?")
    assert check_answer(solution, "5/8 is bigger than 3/5 because 25/40 > 24/40.").status == "agrees"
    assert check_answer(solution, "3/5 is larger than 5/8.").status == "contradicts"
    assert check_answer(solution, "3/5 is smaller than 5/8.").status == "agrees"
    assert check_answer(solution, "The bigger one is 3/5.").status == "contradicts"


def test_orderings_are_judged_in_the_order_written():
    solution = solve("order 0.5, 2/5, 45% from smallest")
    assert check_answer(solution, "From smallest: 2/5, 45%, 0.5.").status == "agrees"
    assert check_answer(solution, "0.5 > 45% > 2/5").status == "agrees"
    assert check_answer(solution, "The order is 0.5, 2/5, 45%.").status == "contradicts"


def test_simplifying_needs_lowest_terms():
    solution = solve("simplify 18/24")
    assert check_answer(solution, "18/24 = 3/4").status == "agrees"
    assert check_answer(solution, "18/24 = 6/8").status == "contradicts"


def test_percentages_agree_with_or_without_the_sign():
    solution = solve("3/8 as a percent")
    assert check_answer(solution, "3/8 = 0.375 = 37.5%").status == "agrees"
    assert check_answer(solution, "It is 37.5 percent").status == "agrees"
    assert check_answer(solution, "It is 3.75%").status == "contradicts"


def test_a_huge_answer_is_checked_quickly():
    import time

    started = time.perf_counter()
    check_answer(ADD, "3/4 + 5/6 = 19/12. " * 5000)
    assert time.perf_counter() - started < 30.0  # linear, not quadratic, in the answer length


@pytest.mark.parametrize(("text", "held"), [
    ("So 9/12 + 10/1", "9/12 + 10/1"),
    ("The answer is \\frac{19}{1", "\\frac{19}{1"),
    ("we get 1.5", "1.5"),
    ("so x = ", "= "),
    ("That makes 1 7/", "1 7/"),
])
def test_the_streaming_tail_that_may_still_grow_is_held(text, held):
    offset = result_span_start(text)
    assert text[offset:] == held


@pytest.mark.parametrize("text", ["Hello there.", "Find a common denominator first", ""])
def test_text_with_no_pending_number_holds_nothing(text):
    assert result_span_start(text) is None


@pytest.mark.parametrize("question", [
    "What is 3/4 + 5/6?", "2 1/2 × 3/5", "15% of 80", "What's 7 divided by 1/2?", "1/2 + 1/3 - 1/4", "simplify 18/24",
    "write 0.375 as a fraction", "3/8 as a percent", "which is bigger, 3/5 or 5/8?", "order 0.5, 2/5, 45% from smallest",
    "GCD of 12 and 18", "lcm of 4 and 6", "2^10", "(2/3)^2", "2^-2", "square root of 144", "cube root of 27",
    "how many cm in 2.5 m", "convert 2500 m to km", "solve 3x + 5 = 20", "Solve 5x - 3 = 2x + 9",
    "derivative of 3x^2 + 2x", "differentiate x^3 - 4x + 1", "What is 1.5 × 0.2?", "what is 7 - 10",
    "What is 45% as a fraction?", "convert 19/12 to a mixed number", "write 1/3 as a decimal", "What is √(9/16)?",
    "Sam eats 1/4 of a pizza and Ann eats 1/3 of the pizza. How much of the pizza is left?", "what is 3 2/3 - 1 5/6",
])
def test_the_solvers_own_working_passes_the_checker(question):
    """Every equation in the worked steps is true, and the final sentence states the result."""
    solution = solve(question)
    check = check_answer(solution, solution.prompt_text())
    assert check.status == "agrees", check.failed


@pytest.mark.parametrize("answer", [
    "You can fill 6 glasses, with 200 ml left over.",
    "6 glasses with 200 ml left",
    "1700 ml ÷ 250 ml = 6.8, so 6 full glasses and 200 ml remaining.",
])
def test_what_is_left_beside_the_result_is_not_read_as_the_result(answer):
    solution = solve("A jug holds 1.7 litres. How many 250 ml glasses can be filled?")
    check = check_answer(solution, answer)
    assert check.status == "agrees" and check.result.text == "6"


def test_a_wrong_result_with_a_leftover_still_contradicts():
    solution = solve("A jug holds 1.7 litres. How many 250 ml glasses can be filled?")
    check = check_answer(solution, "You can fill 7 glasses with 50 ml left over.")
    assert check.status == "contradicts" and check.result.text == "7"


def test_when_what_is_left_is_the_question_the_leftover_is_the_result():
    solution = solve("Sam has 12 apples and eats 5. How many apples are left?")
    assert solution is not None and solution.value == 7
    assert check_answer(solution, "He eats 5 and is left with 7 apples.").status == "agrees"
    assert check_answer(solution, "Sam eats 5, with 7 apples left.").status == "agrees"
    assert check_answer(solution, "Sam eats 5, with 6 apples left.").status == "contradicts"
