from pathlib import Path

import pytest

from annotation.router.qa import QAFormatError, QAQuestion, answer_is_correct, numbers_in, read_qa

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "router_qa.jsonl"


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
    ("carbon dioxides", False),  # whole words only
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
])
def test_exact_matches_the_answer_or_its_first_sentence(answer, right):
    question = QAQuestion("Is 3/4 proper or improper? One word.", ("proper",), "exact")
    assert answer_is_correct(question, answer) is right


@pytest.mark.parametrize("line, message", [
    ('{"question": "q", "gold": ["a"]}', "field 'check'"),
    ('{"question": "q", "gold": ["a"], "check": "fuzzy"}', "field 'check'"),
    ('{"question": "q", "gold": [], "check": "exact"}', "field 'gold'"),
    ('{"question": "q", "gold": ["three"], "check": "numeric"}', "needs numbers"),
    ('{"question": "q", "gold": ["a"], "check": "exact", "extra": 1}', "field 'extra'"),
    ("not json", "not JSON"),
])
def test_bad_lines_name_the_line_and_field(tmp_path, line, message):
    path = tmp_path / "qa.jsonl"
    path.write_text('{"question": "ok", "gold": ["1"], "check": "numeric"}\n' + line + "\n")
    with pytest.raises(QAFormatError, match="line 2") as error:
        read_qa(path)
    assert message in str(error.value)


def test_shipped_question_file_has_200_gradable_questions():
    questions = read_qa(FIXTURE)
    assert len(questions) >= 200
    assert {q.course for q in questions} == {"fractions", "photosynthesis"}
    for q in questions:
        assert answer_is_correct(q, q.gold[0]), q
        assert not answer_is_correct(q, q.question), q
