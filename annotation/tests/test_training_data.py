"""The golden set: drawn once per course from the authors' questions, items (choice items with their options) and
approved answers; never a question that is trained on. Checked on the demo courses' real content."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings

from annotation.models import GoldenCase
from annotation.router.qa import QAQuestion, answer_is_correct
from annotation.training.evaluation import grade
from annotation.training_data import _golden_case, golden_set_freeze, run_data_collect
from learning.content.importing import course_content_import
from learning.models import GoldenQuestion, Item

from .training_factories import correction

pytestmark = pytest.mark.django_db
FIXTURES = Path(settings.BASE_DIR) / "fixtures"


def authored(course, question, gold=("chlorophyll",), check="contains") -> GoldenQuestion:
    return GoldenQuestion.objects.create(course=course, question=question, gold=list(gold), gold_check=check)


def choice_item(course, key="pick-1") -> Item:
    return Item.objects.create(course=course, key=key, prompt="Which gas do plants release?",
                               choices=[{"key": "a", "text": "carbon dioxide"}, {"key": "b", "text": "oxygen"}],
                               answer_spec={"kind": "choice", "answer": "b"})


def test_every_authored_question_is_golden_and_choice_items_keep_their_options(personas, settings):
    settings.ANNOTATION_GOLDEN_SHARE = 0.9
    note = authored(personas.course_a, "What pigment absorbs light?")
    choice_item(personas.course_a)
    golden = golden_set_freeze(course=personas.course_a)
    by_source = {case.source: case for case in golden}
    assert by_source[GoldenCase.Source.NOTES].golden_question == note
    choice = by_source[GoldenCase.Source.ITEM]
    assert choice.question == "Which gas do plants release?\na) carbon dioxide\nb) oxygen"
    assert (choice.gold, choice.gold_check, choice.options) == (["b"], "choice", [["a", "carbon dioxide"], ["b", "oxygen"]])
    case = _golden_case(GoldenCase.objects.get(pk=choice.pk))
    assert grade(case, "Plants release oxygen.") and not grade(case, "a) carbon dioxide")


def test_the_set_is_frozen_on_first_use(personas):
    authored(personas.course_a, "What pigment absorbs light?")
    first = golden_set_freeze(course=personas.course_a)
    authored(personas.course_a, "A question written later?")
    assert golden_set_freeze(course=personas.course_a) == first


def test_a_corrected_question_is_never_drawn(personas):
    authored(personas.course_a, "What pigment absorbs light?")
    correction(personas.course_a, "what pigment  absorbs light?", "Chlorophyll.", key="chlorophyll")
    assert golden_set_freeze(course=personas.course_a) == []


def test_a_golden_question_corrected_after_the_freeze_is_left_out_of_the_run(personas):
    authored(personas.course_a, "What pigment absorbs light?")
    authored(personas.course_a, "Where does photosynthesis happen?", ["chloroplasts"])
    golden_set_freeze(course=personas.course_a)
    correction(personas.course_a, "What pigment absorbs light?", "Chlorophyll.", key="chlorophyll")
    data = run_data_collect(course=personas.course_a)
    golden = [case.question for case in data.cases if case.kind == "golden"]
    assert golden == ["Where does photosynthesis happen?"]
    assert (data.summary["golden"], data.summary["golden_left_out_as_trained"]) == (1, 1)


def _import_demo(course, slug: str) -> None:
    for suffix in (".json", ".md"):
        path = FIXTURES / "content" / f"{slug}{suffix}"
        course_content_import(course=course, filename=path.name, data=path.read_bytes())


def _corrections(slug: str) -> list[dict]:
    rows = []
    for name in ("retrain_corrections.jsonl", "retrain_corrections_holdout.jsonl"):
        path = FIXTURES / name
        lines = path.read_text().splitlines() if path.exists() else []
        rows += [row for row in map(json.loads, lines) if row["course"] == slug]
    return rows


def _asked(texts) -> set[str]:
    return {" ".join(text.casefold().split()) for text in texts}


@pytest.mark.parametrize("slug", ["fractions", "photosynthesis"])
def test_each_demo_course_has_at_least_30_golden_cases_none_of_them_trained_on(personas, slug):
    course = personas.course_a
    _import_demo(course, slug)
    corrections = _corrections(slug)
    for row in corrections:  # recorded before the first run, as retrain_bench records them
        correction(course, row["question"], row["answer"], key=row["gold"][0], rewordings=row["rewordings"])
    golden = golden_set_freeze(course=course)
    assert len(golden) >= 30
    assert not _asked(case.question for case in golden) & _asked(row["question"] for row in corrections)
    authored = GoldenQuestion.objects.filter(course=course)
    assert authored.count() >= 30  # the authors' own, on the notes, none of them a correction or its rewording
    every_wording = _asked(text for row in corrections for text in [row["question"], *row["rewordings"]])
    assert not _asked(question.question for question in authored) & every_wording


@pytest.mark.parametrize("slug", ["fractions", "photosynthesis"])
def test_every_demo_golden_question_is_gradable_with_its_own_answer(slug):
    document = json.loads((FIXTURES / "content" / f"{slug}.json").read_text())
    for row in document["golden"]:  # a numeric gold the question already states could never be graded right
        question = QAQuestion(row["question"], tuple(row["gold"]), row["check"])
        assert answer_is_correct(question, f"The answer is {row['gold'][0]}."), row["question"]
        assert not answer_is_correct(question, "I am not sure."), row["question"]
