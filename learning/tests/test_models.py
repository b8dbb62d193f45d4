import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError

from learning.models import Attempt, Item, KnowledgeState, Skill

pytestmark = pytest.mark.django_db


def make_item(course, key="add-1", **fields) -> Item:
    defaults = {"prompt": "1/3 + 1/4 = ?", "answer_spec": {"kind": "numeric", "value": 7 / 12, "tolerance": 1e-3}}
    return Item.objects.create(course=course, key=key, **{**defaults, **fields})


def test_skill_and_item_keys_are_unique_within_a_course_only(personas):
    Skill.objects.create(course=personas.course_a, key="adding", name="Adding")
    Skill.objects.create(course=personas.course_b, key="adding", name="Adding")
    make_item(personas.course_a), make_item(personas.course_b)
    with pytest.raises(IntegrityError):
        Skill.objects.create(course=personas.course_a, key="adding", name="Again")


def test_prerequisites_point_one_way(personas):
    basic = Skill.objects.create(course=personas.course_a, key="basic", name="Basic")
    advanced = Skill.objects.create(course=personas.course_a, key="advanced", name="Advanced")
    advanced.prerequisites.add(basic)
    assert list(basic.unlocks.all()) == [advanced] and not basic.prerequisites.exists()


def test_item_with_attempts_cannot_be_deleted(personas):
    item = make_item(personas.course_a)
    Attempt.objects.create(student=personas.student1, item=item, response="7/12", correct=True)
    with pytest.raises(ProtectedError):
        item.delete()


@pytest.mark.parametrize(
    ("spec", "choices", "needle"),
    [
        ({"kind": "numeric"}, None, "value"),
        ({"kind": "choice", "answer": "c"}, [{"key": "a", "text": "1"}, {"key": "b", "text": "2"}], "not one of the choices (a, b)"),
        ({"kind": "riddle"}, None, "riddle"),
    ],
)
def test_invalid_answer_specification_says_why(personas, spec, choices, needle):
    item = Item(course=personas.course_a, key="x", prompt="?", answer_spec=spec, choices=choices)
    with pytest.raises(ValidationError) as caught:
        item.clean()
    assert needle in str(caught.value)


def test_valid_choice_item_passes_clean(personas):
    item = Item(course=personas.course_a, key="x", prompt="?", answer_spec={"kind": "choice", "answer": "b"},
                choices=[{"key": "a", "text": "1/2"}, {"key": "b", "text": "2/3"}])
    item.clean()


def test_one_knowledge_state_per_student_and_course(personas):
    KnowledgeState.objects.create(student=personas.student1, course=personas.course_a)
    with pytest.raises(IntegrityError):
        KnowledgeState.objects.create(student=personas.student1, course=personas.course_a)
