"""The JSON course document ("tutor-course/1"): strict schema, limits and cross-checks (pure: no Django).

Records are validated one by one so that a single upload reports every problem: a broken item does not
hide a prerequisite cycle or an unknown skill further on.
"""
from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from learning.content import checks
from learning.content.errors import ContentRejected, ErrorList, describe, quote
from learning.content.formats import SOURCE_PATTERN
from learning.content.misconceptions import MisconceptionList, misconceptions_checked
from learning.content.parsed import ParsedContent, ParsedGolden, ParsedItem, ParsedSkill, ParsedSource
from learning.content.pydantic_errors import errors_from_validation
from learning.content.reference import passages_from_markdown, passages_from_text
from learning.grading import AnswerSpec, parse_number

FORMAT = "tutor-course/1"
MAX_SKILLS = 500
MAX_ITEMS = 5000
MAX_REFERENCE_DOCS = 200
MAX_CHOICES = 26
MAX_ITEM_SKILLS = 20
MAX_PREREQUISITES = 50
MAX_GOLDEN = 1000
MAX_GOLD_FORMS = 20
GOLD_NUMBER_EXPECTED = "a number for a numeric check (as 3, 3/4, 1 1/2, 0.75 or 75%)"


def _text(max_length: int, min_length: int = 0):
    return Annotated[str, Field(min_length=min_length, max_length=max_length)]


