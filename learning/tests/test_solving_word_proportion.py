"""An amount for some items scaled to other items, or to one: pay for hours, a recipe for people, fuel for a
distance, a speed."""
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learning.solving import check_answer, solve

FAST = settings(derandomize=True, max_examples=40, deadline=None)


@pytest.mark.parametrize(("question", "value"), [
    ("Jo is paid $11 an hour. How much does she earn for 6 hours?", Fraction(66)),
    ("Jo is paid $11 an hour and works for 6 hours. How much does she earn?", Fraction(66)),
    ("A cleaner earns £10.40 per hour. How much does he earn for working 2 1/2 hours?", Fraction(26)),
    ("5 pens cost £2.40. How much do 8 pens cost?", Fraction(96, 25)),
    ("If 4 mangoes cost €3.20, what do 10 mangoes cost?", Fraction(8)),
    ("Each ticket costs $8. What do 5 tickets cost?", Fraction(40)),
    ("A recipe for 6 people needs 450 g of rice. How much rice is needed for 4 people?", Fraction(300)),
    ("A recipe for 6 people needs 450 g of rice. How many kg of rice are needed for 4 people?", Fraction(3, 10)),
    ("A soup needs 3/4 cup of stock per bowl. How much stock do I need for 6 bowls?", Fraction(9, 2)),
    ("A lorry uses 30 litres of diesel every 100 km. How much diesel does it use for a 250 km journey?",
     Fraction(75)),
    ("A printer prints 12 pages per minute. How many pages does it print in 15 minutes?", Fraction(180)),
    ("A cyclist rides 45 km in 3 hours. What is her average speed?", Fraction(15)),
    ("A cyclist travels 45 km in 90 minutes. What is her average speed in km per hour?", Fraction(30)),
    ("A car went 320 km in 4 hours. How far does it travel per hour?", Fraction(80)),
    ("A van travels 96 miles on 8 litres of fuel. How many miles does it travel per litre?", Fraction(12)),
    ("A bus ticket costs $2.75. How much do 4 tickets cost?", Fraction(11)),
    ("A box holds 24 eggs. How many eggs do 5 boxes hold?", Fraction(120)),
    ("A car travels at 60 km per hour. How far does it travel in 2 1/2 hours?", Fraction(150)),
    ("A cyclist travels 36 km in 1 1/2 hours. What is his speed in km/h?", Fraction(24)),
    ("A train travels at 80 km/h for 2 1/2 hours. How far does it go?", Fraction(200)),
    ("A train travels at 80 km/h. How long does it take to travel 200 km?", Fraction(5, 2)),
    ("Sue cycles 12 km in 45 minutes. How far does she cycle in 1 hour?", Fraction(16)),
    ("Rice costs £1.20 per kg. How much does 2.5 kg of rice cost?", Fraction(3)),
    ("Apples cost £2 per kilogram. How much do 750 g of apples cost?", Fraction(3, 2)),
    ("A tap drips 40 ml every hour. How much water does it drip in 6 hours?", Fraction(240)),
    ("Jo is paid $11 an hour. How much does she earn for 90 minutes?", Fraction(33, 2)),
    ("A jumper costs 40 dollars. How much do 3 jumpers cost?", Fraction(120)),
    ("A pancake recipe uses 1/4 cup of milk. How much milk is needed for 6 pancakes?", Fraction(3, 2)),
    ("I earn $8 an hour babysitting. How much do I earn for 5 hours?", Fraction(40)),
    ("My brother is paid £7.50 per hour. He works 6 hours. How much does he earn?", Fraction(45)),
    ("We need 3/4 cup of sugar for one batch of cookies. How much sugar do we need for 3 batches?", Fraction(9, 4)),
    ("I bought 4 pens for $6. How much would 10 pens cost?", Fraction(15)),
])
def test_an_amount_scaled_to_other_items(question, value):
    solution = solve(question)
    assert solution is not None and solution.value == value, question
    assert check_answer(solution, "\n".join([*solution.steps, solution.final_answer])).status != "contradicts"


