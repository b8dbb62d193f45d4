import pytest

from annotation.router.qa import QAQuestion, answer_is_correct, numbers_in


def numeric(question, *gold):
    return QAQuestion(question, gold, "numeric")


@pytest.mark.parametrize("answer, right", [
    ("1/2 + 1/4 = 3/4.", True),
    ("The answer is 0.75", True),
    ("That makes 75%.", True),
    ("1/2 + 1/4 = 2/6", False),
    ("3/4? No wait, it is 2/6", False),  # the final number is the answer
    ("Add 1/2 and 1/4.", False),  # only restates the question
    ("I am not sure.", False),
])
def test_numeric_takes_the_last_new_number(answer, right):
    assert answer_is_correct(numeric("What is 1/2 + 1/4?", "3/4"), answer) is right


def test_numeric_understands_mixed_numbers_and_thousands():
    assert answer_is_correct(numeric("What is 3 2/5 - 1 7/8?", "61/40"), "You get 1 21/40.")
    assert numbers_in("1,000 and 2 1/2 and 50% and .5") == [1000, 2.5, 0.5, 0.5]


@pytest.mark.parametrize("answer, right", [
    ("Plants take in carbon dioxide.", True),
    ("They take in CO2 from the air", True),
    ("It is not carbon dioxide, it is oxygen.", False),
    ("carbon dioxideish", False),  # whole words only (a plural "s" aside)
    ("Carbon dioxide. Plants take it in through stomata.", True),  # a full stop ends the word
])
def test_contains_needs_the_phrase_as_whole_words_not_negated(answer, right):
    question = QAQuestion("Which gas do plants take in?", ("carbon dioxide", "CO2"), "contains")
    assert answer_is_correct(question, answer) is right


@pytest.mark.parametrize("answer, right", [
    ("Proper.", True),
    ("Proper. Because 3 is less than 4.", True),
    ("The answer is: proper!", True),
    ("It is proper", False),
    ("Your course notes say: “A fraction less than 1 is proper.”\n\nProper. Its top is smaller.", True),
    ("Your course notes say: “A fraction less than 1 is proper.”\n\nIt is improper.", False),
    ("Your course notes say: “Proper.”\n\nImproper.", False),  # the tutor's own words, not the quote's
])
def test_exact_matches_the_answer_or_its_first_sentence(answer, right):
    question = QAQuestion("Is 3/4 proper or improper? One word.", ("proper",), "exact")
    assert answer_is_correct(question, answer) is right


PIZZA = QAQuestion("What fraction of the pizza did you eat?\na) 1/6\nb) 6/1\nc) 1/5\nd) 5/6", ("a",), "choice",
                   options=(("a", "1/6"), ("b", "6/1"), ("c", "1/5"), ("d", "5/6")))


@pytest.mark.parametrize("answer, right", [
    ("You ate 1/6 of the pizza.", True),
    ("a) 1/6", True),
    ("The answer is (a).", True),
    ("Option a: one slice out of six.", True),
    ("A.", True),
    ("The answer is a.", True),
    ("a", True),
    ("It is 1/6, not 5/6.", True),  # a negated option is not named
    ("The answer is a fraction: 5/6.", False),  # "a fraction" is not option a
    ("It could be 1/6 or 1/5.", False),  # names a wrong option too
    ("b) 6/1", False),
    ("Either (a) or (d).", False),
    ("I am not sure.", False),
])
def test_choice_names_the_right_option_and_no_wrong_one(answer, right):
    assert answer_is_correct(PIZZA, answer) is right


def test_choice_texts_are_matched_longest_first():
    gas = QAQuestion("Which does photosynthesis release?", ("b",), "choice",
                     options=(("a", "oxygen and glucose"), ("b", "oxygen"), ("c", "carbon dioxide")))
    assert answer_is_correct(gas, "It releases oxygen.")
    assert not answer_is_correct(gas, "It releases oxygen and glucose.")  # names option a, not also b
    assert not answer_is_correct(gas, "Oxygen and carbon dioxide.")


@pytest.mark.parametrize(("question", "gold", "answer", "right"), [
    ("Simplify 42/56", ("3/4",), "42/56 = 3/4.", True),
    ("Simplify 42/56", ("3/4",), "42/56 is already as simple as it gets: 42/56.", False),
    ("Convert 7/20 to a decimal", ("0.35",), "7 ÷ 20 = 0.35", True),
    ("Convert 7/20 to a decimal", ("0.35",), "7 ÷ 20 = 0.45", False),
    ("Which is bigger, 4/7 or 5/9?", ("4/7",), "4/7 is bigger than 5/9.", False),  # only restates: not judged right
])
def test_numeric_when_the_answer_has_the_value_of_a_number_the_question_states(question, gold, answer, right):
    assert answer_is_correct(numeric(question, *gold), answer) is right


@pytest.mark.parametrize(("gold", "answer", "right"), [
    ("guard cell", "Each stoma is opened and closed by a pair of guard cells.", True),
    ("reflect", "Chlorophyll reflects green light.", True),
    ("autotroph", "They are called autotrophs.", True),
    ("cell", "It happens in the cellulose wall.", False),
    ("reflect", "Chlorophyll does not reflect red light.", False),
])
def test_contains_accepts_a_plural_or_third_person_s(gold, answer, right):
    assert answer_is_correct(QAQuestion("Why?", (gold,), "contains"), answer) is right
