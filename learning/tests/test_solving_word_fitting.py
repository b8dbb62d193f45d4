"""How many pieces of one size an amount makes, in whole pieces, with units made the same first."""
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learning.solving import check_answer, solve

FAST = settings(derandomize=True, max_examples=40, deadline=None)


def _agrees_with_itself(solution) -> bool:
    return check_answer(solution, "\n".join([*solution.steps, solution.final_answer])).status != "contradicts"


@pytest.mark.parametrize(("question", "value"), [
    ("A jug holds 2 litres. How many 250 ml cups can it fill?", Fraction(8)),
    ("A jug holds 2 litres. How many 300 ml cups can it fill?", Fraction(6)),  # whole cups only
    ("A water bottle holds 500 ml. How many bottles can I fill from 3.5 litres of water?", Fraction(7)),
    ("A sack holds 10 kg of potatoes. How many 750 g bags can be filled from it?", Fraction(13)),
    ("A 3 m pole is cut into pieces 40 cm long. How many pieces do you get?", Fraction(7)),
    ("A 3 m pole is cut into 50 cm pieces. How many pieces are there?", Fraction(6)),
    ("A ribbon is 4.5 m long and she cuts it into strips 0.75 m long. How many strips does she get?", Fraction(6)),
    ("Mum pours a 2 litre carton of milk into cups that hold 1/5 litre each. How many cups can she fill?",
     Fraction(10)),
    ("A bag of flour weighs 1.5 kg. How many 250 g portions is that?", Fraction(6)),
    ("Each box holds 12 pencils. How many boxes are needed for 60 pencils?", Fraction(5)),
    ("Each box holds 12 pencils. How many boxes are needed for 62 pencils?", Fraction(6)),  # one part full
    ("A minibus can carry 15 pupils. How many minibuses are needed for 50 pupils?", Fraction(4)),
    ("Each minibus holds 15 pupils. How many minibuses can be filled with 50 pupils?", Fraction(3)),
    ("A box holds 24 eggs. How many boxes does she need for 100 eggs?", Fraction(5)),
    ("It takes 20 minutes to bake a cake. How many cakes can she bake in 3 hours?", Fraction(9)),
    ("It takes 3/4 of an hour to mow one lawn. How many lawns can be mowed in 6 hours?", Fraction(8)),
])
def test_pieces_of_one_size(question, value):
    solution = solve(question)
    assert solution is not None and solution.value == value, question
    assert _agrees_with_itself(solution)


@pytest.mark.parametrize("question", [
    "A water bottle holds 750 ml. How many cups can I fill from 4.5 litres of water?",  # other containers
    "A jug holds 2 litres. How many 300 g cups can it fill?",  # grams are no volume
    "A jug holds 2 litres. How many 300 ml cups can it fill from 5 litres?",  # two totals
    "A 3 m pole is cut into 40 cm pieces. How many poles are there?",
    "A 3 m pole is cut into 4 pieces. How many pieces are there?",  # a count, not a size
    "It takes 20 minutes to bake a cake. How many cakes can she ice in 3 hours?",  # another job
    "A jug holds 200 ml. How many 2 litre bottles can it fill?",  # not even one
    "Each box holds 12 pencils. How many boxes are needed for 62 pens?",  # other things
    "A lift can carry 8 people. How many trips are needed for 30 people?",  # trips are not lifts
])
def test_pieces_that_do_not_fit_the_story_are_declined(question):
    assert solve(question) is None


def test_boxes_needed_round_up_and_say_why():
    solution = solve("Each box holds 12 pencils. How many boxes are needed for 62 pencils?")
    assert solution.steps[-1] == "What is left over needs one more box: 5 + 1 = 6"
    assert solution.final_answer.endswith("so the number of boxes needed is 6.")
    assert _agrees_with_itself(solution)


def test_the_leftover_is_said_and_the_result_is_read_last():
    solution = solve("A gardener has 10 kg of seed and puts 3/8 kg in each pot. How many pots can she fill?")
    assert solution.final_answer.endswith("the number of whole pots is 26.")
    assert _agrees_with_itself(solution)


@FAST
@given(st.integers(1, 20), st.integers(1, 999))
def test_whole_pieces_match_integer_division(litres, millilitres):
    solution = solve(f"A tank holds {litres} litres. How many {millilitres} ml bottles can it fill?")
    if litres * 1000 < millilitres:
        assert solution is None
    else:
        assert solution is not None and solution.value == litres * 1000 // millilitres
        assert _agrees_with_itself(solution)