@pytest.mark.parametrize("question", [
    "Jo is paid $11 an hour. How much does she earn for 6 days?",  # other items
    "Jo is paid $11 an hour and works for 6 hours. How much does she spend?",  # another verb
    "5 pens cost £2.40. How much do 8 pencils cost?",
    "5 pens cost £2.40. How much do 8 pens weigh?",  # a price is not a weight
    "A recipe for 6 people needs 450 g of rice. How much sugar is needed for 4 people?",
    "A lorry uses 30 litres of diesel every 100 km. How much diesel does it use for 250 miles?",
    "A printer prints 12 pages per minute. How many pages does it scan in 15 minutes?",
    "A car travels 150 km on 12 litres of petrol. What is its average speed?",  # litres are no time
    "A car went 320 km in 4 hours. How far does it travel per litre?",
    "A train goes 180 km in 2 1/4 hours. What is its average speed in miles per hour?",  # not exact
    "5 pens cost £2.40 and 3 rulers cost £1.50. How much do 8 pens cost?",  # a second rate
    "A box holds 24 eggs. How many eggs do 5 crates hold?",
    "A box holds 24 eggs. How many pens do 5 boxes hold?",
    "Jo is paid $11 an hour. How much does she earn for 6 days?",  # a working day is not 24 hours
    "A pancake recipe uses 1/4 cup of milk. How much milk is needed for 6 pies?",
    "My brother is paid £7.50 per hour. He works 6 days. How much does he earn?",
    "I bought 4 pens for $6. How much would 10 pens weigh?",
    "A train travels at 80 km/h. How long does it take to travel 200 miles?",
])
def test_a_proportion_that_does_not_fit_is_declined(question):
    assert solve(question) is None


def test_money_for_a_mixed_number_of_hours_is_in_pounds_and_pence():
    solution = solve("Tom earns $12.50 an hour. How much does he earn for working 7 1/2 hours?")
    assert solution.result_text == "93.75" and "$93.75" in solution.accepted_forms


@FAST
@given(st.integers(1, 20), st.integers(1, 999), st.integers(1, 50))
def test_scaling_matches_fraction_arithmetic(count, pence, wanted):
    price = Fraction(pence, 100)
    solution = solve(f"{count} bags of crisps cost £{pence // 100}.{pence % 100:02d}. How much do {wanted} bags of "
                     f"crisps cost?")
    assert solution is not None and solution.value == price / count * wanted


@pytest.mark.parametrize(("question", "value"), [
    ("Tom and Ann share £45 in the ratio 2:3. How much does Ann get?", Fraction(27)),
    ("Share 60 sweets between Tom, Ann and Bo in the ratio 1 : 2 : 3. How many does Bo get?", Fraction(30)),
    ("60 sweets are shared between Tom, Ann and Bo in the ratio 1:2:3. How many sweets does Ann get?", Fraction(20)),
    ("Tom and Ann share £45 in the ratio 2:3. What is the larger share?", Fraction(27)),
])
def test_an_amount_shared_in_a_ratio(question, value):
    solution = solve(question)
    assert solution is not None and solution.value == value, question
    assert check_answer(solution, "\n".join([*solution.steps, solution.final_answer])).status != "contradicts"


@pytest.mark.parametrize("question", [
    "Tom and Ann share £45 in the ratio 2:3. How much does Bo get?",  # not one of them
    "60 sweets are shared between Tom and Ann in the ratio 1:2:3. How many sweets does Ann get?",  # 3 parts, 2 people
    "Tom and Ann share £45 in the ratio 2:3. How many sweets does Ann get?",  # not what is shared
    "Tom and Ann share £45 in the ratio 3:3. What is the larger share?",  # neither is larger
])
def test_a_ratio_share_that_does_not_fit_is_declined(question):
    assert solve(question) is None


@FAST
@given(st.integers(1, 9), st.integers(1, 9), st.integers(1, 500))
def test_a_ratio_share_matches_fraction_arithmetic(first, second, total):
    solution = solve(f"Ali and Ben share £{total} in the ratio {first}:{second}. How much does Ben get?")
    assert solution is not None and solution.value == Fraction(total * second, first + second)
