"""A whole broken into parts: one part, the rest, what is left, or a part as a percentage; declined otherwise."""
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learning.solving import check_answer, solve

FAST = settings(derandomize=True, max_examples=40, deadline=None)


def _agrees_with_itself(solution) -> bool:
    return check_answer(solution, "\n".join([*solution.steps, solution.final_answer])).status != "contradicts"


@pytest.mark.parametrize(("question", "value"), [
    # a part named by what its clause says, and its complement
    ("In a club of 30 members, 2/5 are adults. How many children are there?", Fraction(18)),
    ("In a club of 30 members, 2/5 are adults. How many adults are there?", Fraction(12)),
    ("There are 32 pupils in a class and 25% of them wear glasses. How many wear glasses?", Fraction(8)),
    ("There are 32 pupils in a class and 25% of them wear glasses. How many pupils do not wear glasses?",
     Fraction(24)),
    ("25% of the 60 trees in the park are oaks. How many trees are not oaks?", Fraction(45)),
    ("A farm has 90 cows and 40% of them are brown. The rest are black. How many black cows are there?",
     Fraction(54)),
    ("In a poll of 60 voters, 1/3 voted for Sam, 1/4 voted for Ali and the rest voted for Jo. How many voted for Jo?",
     Fraction(25)),
    ("In a survey of 80 people, 1/4 chose tea and 45% chose coffee. How many people chose neither?", Fraction(24)),
    ("In a survey of 80 people, 1/4 chose tea and 45% chose coffee. How many people chose tea?", Fraction(20)),
    ("There are 50 cars in a car park. 30 are red. What percentage are red?", Fraction(3, 5)),
    # amounts taken away, of the whole or of what is left
    ("A baker makes 120 rolls. He sells 3/4 of them in the morning and 1/2 of the rest in the afternoon. How many "
     "rolls are left?", Fraction(15)),
    ("There are 40 sweets in a jar. Ali eats 1/8 of them and gives 1/5 of them to his sister. How many sweets "
     "are left?", Fraction(27)),
    ("Ava has £40. She spends 1/4 of it on a book and £12 on a top. How much money does she have left?",
     Fraction(18)),
    ("Ben earns £300 a week and saves 20% of it. How much does he save?", Fraction(60)),
    ("A jar holds 2 1/2 litres of soup. Tom eats 2/5 of it. How many litres does he eat?", Fraction(1)),
    ("A rope 8 m long has 2 1/2 m cut off. How many metres are left?", Fraction(11, 2)),
    ("Kim had 5 kg of flour and used 1 3/4 kg to bake bread. How much flour does she have left?",
     Fraction(13, 4)),
    ("A cyclist has ridden 2/3 of a 36 km route. How many km are left?", Fraction(12)),
    ("A hiker has walked 3/4 of a 10 mile trail. How far does she still have to walk?", Fraction(5, 2)),
    ("A tank holds 60 litres and is 2/3 full. How many more litres are needed to fill it?", Fraction(20)),
    ("There are 28 children in a class and 4/7 of them walk to school. how many walk to school", Fraction(16)),
    ("30 pupils are in a class and 2/5 of them have a dog. How many pupils don't have a dog?", Fraction(18)),
    ("A bus has driven 2/3 of a 60-mile route. How many miles are left?", Fraction(20)),
    ("There are 30 cars in a car park. 2/5 of them are red and 1/3 of them are blue. How many are neither red "
     "nor blue?", Fraction(8)),
    ("A class has 30 pupils. 40% of them are girls. How many boys are in the class?", Fraction(18)),
    ("Of the 30 pupils in a class, 40% are girls. How many are boys?", Fraction(18)),
    ("A rope is 12 m long. Sam cuts off 3.5 m. How much rope is left?", Fraction(17, 2)),
    ("A rope is 12 m long. Sam cuts off 3.5 m. How long is the rope now?", Fraction(17, 2)),
    ("A film lasts 2 1/4 hours. We have watched 1 1/2 hours. How long is left?", Fraction(3, 4)),
    ("There are 25 children at a party. 60% are girls. How many boys are at the party?", Fraction(10)),
    ("Out of 40 pupils, 15 walk to school. What percentage walk to school?", Fraction(3, 8)),
    ("A farmer had 150 eggs and 12% of them broke. How many eggs were not broken?", Fraction(132)),
    ("A bakery made 200 cakes and sold 85% of them. How many cakes were sold?", Fraction(170)),
    ("Amy has 45 stickers. She gives 1/3 to her brother and 1/5 to her sister. How many does she have left?",
     Fraction(21)),
    ("A bucket holds 12 litres of water. 3/4 of the water is used. How much water is left?", Fraction(3)),
    ("A class of 32 has 18 girls. What percentage of the class are girls?", Fraction(9, 16)),
    ("A class of 32 has 18 girls. How many boys are in the class?", Fraction(14)),
    ("In a class of 30, 12 are boys. What percentage are girls?", Fraction(3, 5)),
    ("A bus can carry 48 people. It is 3/4 full. How many more people can get on?", Fraction(12)),
    ("A car park has 120 spaces. 85 are taken. How many spaces are empty?", Fraction(35)),
    ("Kim has 36 marbles. She loses 25% of them. How many does she have now?", Fraction(27)),
    ("Kim had 36 marbles but lost 1/3 of them. How many marbles are left?", Fraction(24)),
    ("A shop had 250 T-shirts and sold 40% of them. How many T-shirts are left?", Fraction(150)),
    ("Of the 200 people at a concert, 3/5 were adults. How many children were there?", Fraction(80)),
    ("40% of my 25 classmates walk to school. How many do not walk to school?", Fraction(15)),
    ("Lucy saved £85. She spent £23.50 on a present. How much money does she have left?", Fraction(123, 2)),
    ("The journey is 120 km. We have driven 75 km. How much further do we have to go?", Fraction(45)),
    ("A film is 2 hours long. We have watched 1 1/4 hours. How much of the film is left?", Fraction(3, 4)),
    ("A box of chocolates has 24 chocolates. Tom eats 1/6 and Sue eats 1/4. How many chocolates are left?",
     Fraction(14)),
    ("A jug holds 2 litres and is 3/4 full. How many more millilitres are needed to fill it?", Fraction(500)),
])
def test_a_whole_broken_into_parts(question, value):
    solution = solve(question)
    assert solution is not None and solution.value == value, question
    assert _agrees_with_itself(solution)


