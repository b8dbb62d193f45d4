"""fixtures/tutor_eval.jsonl: loads through the QA reader, has enough questions of each kind, grades its own gold
answers as right, backs each factual question with a sentence of the course notes, and shares no question with
the router fixtures."""
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from annotation.router.qa import answer_is_correct, numbers_in
from bench.retraining.benchmark import read_corrections
from bench.router.questions import QAFormatError, read_qa

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
EVAL = read_qa(FIXTURES / "tutor_eval.jsonl")
MINIMUMS = {"calculation": 60, "factual": 60, "word_problem": 30}


def normalised(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold().replace("*", "")
    return re.sub(r"\s+", " ", re.sub(r"[^\w/%.]+", " ", folded)).strip(" .")


def router_questions() -> set[str]:
    questions = [q.question for name in ("router_qa.jsonl", "router_qa_heldout.jsonl") for q in read_qa(FIXTURES / name)]
    for row in read_corrections(FIXTURES / "retrain_corrections.jsonl"):
        questions += [row.question, *row.rewordings]
    return {normalised(q) for q in questions}


def test_every_question_has_a_category_and_a_demo_course_and_each_kind_reaches_its_minimum():
    assert all(q.category in MINIMUMS and q.course in {"fractions", "photosynthesis"} for q in EVAL)
    counts = Counter(q.category for q in EVAL)
    assert all(counts[kind] >= minimum for kind, minimum in MINIMUMS.items()), counts


def test_no_question_repeats_the_router_fixtures_or_itself():
    ours = [normalised(q.question) for q in EVAL]
    assert len(set(ours)) == len(ours)
    assert not set(ours) & router_questions()


@pytest.mark.parametrize("question", [q for q in EVAL if q.category == "factual"], ids=lambda q: q.question[:50])
def test_a_factual_question_quotes_a_sentence_of_its_course_notes(question):
    notes = normalised((FIXTURES / "content" / f"{question.course}.md").read_text(encoding="utf-8"))
    assert question.support and normalised(question.support) in notes


@pytest.mark.parametrize("question", EVAL, ids=lambda q: q.question[:50])
def test_the_gold_answer_grades_as_right(question):
    assert answer_is_correct(question, f"The answer is {question.gold[0]}")


@pytest.mark.parametrize("question", [q for q in EVAL if q.check == "numeric"], ids=lambda q: q.question[:50])
def test_a_numeric_gold_is_not_a_number_the_question_states(question):
    # The numeric check ignores restated numbers, so such a question could never be answered right.
    stated = set(numbers_in(question.question))
    assert not any(value in stated for value in numbers_in(" ".join(question.gold)))


def test_a_wrong_answer_to_a_calculation_grades_as_wrong():
    calculations = [q for q in EVAL if q.category == "calculation" and q.check == "numeric"]
    assert not any(answer_is_correct(q, f"The answer is {q.gold[0]}1") for q in calculations)


def test_category_and_support_are_optional_but_checked(tmp_path):
    path = tmp_path / "qa.jsonl"
    path.write_text('{"question": "q", "gold": ["a"], "check": "exact"}\n', encoding="utf-8")
    assert read_qa(path)[0].category is None and read_qa(path)[0].support is None
    path.write_text('{"question": "q", "gold": ["a"], "check": "exact", "category": "trivia"}\n', encoding="utf-8")
    with pytest.raises(QAFormatError, match="field 'category'"):
        read_qa(path)
