"""The content document's golden questions: strict records, errors that name the row and field, replaced by key."""
import pytest

from learning.models import GoldenQuestion
from learning.tests.test_content_import import document, messages_of, run

pytestmark = pytest.mark.django_db


def golden(question, gold=("chlorophyll",), check="contains", **fields):
    return {"question": question, "gold": list(gold), "check": check, **fields}


def stored(course):
    return [(g.question, g.gold, g.gold_check) for g in GoldenQuestion.objects.filter(course=course).order_by("id")]


def test_golden_questions_are_stored_with_their_check(personas):
    report = run(personas.course_a, document(golden=[golden("What pigment absorbs light?"),
                                                     golden("How many tenths make a whole?", ["10"], "numeric")]))
    assert stored(personas.course_a) == [("What pigment absorbs light?", ["chlorophyll"], "contains"),
                                         ("How many tenths make a whole?", ["10"], "numeric")]
    assert report.golden_created == 2


def test_golden_records_name_the_row_and_field(personas):
    bad = document(golden=[
        golden("Which gas?", check="fuzzy"),
        golden("Which pigment?", gold=[]),
        golden("How many?", ["ten"], "numeric"),
        golden("how  MANY?"),
        golden("Extra?", source="notes"),
    ])
    assert messages_of(personas.course_a, bad) == [
        'golden[0].check: found "fuzzy", expected one of contains, numeric, exact',
        "golden[1].gold: found an empty list, expected at least one entry",
        'golden[4].source: found an extra field ("notes"), expected only the fields question, gold, check',
        'golden[2].gold[0]: found "ten", expected a number for a numeric check (as 3, 3/4, 1 1/2, 0.75 or 75%)',
        'golden[3].question: found "how  MANY?", expected a question not asked before in the file (golden[2] asks '
        "it)",
    ]
    assert stored(personas.course_a) == []  # nothing is written when the file is bad


def test_reimport_replaces_golden_questions_by_question_and_a_file_without_them_keeps_them(personas):
    run(personas.course_a, document(golden=[golden("Keep?"), golden("Change?"), golden("Drop?")]))
    report = run(personas.course_a, document(golden=[golden("Keep?"), golden("Change?", ["stomata"]),
                                                     golden("New?")]))
    assert (report.golden_created, report.golden_updated, report.golden_deleted) == (1, 1, 1)
    expected = [("Keep?", ["chlorophyll"], "contains"), ("Change?", ["stomata"], "contains"),
                ("New?", ["chlorophyll"], "contains")]
    assert stored(personas.course_a) == expected
    untouched = run(personas.course_a, document())
    assert stored(personas.course_a) == expected and untouched.golden_deleted == 0
    run(personas.course_a, document(golden=[]))
    assert stored(personas.course_a) == []
