"""The demo course content in fixtures/content/: well formed, and every item gradable with its own answer."""
import json
import operator
import re
from pathlib import Path

import pytest
from django.conf import settings

from learning.grading import ANSWER_SPEC, ChoiceSpec, ExactSpec, NumericSpec, SetSpec, grade, parse_number, spec_errors
from learning.passages import split_markdown

CONTENT = Path(settings.BASE_DIR) / "fixtures" / "content"
COURSES = ["fractions", "photosynthesis"]
KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
DIFFICULTIES = {"very easy", "easy", "medium", "hard", "very hard"}
ARITHMETIC = re.compile(r"What is (\d+(?: \d+/\d+|/\d+)?) ([+−×÷]) (\d+(?: \d+/\d+|/\d+)?)\?")
OPERATIONS = {"+": operator.add, "−": operator.sub, "×": operator.mul, "÷": operator.truediv}


def _document(course):
    return json.loads((CONTENT / f"{course}.json").read_text(encoding="utf-8"))


def _items():
    return [pytest.param(course, item, id=item["key"]) for course in COURSES for item in _document(course)["items"]]


def _correct_response(spec):
    if isinstance(spec, NumericSpec):
        return repr(spec.value)
    if isinstance(spec, SetSpec):
        return spec.answers[-1]
    return spec.answer  # exact text, or a choice key


@pytest.mark.parametrize("course", COURSES)
def test_document_is_a_course_document_with_unique_keys(course):
    document = _document(course)
    assert document["format"] == "tutor-course/1"
    skill_keys = [skill["key"] for skill in document["skills"]]
    item_keys = [item["key"] for item in document["items"]]
    assert len(set(skill_keys)) == len(skill_keys) and len(set(item_keys)) == len(item_keys)
    assert all(KEY.fullmatch(key) for key in item_keys)


@pytest.mark.parametrize("course", COURSES)
def test_prerequisites_name_skills_of_the_course_and_have_no_cycle(course):
    prerequisites = {skill["key"]: skill.get("prerequisites", []) for skill in _document(course)["skills"]}
    done: set[str] = set()
    while len(done) < len(prerequisites):
        ready = {key for key, needs in prerequisites.items() if key not in done and set(needs) <= done}
        assert ready, f"a cycle or an unknown prerequisite among {set(prerequisites) - done}"
        done |= ready


@pytest.mark.parametrize("course", COURSES)
def test_every_skill_has_items_and_difficulties_are_spread(course):
    document = _document(course)
    tagged = {skill for item in document["items"] for skill in item["skills"]}
    assert tagged == {skill["key"] for skill in document["skills"]}
    difficulties = {item["difficulty"] for item in document["items"]}
    assert difficulties <= DIFFICULTIES and {"easy", "medium", "hard"} <= difficulties
    assert any(len(item["skills"]) == 2 for item in document["items"])


@pytest.mark.parametrize(("course", "item"), _items())
def test_item_answer_is_valid_and_its_own_answer_grades_correct(course, item):
    choices = item.get("choices")
    assert spec_errors(item["answer"], choices) == []
    spec = ANSWER_SPEC.validate_python(item["answer"])
    assert grade(spec, _correct_response(spec)).correct
    if isinstance(spec, ChoiceSpec):
        wrong = next(choice["key"] for choice in choices if choice["key"] != spec.answer)
        assert not grade(spec, wrong).correct
    if isinstance(spec, NumericSpec):
        assert spec.tolerance <= 0.001  # wide enough for rounding 7/12 to 0.583, too narrow for a neighbouring fraction
    if isinstance(spec, (ExactSpec, SetSpec)):
        assert not grade(spec, "I don't know").correct


@pytest.mark.parametrize("course", COURSES)
def test_notes_split_into_titled_passages(course):
    passages = split_markdown((CONTENT / f"{course}.md").read_text(encoding="utf-8"))
    assert len(passages) >= 15
    assert all(title and " > " in title and 0 < len(text) <= 1000 for title, text in passages)


def test_arithmetic_prompts_have_the_right_numeric_answer():
    checked = 0
    for item in _document("fractions")["items"]:
        match = ARITHMETIC.match(item["prompt"])
        if match and item["answer"]["kind"] == "numeric":
            exact = OPERATIONS[match[2]](parse_number(match[1]), parse_number(match[3]))
            assert abs(item["answer"]["value"] - float(exact)) < 1e-6, item["key"]
            checked += 1
    assert checked >= 15


def _is_calculation(spec) -> bool:
    """A number is asked for (a numeric item, or one whose accepted answers are numbers)."""
    if isinstance(spec, NumericSpec):
        return True
    texts = spec.answers if isinstance(spec, SetSpec) else [spec.answer] if isinstance(spec, ExactSpec) else []
    return bool(texts) and parse_number(texts[0]) is not None


@pytest.mark.parametrize("course, item", _items())
def test_calculation_items_have_two_misconceptions_and_choice_items_their_own(course, item):
    from learning.misconceptions.bug_library import predicted_errors

    spec = ANSWER_SPEC.validate_python(item["answer"])
    own = item.get("misconceptions", [])
    by_rule = [] if isinstance(spec, ChoiceSpec) else predicted_errors(item["prompt"])
    if _is_calculation(spec):
        assert len(own) + len(by_rule) >= 2, (own, by_rule)
    if isinstance(spec, ChoiceSpec):
        assert own and all(m["choice"] != spec.answer for m in own)
    for misconception in own:  # none of them accepts the right answer, as the importer checks
        assert not grade(spec, _wrong_response_of(misconception, item)).correct


def _wrong_response_of(misconception: dict, item: dict) -> str:
    if "choice" in misconception:
        return misconception["choice"]
    if "value" in misconception:
        return repr(misconception["value"])
    return re.sub(r"[()?\\]|\|.*", "", misconception["pattern"])  # the pattern's first alternative, as text