@pytest.mark.parametrize("question", [
    "There are 32 pupils in a class and 25% of them wear glasses. How many pupils wear hats?",  # not a part
    "In a survey of 80 people, 1/4 chose tea and 45% chose coffee. How many people chose juice?",
    "There are 50 cars in a car park. 30 are red. What percentage are blue?",
    "Ben earns £300 a week and saves 20% of it. How much does he spend?",  # another verb
    "Kim had 5 kg of flour and used 1 3/4 kg to bake bread. How much sugar does she have left?",  # another thing
    "Ava has £40. She spends 1/4 of it on a book and $12 on a top. How much money does she have left?",
    "A tank holds 60 litres and is 2/3 full. How many more kg are needed to fill it?",
    "In a class of 28 pupils, 3/7 are boys and 4 are absent. How many girls are there?",  # a second part
    "In a class of 28 pupils, 3/7 are boys. How many pupils are there?",  # the whole, already stated
    "In a class of 28 pupils, 3/7 are boys. How many girls are left?",  # nothing was taken away
    "There are 36 sweets in a bag. Ella eats 1/4 of the cakes. How many sweets are left?",  # another whole
    "There are 35 sweets in a bag. Ella eats 1/4 of them. How many sweets are left?",  # not a whole sweet
    "There are 36 sweets in a bag. Ella eats 3/4 of them and gives 1/2 of them away. How many sweets are left?",
    "A baker makes 120 rolls. 1/2 of the rest are sold. How many rolls are left?",  # no verb to take
    "30 pupils are in a class and 2/5 of them have a dog. How many pupils don't have a cat?",
    "A tank holds 60 litres and is 2/3 full. How many litres are left?",  # left in the tank, or to fill?
    "A bakery made 200 cakes and sold 85% of them. How many cakes were eaten?",  # another verb
    "A bucket holds 12 litres of water. 3/4 of the water is used. How much water is spilt?",
    "In a class of 30, 12 are boys. What percentage are teachers?",
    "A car park has 120 spaces and 85 are taken. How many spaces are left?",  # taken is not taken away
    "Kim has 36 marbles. She loses 25% of them. How many pens does she have now?",
    "A film is 2 hours long. We have watched 1 1/4 hours. How much of the book is left?",
    "A test has 20 questions. Tom got 15 right. How many did he get wrong?",
    "Ben earns £500 a month and saves 30% of it. How much does he have left?",  # what is saved is still had
    "There are 30 cars in a car park. 2/5 of them are red and 1/3 of them are blue. How many are neither red "
    "nor green?",
    "In a survey of 80 people, 1/4 chose tea and 45% chose coffee, but 6 chose both. How many chose neither?",
])
def test_a_breakdown_that_does_not_fit_is_declined(question):
    assert solve(question) is None


@pytest.mark.parametrize(("question", "value"), [
    ("Sam reads 1/3 of a book on Saturday and 1/4 of it on Sunday. What fraction of the book has he read so far?",
     Fraction(7, 12)),
    ("Sam reads 1/3 of a book on Saturday and 1/4 of it on Sunday. What fraction does he still have to read?",
     Fraction(5, 12)),
    ("I spent 1/3 of my birthday money on a game and 1/4 of it on sweets. What fraction of my money is left?",
     Fraction(5, 12)),
])
def test_parts_of_one_whole_in_more_words(question, value):
    solution = solve(question)
    assert solution is not None and solution.value == value, question


@FAST
@given(st.integers(1, 30), st.integers(2, 12), st.integers(1, 11), st.booleans())
def test_a_part_and_its_complement_match_fraction_arithmetic(groups, denominator, numerator, complement):
    numerator = numerator % (denominator - 1) + 1
    whole = groups * denominator
    asked = "How many children are there?" if complement else "How many adults are there?"
    solution = solve(f"In a club of {whole} members, {numerator}/{denominator} are adults. {asked}")
    part = Fraction(numerator, denominator) * whole
    assert solution is not None and solution.value == (whole - part if complement else part)
    assert _agrees_with_itself(solution)


@pytest.mark.parametrize(("question", "value"), [
    ("A bus is 5/6 full with 45 passengers. How many passengers can it hold?", Fraction(54)),
    ("A tank is 3/4 full when it has 30 litres of water. How much water can it hold?", Fraction(40)),
    ("30% of Ben's savings is £60. How much are his savings altogether?", Fraction(200)),
    ("When the jug is 2/3 full it holds 600 ml. How much can the jug hold?", Fraction(900)),
])
def test_the_whole_from_a_share_of_it(question, value):
    solution = solve(question)
    assert solution is not None and solution.value == value, question
    assert _agrees_with_itself(solution)


@pytest.mark.parametrize("question", [
    "A bus is 5/6 full with 45 passengers. How many passengers can the train hold?",  # another whole
    "A bus is 5/6 full with 45 passengers. How many dogs can it hold?",
    "30% of Ben's savings is £60. How much is his car?",
])
def test_a_whole_of_something_else_is_declined(question):
    assert solve(question) is None
