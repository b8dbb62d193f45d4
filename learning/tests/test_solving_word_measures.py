"""A score as a percentage, the area or perimeter of a rectangle, and a distance of equal laps."""
from fractions import Fraction

import pytest

from learning.solving import check_answer, solve


@pytest.mark.parametrize(("question", "value"), [
    ("Sarah got 42 out of 60 on her test. What is that as a percentage?", Fraction(7, 10)),
    ("Ali scored 18 out of 24 in a quiz. What percentage did he get?", Fraction(3, 4)),
    ("I got 27 out of 30 on my spelling test, what percentage is that?", Fraction(9, 10)),
    ("A quiz has 25 questions and Meg gets 21 right. What is her score as a percentage?", Fraction(21, 25)),
    ("A quiz has 25 questions and Meg gets 20 correct. What fraction did she get right?", Fraction(4, 5)),
    ("Amir answered 18 out of 20 questions correctly. What percentage did he get right?", Fraction(9, 10)),
    ("In a test, Cam scored 36 out of 48. What percentage did he score?", Fraction(3, 4)),
    ("A team lost 5 of their 20 matches. What percentage of their matches did they lose?", Fraction(1, 4)),
    ("A room is 4.5 m long and 3 m wide. What is the area of the room?", Fraction(27, 2)),
    ("A patio measures 6 m by 2 1/2 m. What is its area in square metres?", Fraction(15)),
    ("A field is 40 m by 25 m. What is its perimeter?", Fraction(130)),
    ("A field is 40 m by 25 m. What is its perimeter in km?", Fraction(13, 100)),
    ("A lawn is 10 m by 6 m and 3/4 of it is grass. What is the area of the grass?", Fraction(45)),
    ("A swimmer swims 12 lengths of a 25 m pool. How far does she swim altogether?", Fraction(300)),
    ("Leo runs 4 laps of a 400 m track. How many km is that?", Fraction(8, 5)),
    ("A wall is 5 m long and 2.4 m high. What is its area?", Fraction(12)),
    ("Ali swims 6 lengths of a 25 m pool and then swims another 50 m. How far did he swim altogether?",
     Fraction(200)),
    ("A drawing 12 cm long is enlarged by a scale factor of 3. How long is the enlarged drawing?", Fraction(36)),
    ("A photo 6 cm wide is enlarged by a scale factor of 1 1/2. How wide is the new photo?", Fraction(9)),
])
def test_scores_rectangles_and_laps(question, value):
    solution = solve(question)
    assert solution is not None and solution.value == value, question
    assert check_answer(solution, "\n".join([*solution.steps, solution.final_answer])).status != "contradicts"


@pytest.mark.parametrize("question", [
    "Ali scored 18 out of 24 in a quiz. What fraction did he get wrong?",  # the complement, not the score
    "Ali scored 30 out of 24 in a quiz. What percentage did he get?",
    "A team won 15 of their 20 matches. What percentage of their matches did they lose?",  # the other verb
    "A field is 40 m by 25 m. What is its area in square cm?",  # another unit squared
    "A field is 40 m by 25 cm. What is its area?",  # two units
    "A room is 4.5 m long and 3 m wide. What is the area of the garden?",  # another shape
    "A lawn is 10 m by 6 m and 3/4 of it is grass. What is its area?",  # the share left unused
    "A lawn is 10 m by 6 m and 3/4 of it is grass. What is the area of the patio?",
    "A swimmer swims 12 lengths of a 25 m pool. How far does she cycle altogether?",
    "A swimmer swims 12 lengths of a 25 m pool and 3 lengths of a 50 m pool. How far does she swim?",
    "Ali swims 6 lengths of a 25 m pool and then swims another 1 km. How far did he swim altogether?",  # units
    "A photo 6 cm wide is enlarged by a scale factor of 1 1/2. How long is the new photo?",  # another side
])
def test_measures_that_do_not_fit_are_declined(question):
    assert solve(question) is None


@pytest.mark.parametrize(("question", "value"), [
    ("Sam scored 12, 15 and 18 points in 3 games. What was his mean score?", Fraction(15)),
    ("The temperatures on four days were 4, 7, 9 and 12 degrees. What was the average temperature?", Fraction(8)),
    ("Four friends are 11, 12, 12 and 13 years old. What is their mean age?", Fraction(12)),
    ("Jo ran 2.5 km, 3 km and 4.1 km. What is the mean distance?", Fraction(16, 5)),
    ("The prices were £2.50, £3 and £4. What was the mean price?", Fraction(19, 6)),
])
def test_the_mean_of_a_list(question, value):
    solution = solve(question)
    assert solution is not None and solution.value == value, question
    assert check_answer(solution, "\n".join([*solution.steps, solution.final_answer])).status != "contradicts"


@pytest.mark.parametrize("question", [
    "Sam scored 12, 15 and 18 points in 4 games. What was his mean score?",  # the count disagrees
    "Three friends are 11, 12, 12 and 13 years old. What is their mean age?",
    "Jo ran 2.5 km, 3 miles and 4.1 km. What is the mean distance?",  # two units
    "Sam scored 12, 15 and 18 points but lost 2. What was his mean score?",  # a number outside the list
    "Sam scored 12, 15 and 18 points in 3 games and 20 points in the last. What was his mean score?",
    "A car travels 120 km and 80 km in 2 hours and 3 hours. What is its average speed?",
])
def test_a_mean_that_does_not_fit_is_declined(question):
    assert solve(question) is None
