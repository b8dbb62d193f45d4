"""Misconceptions in the course document: an item's list, its schema and its cross-checks (pure: no Django).

Each entry names a misconception (``id``, a one-line ``text`` for the student) and what shows it: a wrong
``choice``, a wrong answer ``value`` (with an optional ``tolerance``) or a ``pattern`` (a regular expression
matched in full against the normalised response). Exactly one of the three. None of them may accept a right
answer, and a pattern must be one Python matches without exponential backtracking (no repeat or alternatives
inside a repeat, no back-references), since it runs on every wrong answer to the item.
"""
from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from learning.content.errors import ErrorList, quote
from learning.grading import ANSWER_SPEC, ChoiceSpec, NumericSpec, normalise, parse_number

MAX_PER_ITEM = 20
MAX_PATTERN_CHARS = 200
MISCONCEPTION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,79}")
MATCHERS = ("choice", "value", "pattern")
MATCHERS_EXPECTED = "exactly one of choice, value or pattern"


class MisconceptionDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    id: Annotated[str, Field(pattern=f"^{MISCONCEPTION_ID.pattern}$")]
    text: Annotated[str, Field(min_length=1, max_length=300)]
    choice: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    value: Annotated[float, Field(allow_inf_nan=False)] | None = None
    tolerance: Annotated[float, Field(ge=0, le=1e9)] | None = None
    pattern: Annotated[str, Field(min_length=1, max_length=MAX_PATTERN_CHARS)] | None = None


MisconceptionList = Annotated[list[MisconceptionDoc], Field(max_length=MAX_PER_ITEM)]


def misconceptions_checked(where: str, docs: list[MisconceptionDoc], answer_spec: dict, choices: list[dict] | None,
                           errors: ErrorList) -> tuple[dict, ...]:
    """The item's misconceptions as stored (only the fields given); every problem is added to ``errors``."""
    seen: dict[str, int] = {}
    for position, doc in enumerate(docs):
        field = f"misconceptions[{position}]"
        if doc.id in seen:
            errors.add(where, f"{field}.id", quote(doc.id), f"an id not used before in this item "
                                                           f"(misconceptions[{seen[doc.id]}] has it)")
        seen.setdefault(doc.id, position)
        _check_matcher(where, field, doc, answer_spec, choices, errors)
    return tuple(doc.model_dump(exclude_none=True) for doc in docs)


def _check_matcher(where: str, field: str, doc: MisconceptionDoc, answer_spec: dict, choices: list[dict] | None,
                   errors: ErrorList) -> None:
    given = [name for name in MATCHERS if getattr(doc, name) is not None]
    if len(given) != 1:
        errors.add(where, field, "nothing" if not given else " and ".join(given), MATCHERS_EXPECTED)
        return
    if doc.tolerance is not None and doc.value is None:
        errors.add(where, f"{field}.tolerance", repr(doc.tolerance), "a tolerance only together with a value")
    spec = ANSWER_SPEC.validate_python(answer_spec)
    problem = {"choice": _choice_problem, "value": _value_problem, "pattern": _pattern_problem}[given[0]](
        doc, spec, choices)
    if problem:
        found = quote(getattr(doc, given[0])) if given[0] != "value" else repr(doc.value)
        errors.add(where, f"{field}.{given[0]}", found, problem)


def _choice_problem(doc: MisconceptionDoc, spec, choices: list[dict] | None) -> str | None:
    if not isinstance(spec, ChoiceSpec):
        return "no choice: the item's answer is not a choice (use value or pattern)"
    wrong = [choice["key"] for choice in choices or [] if choice["key"] != spec.answer]
    if doc.choice not in wrong:
        return "the key of a wrong choice: one of " + ", ".join(wrong) if wrong else "a wrong choice (there is none)"
    return None


def _value_problem(doc: MisconceptionDoc, spec, choices: list[dict] | None) -> str | None:
    if isinstance(spec, ChoiceSpec):
        return "no value: the item's answer is a choice (use choice)"
    tolerance = doc.tolerance if doc.tolerance is not None else getattr(spec, "tolerance", 1e-9)
    for right in _right_values(spec):
        if abs(right - doc.value) <= tolerance:
            return f"a wrong answer (within {tolerance:g} of it, the item's answer {right:g} would match)"
    return None


def _right_values(spec) -> list[float]:
    if isinstance(spec, NumericSpec):
        return [spec.value]
    texts = spec.answers if hasattr(spec, "answers") else [spec.answer]
    return [float(value) for value in map(parse_number, texts) if value is not None]


def _pattern_problem(doc: MisconceptionDoc, spec, choices: list[dict] | None) -> str | None:
    if isinstance(spec, ChoiceSpec):
        return "no pattern: the item's answer is a choice (use choice)"
    try:
        compiled = re.compile(doc.pattern, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"a regular expression ({str(exc)[:60]})"
    if unsafe := _slow_construct(doc.pattern):
        return f"a regular expression that matches in linear time (without {unsafe})"
    for right in _right_texts(spec):
        if compiled.fullmatch(normalise(right)):
            return f"a pattern that no right answer matches (it matches {quote(right)})"
    return None


def _right_texts(spec) -> list[str]:
    if isinstance(spec, NumericSpec):
        return [f"{spec.value:g}", repr(spec.value)]
    return list(spec.answers) if hasattr(spec, "answers") else [spec.answer]


def _slow_construct(pattern: str) -> str | None:
    """What could make the pattern backtrack for exponential time: a repeat inside a repeat, alternatives inside a
    repeat ((a|aa)+), a back-reference."""
    from re import _parser  # the standard library's own parse tree; no third-party regex engine needed

    def walk(tree, inside_repeat: bool) -> str | None:
        for op, argument in tree:
            name = str(op)
            if name in ("GROUPREF", "GROUPREF_EXISTS"):
                return "back-references"
            if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, high, body = argument
                if inside_repeat and high != 1:
                    return "a repeat inside a repeat"
                found = walk(body, inside_repeat or high != 1)
            elif name == "SUBPATTERN":
                found = walk(argument[-1], inside_repeat)
            elif name == "BRANCH" and inside_repeat:
                found = "alternatives inside a repeat (use a character class)"
            elif name == "BRANCH":
                found = next(filter(None, (walk(branch, inside_repeat) for branch in argument[1])), None)
            elif name in ("ASSERT", "ASSERT_NOT"):
                found = walk(argument[1], inside_repeat)
            else:
                found = None
            if found:
                return found
        return None

    return walk(_parser.parse(pattern), False)
