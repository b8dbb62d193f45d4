"""Prices changed by percentages, the price before a change, the percentage between two prices, interest."""
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learning.solving import check_answer, solve

FAST = settings(derandomize=True, max_examples=40, deadline=None)


def _agrees_with_itself(solution) -> bool:
    return check_answer(solution, "\n".join([*solution.steps, solution.final_answer])).status != "contradicts"


@pytest.mark.parametrize(("question", "value"), [
    ("A coat costs $90 and there is 30% off. What is the sale price?", Fraction(63)),
    ("A coat costs $90 and there is 30% off. How much is the discount?", Fraction(27)),
    ("A coat costs $90 and there is 30% off. How much do you save?", Fraction(27)),
    ("A game costs €50 and is 10% off. How much do I pay?", Fraction(45)),
    ("A jacket costs £80 plus 20% VAT. What is the total cost?", Fraction(96)),
    ("Lunch cost £24 and they left a 15% tip. How much did they pay altogether?", Fraction(138, 5)),
    ("Lunch cost £24 and they left a 15% tip. How much is the tip?", Fraction(18, 5)),
    ("A game costs €50. The price goes up by 10%. What is the new price?", Fraction(55)),
    ("A game costs €50. The price goes up by 10% and then it goes down by 10% of the new price. What is the final "
     "price?", Fraction(99, 2)),
    ("A sofa costs £600. It is reduced by 1/4, then there's another 20% off the sale price. What's the final "
     "price?", Fraction(360)),
    ("After a 25% discount, a lamp costs £36. What was the original price?", Fraction(48)),
    ("After 20% off, a coat costs £48. What was the original price?", Fraction(60)),
    ("A bag costs $30 and is on sale for 20% off. What is the sale price?", Fraction(24)),
    ("Tickets cost £12 each but there is a 25% discount. How much is a ticket now?", Fraction(9)),
    ("A phone costs £300 and VAT of 20% is added. What is the total price?", Fraction(360)),
    ("A lamp costs £36 after a 25% discount. What was the price before the discount?", Fraction(48)),
    ("A lamp costs £36 after a 20% increase. What was the original price?", Fraction(30)),
    ("The price after a 25% rise is £50. What was the original price?", Fraction(40)),
    ("An item costs $64 in a sale with 20% off. What was the price before?", Fraction(80)),
    ("The price of a ticket rose from $20 to $25. What is the percentage increase?", Fraction(1, 4)),
    ("The price of a ticket fell from $25 to $20. What was the percentage decrease?", Fraction(1, 5)),
    ("A coat used to cost £50 and now costs £40. What is the percentage decrease?", Fraction(1, 5)),
    ("A jacket was £50 and is now £35. What is the percentage decrease?", Fraction(3, 10)),
    ("A jumper costs 40 pounds and is reduced by 25%. What is the sale price?", Fraction(30)),
    ("A jumper normally costs £40. In the sale it is 25% off. What is the sale price?", Fraction(30)),
    ("A jumper is priced at €40 with a 25% discount. What is the price after the discount?", Fraction(30)),
    ("A game costs £30. How much is it with 20% off?", Fraction(24)),
    ("The bill comes to $48. They add a 25% tip. How much do they pay in total?", Fraction(60)),
    ("The price of a bike is £200 plus 20% VAT. What is the total price?", Fraction(240)),
    ("A bank account pays 5% interest per year. How much interest will £200 earn in 1 year?", Fraction(10)),
    ("A bank pays 3% interest a year. How much interest will you earn on £400 after 1 year?", Fraction(12)),
    ("A bank pays 3% simple interest a year. How much interest will you earn on £400 after 2 years?", Fraction(24)),
    ("£500 is invested at 2% simple interest per year. How much interest is earned after 3 years?", Fraction(30)),
])
def test_prices_and_percentages(question, value):
    solution = solve(question)
    assert solution is not None and solution.value == value, question
    assert _agrees_with_itself(solution)


def test_money_is_worked_in_decimals():
    solution = solve("Lunch cost £24 and they left a 15% tip. How much did they pay altogether?")
    assert solution.result_text == "27.6" and "£27.60" in solution.accepted_forms


@pytest.mark.parametrize("question", [
    "A coat costs $90 and there is 30% off. How much is the tip?",  # a discount is no tip
    "A game costs €50. The price goes up by 10%. What is the new price in pounds?",  # another currency
    "A game costs €50 and is 10% off. How much do I pay for 2 games?",  # a number left over
    "A game costs €50. It goes up by 10%. It goes down by 10%. What is the new price?",  # which price?
    "A lamp costs £36 after a 25% discount. What is the new price?",
    "A lamp costs £36 after a 125% discount. What was the original price?",
    "The price of a ticket rose from $20 to $25. What is the percentage decrease?",  # the other way
    "The price of a ticket rose from $20 to £25. What is the percentage increase?",
    "A bank pays 3% interest a year. How much interest will you earn on £400 after 2 years?",  # compound?
    "A bank pays 3% interest a year. How much interest will you earn on 400 after 1 year?",  # no money
    "A coat costs $90 and there is $30 off. What is the sale price?",  # not a percentage
    "Tickets cost £12 each but there is a 25% discount. How much is a programme now?",  # another thing
    "A meal costs $40. You leave a 15% tip. How much do you save?",
    "A game costs £30. How much is it with 20% tax?",
    "A game costs £30 and is 10% off. How much is it with 20% off?",  # which price is it off?
])
def test_a_price_story_that_does_not_fit_is_declined(question):
    assert solve(question) is None


@FAST
@given(st.integers(1, 500), st.integers(1, 99))
def test_the_price_before_a_discount_matches_fraction_arithmetic(after, percent):
    solution = solve(f"After a {percent}% discount, a chair costs £{after}. What was the original price?")
    assert solution is not None and solution.value == after / (1 - Fraction(percent, 100))
    assert _agrees_with_itself(solution)


@FAST
@given(st.integers(1, 500), st.integers(1, 500))
def test_a_percentage_change_between_prices_matches_fraction_arithmetic(old, new):
    word = "increase" if new > old else "decrease"
    solution = solve(f"A bus fare went {'up' if new > old else 'down'} from ${old} to ${new}. What is the "
                     f"percentage {word}?")
    if new == old:
        assert solution is None
    else:
        assert solution is not None and solution.value == abs(new - old) / Fraction(old)
        assert _agrees_with_itself(solution)