ItemKey = Annotated[str, Field(pattern=f"^{checks.ITEM_KEY.pattern}$")]
SkillKey = Annotated[str, Field(pattern=f"^{checks.SKILL_KEY.pattern}$")]
ChoiceKey = Annotated[str, Field(pattern=f"^{checks.CHOICE_KEY.pattern}$")]
SourceName = Annotated[str, Field(pattern=f"^{SOURCE_PATTERN.pattern}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class CourseMeta(_Strict):
    title: _text(200, 1) | None = None
    description: _text(20_000) | None = None


class SkillDoc(_Strict):
    key: SkillKey
    name: _text(200, 1)
    description: _text(5000) = ""
    prerequisites: Annotated[list[SkillKey], Field(max_length=MAX_PREREQUISITES)] = []


class ChoiceDoc(_Strict):
    key: ChoiceKey
    text: _text(500, 1)


class ItemDoc(_Strict):
    key: ItemKey
    prompt: _text(5000, 1)
    choices: Annotated[list[ChoiceDoc], Field(max_length=MAX_CHOICES)] | None = None
    answer: AnswerSpec
    skills: Annotated[list[SkillKey], Field(min_length=1, max_length=MAX_ITEM_SKILLS)]
    difficulty: Any = None  # a word or a number: checked with the cross-checks for a clearer message
    misconceptions: MisconceptionList = []


class ReferenceDoc(_Strict):
    source: SourceName
    format: Literal["markdown", "text"]
    text: _text(2_000_000, 1)


class GoldenDoc(_Strict):
    """An author's held-out question for the retraining gate, answered by the course notes."""

    question: _text(2000, 1)
    gold: Annotated[list[_text(500, 1)], Field(min_length=1, max_length=MAX_GOLD_FORMS)]
    check: Literal["contains", "numeric", "exact"]


class Document(_Strict):
    """The top level; records are validated separately (SkillDoc, ItemDoc, ReferenceDoc, GoldenDoc)."""

    format: Literal["tutor-course/1"]
    course: CourseMeta | None = None
    skills: Annotated[list[Any], Field(max_length=MAX_SKILLS)]
    items: Annotated[list[Any], Field(max_length=MAX_ITEMS)]
    reference: Annotated[list[Any], Field(max_length=MAX_REFERENCE_DOCS)] = []
    golden: Annotated[list[Any], Field(max_length=MAX_GOLDEN)] | None = None


def parse_document(text: str, *, existing_skills: frozenset[str]) -> ParsedContent:
    """The document in ``text``; ``existing_skills`` are the course's skill keys, used when the document's
    skill list is empty (it then leaves the course's skills as they are). Raises ContentRejected."""
    errors = ErrorList()
    raw = _load_json(text, errors)
    errors.raise_if_any()
    if not isinstance(raw, dict):
        errors.add("file", "", describe(raw), "a JSON object with format, skills and items")
        errors.raise_if_any()
    top = _validated(Document, raw, "", errors)
    raw_skills, raw_items, raw_reference, raw_golden = (_list(raw, name, limit) for name, limit in _LISTS)
    skills = _records(SkillDoc, raw_skills, "skills", errors)
    items = _records(ItemDoc, raw_items, "items", errors)
    reference = _records(ReferenceDoc, raw_reference, "reference", errors)
    golden = _records(GoldenDoc, raw_golden, "golden", errors)
    known = _skill_keys(raw.get("skills"), existing_skills, errors)
    _check_skills(skills, errors)
    parsed_items = _check_items(items, known, errors)
    sources = _check_reference(reference, errors)
    parsed_golden = _check_golden(golden, errors)
    errors.raise_if_any()
    course = top.course or CourseMeta()
    return ParsedContent(
        skills=tuple(_parsed_skill(doc) for _, doc in skills) if raw_skills else None,
        items=tuple(parsed_items), reference=tuple(sources), full_sync=True,
        title=course.title, description=course.description,
        golden=tuple(parsed_golden) if top.golden is not None else None,
    )


_LISTS = (("skills", MAX_SKILLS), ("items", MAX_ITEMS), ("reference", MAX_REFERENCE_DOCS), ("golden", MAX_GOLDEN))


def _list(raw: dict, name: str, limit: int) -> list:
    """The records to check one by one; a list that is not one, or too long, was reported with the top level."""
    records = raw.get(name)
    return records if isinstance(records, list) and len(records) <= limit else []


def _load_json(text: str, errors: ErrorList) -> object | None:
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        found = quote(exc.doc[exc.pos:exc.pos + 20]) if exc.pos < len(exc.doc) else "the end of the file"
        expected = exc.msg[len("Expecting "):] if exc.msg.startswith("Expecting ") else f"valid JSON ({exc.msg})"
        errors.add(f"line {exc.lineno}, column {exc.colno}", "", found, expected)
    except _NotJsonNumber as exc:
        errors.add("file", "", str(exc), "JSON numbers (NaN and Infinity are not JSON)")
    except (ValueError, RecursionError) as exc:
        errors.add("file", "", "JSON that cannot be read", f"a JSON document ({str(exc)[:80]})")
    else:
        _refuse_nul_escapes(text, errors)
        return value
    return None


# \u0000 preceded by an even number of backslashes (an odd number would make it the text "\u0000")
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def _refuse_nul_escapes(text: str, errors: ErrorList) -> None:
    """NUL is valid JSON, but no database text column (PostgreSQL's, jsonb included) can store it."""
    for match in _NUL_ESCAPE.finditer(text):
        at = match.end() - len("\\u0000")
        line, column = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
        errors.add(f"line {line}, column {column}", "", '"\\u0000"', "text without NUL characters")


class _NotJsonNumber(ValueError):
    pass


def _refuse_constant(name: str):
    raise _NotJsonNumber(name)


def _validated(model: type[BaseModel], raw: object, where: str, errors: ErrorList):
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        errors.extend(errors_from_validation(exc, where, model))
        return None


def _records(model, raws: list, name: str, errors: ErrorList) -> list[tuple[int, Any]]:
    valid = []
    for index, raw in enumerate(raws):
        doc = _validated(model, raw, f"{name}[{index}]", errors)
        if doc is not None:
            valid.append((index, doc))
    return valid


def _skill_keys(raw_skills: object, existing: frozenset[str], errors: ErrorList) -> frozenset[str] | None:
    """Keys items may use: the document's skills (broken records included, so they are not reported
    twice), or the course's skills when the document's list is empty; None (do not check) when the list
    itself is broken, which the top level reported."""
    if not isinstance(raw_skills, list):
        return None
    if raw_skills:
        return frozenset(raw["key"] for raw in raw_skills if isinstance(raw, dict) and isinstance(raw.get("key"), str))
    if not existing:
        errors.add("skills", "", "an empty list", "at least one skill (the course has none yet)")
    return existing


def _first_seen(records: list[tuple[int, Any]], attribute: str, name: str, errors: ErrorList) -> None:
    seen: dict[str, int] = {}
    for index, doc in records:
        key = getattr(doc, attribute)
        if key in seen:
            errors.add(f"{name}[{index}]", attribute, quote(key),
                       checks.duplicate_key_problem(key, f"{name}[{seen[key]}]"))
        seen.setdefault(key, index)


def _check_skills(skills: list[tuple[int, SkillDoc]], errors: ErrorList) -> None:
    _first_seen(skills, "key", "skills", errors)
    keys = {doc.key for _, doc in skills}
    for index, doc in skills:
        for position, key in enumerate(doc.prerequisites):
            if key not in keys:
                errors.add(f"skills[{index}]", f"prerequisites[{position}]", quote(key),
                           "the key of a skill in this file")
    for index, cycle in _cycles(skills):
        errors.add(f"skills[{index}]", "prerequisites", "the cycle " + " -> ".join(cycle),
                   "prerequisites without cycles")


def _cycles(skills: list[tuple[int, SkillDoc]]) -> list[tuple[int, list[str]]]:
    """Each prerequisite cycle once, as (index of the skill it is reported on, [a, b, ..., a])."""
    index_of = {doc.key: index for index, doc in reversed(skills)}  # a duplicate key was reported already
    graph = {doc.key: [k for k in dict.fromkeys(doc.prerequisites) if k in index_of]
             for index, doc in skills if index_of[doc.key] == index}
    state: dict[str, str] = {}
    found: dict[frozenset, list[str]] = {}

    def visit(key: str, path: list[str]) -> None:
        state[key] = "open"
        path.append(key)
        for prerequisite in graph[key]:
            if state.get(prerequisite) == "open":
                cycle = path[path.index(prerequisite):] + [prerequisite]
                found.setdefault(frozenset(cycle), cycle)
            elif prerequisite not in state:
                visit(prerequisite, path)
        path.pop()
        state[key] = "done"

    for key in graph:
        if key not in state:
            visit(key, [])
    return [(index_of[cycle[0]], cycle) for cycle in found.values()]


def _parsed_skill(doc: SkillDoc) -> ParsedSkill:
    return ParsedSkill(doc.key, doc.name, doc.description, tuple(dict.fromkeys(doc.prerequisites)))


def _check_items(items: list[tuple[int, ItemDoc]], known: frozenset[str] | None, errors: ErrorList) -> list[ParsedItem]:
    _first_seen(items, "key", "items", errors)
    return [parsed for index, doc in items if (parsed := _check_item(index, doc, known, errors)) is not None]


def _check_item(index: int, doc: ItemDoc, known: frozenset[str] | None, errors: ErrorList) -> ParsedItem | None:
    where, before = f"items[{index}]", len(errors)
    for position, key in enumerate(doc.skills):
        if known is not None and key not in known:
            errors.add(where, f"skills[{position}]", quote(key), "the key of a skill of this course")
    choices = [choice.model_dump() for choice in doc.choices] if doc.choices is not None else None
    _check_choice_keys(where, choices or [], errors)
    answer_spec = doc.answer.model_dump()
    problem = checks.choice_answer_problem(answer_spec, choices)
    if problem:
        errors.add(where, "answer.answer", quote(answer_spec["answer"]), problem)
    misconceptions = () if problem else misconceptions_checked(where, doc.misconceptions, answer_spec, choices,
                                                                 errors)
    difficulty = checks.difficulty_normalise(doc.difficulty)
    if difficulty is None:
        errors.add(where, "difficulty", describe(doc.difficulty), checks.DIFFICULTY_EXPECTED)
    if len(errors) > before:
        return None
    return ParsedItem(doc.key, doc.prompt, answer_spec, tuple(dict.fromkeys(doc.skills)), choices, difficulty,
                      misconceptions)


def _check_choice_keys(where: str, choices: list[dict], errors: ErrorList) -> None:
    seen: dict[str, int] = {}
    for position, choice in enumerate(choices):
        if choice["key"] in seen:
            errors.add(where, f"choices[{position}].key", quote(choice["key"]),
                       checks.duplicate_key_problem(choice["key"], f"choices[{seen[choice['key']]}]"))
        seen.setdefault(choice["key"], position)


def _check_reference(reference: list[tuple[int, ReferenceDoc]], errors: ErrorList) -> list[ParsedSource]:
    _first_seen(reference, "source", "reference", errors)
    sources = []
    for index, doc in reference:
        split = passages_from_markdown if doc.format == "markdown" else passages_from_text
        try:
            sources.append(ParsedSource(doc.source, tuple(split(doc.text, where=f"reference[{index}]", field="text"))))
        except ContentRejected as exc:
            errors.extend(exc.errors)
    return sources


def _check_golden(golden: list[tuple[int, GoldenDoc]], errors: ErrorList) -> list[ParsedGolden]:
    """Each question once (case and spacing aside), and a numeric check's gold answers all numbers."""
    seen: dict[str, int] = {}
    parsed = []
    for index, doc in golden:
        where, before = f"golden[{index}]", len(errors)
        folded = " ".join(doc.question.casefold().split())
        if folded in seen:
            errors.add(where, "question", quote(doc.question[:80]),
                       f"a question not asked before in the file (golden[{seen[folded]}] asks it)")
        seen.setdefault(folded, index)
        for position, form in enumerate(doc.gold):
            if doc.check == "numeric" and parse_number(form) is None:
                errors.add(where, f"gold[{position}]", quote(form), GOLD_NUMBER_EXPECTED)
        if len(errors) == before:
            parsed.append(ParsedGolden(doc.question.strip(), tuple(doc.gold), doc.check))
    return parsed
