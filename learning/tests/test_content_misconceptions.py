"""Misconceptions in the course document: strict validation with place and field, nothing half-imported."""
import pytest

from learning.models import Item
from learning.tests.test_content_import import counts, document, item, messages_of, run

pytestmark = pytest.mark.django_db

CHOICES = [{"key": "a", "text": "2/5"}, {"key": "b", "text": "5/6"}]


def choice_item(key, misconceptions):
    return item(key, prompt="1/2 + 1/3?", choices=CHOICES, answer={"kind": "choice", "answer": "b"},
                misconceptions=misconceptions)


def numeric_item(key, misconceptions):
    return item(key, answer={"kind": "numeric", "value": 0.583333, "tolerance": 0.001}, misconceptions=misconceptions)


def test_misconceptions_are_imported_with_only_the_fields_given(personas):
    adds = {"id": "adds-across", "text": "Added across.", "choice": "a"}
    part = {"id": "one-part", "text": "Only one part.", "value": 0.25, "tolerance": 0.01}
    word = {"id": "organelle", "text": "That is where it happens.", "pattern": "chloroplasts?"}
    run(personas.course_a, document(items=[choice_item("c-1", [adds]), numeric_item("n-1", [part]),
                                           item("w-1", misconceptions=[word])]))
    stored = dict(Item.objects.filter(course=personas.course_a).values_list("key", "misconceptions"))
    assert stored == {"c-1": [adds], "n-1": [part], "w-1": [word]}


def test_every_misconception_problem_is_named_and_nothing_is_imported(personas):
    before = counts(personas.course_a)
    bad = document(items=[
        choice_item("c-1", [{"id": "x", "text": "Right one.", "choice": "b"},
                            {"id": "x", "text": "Twice.", "choice": "z"},
                            {"id": "y", "text": "Both.", "choice": "a", "value": 1.0},
                            {"id": "z", "text": "Value on a choice.", "value": 1.0}]),
        numeric_item("n-1", [{"id": "right", "text": "Right.", "value": 0.5834},
                             {"id": "slow", "text": "Slow.", "pattern": "(a+)+b"},
                             {"id": "broken", "text": "Broken.", "pattern": "(7"}]),
        item("w-1", misconceptions=[{"id": "accepts", "text": "Accepts the answer.", "pattern": r"\d+/12"}]),
        item("s-1", misconceptions=[{"id": "", "text": "x" * 301, "colour": "red"}]),
    ])
    found = messages_of(personas.course_a, bad)
    for expected in [
        'items[0].misconceptions[0].choice: found "b", expected the key of a wrong choice: one of a',
        'items[0].misconceptions[1].id: found "x", expected an id not used before in this item (misconceptions[0] has it)',
        'items[0].misconceptions[1].choice: found "z", expected the key of a wrong choice: one of a',
        "items[0].misconceptions[2]: found choice and value, expected exactly one of choice, value or pattern",
        "items[0].misconceptions[3].value: found 1.0, expected no value: the item's answer is a choice (use choice)",
        "items[1].misconceptions[0].value: found 0.5834, expected a wrong answer (within 0.001 of it, the item's "
        "answer 0.583333 would match)",
        'items[1].misconceptions[1].pattern: found "(a+)+b", expected a regular expression that matches in linear '
        "time (without a repeat inside a repeat)",
        'items[2].misconceptions[0].pattern: found "\\\\d+/12", expected a pattern that no right answer matches (it '
        'matches "7/12")',
    ]:
        assert expected in found, (expected, found)
    assert any(m.startswith('items[1].misconceptions[2].pattern: found "(7", expected a regular expression') for m in found)
    schema = [m for m in found if m.startswith("items[3].misconceptions[0]")]
    assert [m.split(":")[0] for m in schema] == [f"items[3].misconceptions[0].{f}" for f in ("id", "text", "colour")]
    assert counts(personas.course_a) == before
