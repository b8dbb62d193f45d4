"""A CSV of items: upserts items into a course whose skills already exist (pure: no Django).

Rows are numbered as a spreadsheet shows them: the header is row 1.
"""
from __future__ import annotations

import csv
import io
import math

from pydantic import ValidationError

from learning.content import checks
from learning.content.errors import NOTHING, ErrorList, one_of, quote
from learning.content.parsed import ParsedContent, ParsedItem
from learning.content.pydantic_errors import errors_from_validation
from learning.grading import ANSWER_SPEC, ExactSpec

REQUIRED = ("key", "prompt", "skills", "answer_kind", "answer")
OPTIONAL = ("tolerance", "choices", "difficulty")
COLUMNS = REQUIRED + OPTIONAL
KINDS = ("exact", "numeric", "choice", "set")
MAX_ROWS = 5000
MAX_PROMPT_CHARS = 5000
MAX_CHOICE_CHARS = 500
CHOICES_EXPECTED = 'choices written key=text and separated by "|", as in a=2/7|b=7/12'
_WELL_FORMED = ("well-formed CSV (quote fields that contain commas, quotes or line breaks, and double the quotes "
                "inside them)")


class _Row:
    """One data row: its number, its cells by column, and where to report its errors."""

    def __init__(self, number: int, cells: dict[str, str], errors: ErrorList):
        self.number, self.cells, self.errors = number, cells, errors
        self.bad_columns: set[str] = set()

    def get(self, column: str) -> str:
        return self.cells.get(column, "").strip()

    @property
    def failed(self) -> bool:
        return bool(self.bad_columns)

    def error(self, column: str, found: str, expected: str) -> None:
        self.bad_columns.add(column)
        self.errors.add(f"row {self.number}", column, found, expected)


def parse_items_csv(text: str, *, existing_skills: frozenset[str]) -> ParsedContent:
    errors = ErrorList()
    records = _records(text, errors)
    errors.raise_if_any()
    header = _header(records[0] if records else [], errors)
    errors.raise_if_any()
    items = _items(records[1:], header, existing_skills, errors)
    if not items and not errors:
        errors.add("row 2", "", "no rows after the header", "at least one item")
    errors.raise_if_any()
    return ParsedContent(items=tuple(items), full_sync=False)


def _records(text: str, errors: ErrorList) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
            if len(records) > MAX_ROWS + 1:
                errors.add(f"row {len(records)}", "", "more rows", f"at most {MAX_ROWS} items after the header")
                break
    except csv.Error as exc:
        errors.add(f"row {len(records) + 1}", "", f"CSV that cannot be read ({exc})", _WELL_FORMED)
    return records


def _header(record: list[str], errors: ErrorList) -> list[str]:
    names = [name.strip() for name in record]
    seen: set[str] = set()
    for name in names:
        if name not in COLUMNS:
            errors.add("row 1", name, quote(name), "a column among " + ", ".join(COLUMNS))
        elif name in seen:
            errors.add("row 1", name, f'"{name}" twice', "each column once")
        seen.add(name)
    for name in REQUIRED:
        if name not in seen:
            errors.add("row 1", name, NOTHING, "this column (it is required; the first row is the header)")
    return names


def _items(
    records: list[list[str]], header: list[str], existing: frozenset[str], errors: ErrorList
) -> list[ParsedItem]:
    items: list[ParsedItem] = []
    first_row: dict[str, int] = {}
    for number, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue  # a blank line
        if len(record) != len(header):
            errors.add(f"row {number}", "", f"{len(record)} cells", f"{len(header)} cells, one per header column")
            continue
        row = _Row(number, dict(zip(header, record)), errors)
        item = _item(row, existing)
        _check_unique(row, first_row)
        if item is not None and not row.failed:
            items.append(item)
    return items


def _check_unique(row: _Row, first_row: dict[str, int]) -> None:
    key = row.get("key")
    if key in first_row:
        row.error("key", quote(key), checks.duplicate_key_problem(key, f"row {first_row[key]}"))
    first_row.setdefault(key, row.number)


def _item(row: _Row, existing: frozenset[str]) -> ParsedItem | None:
    key, prompt = row.get("key"), row.get("prompt")
    if not checks.ITEM_KEY.fullmatch(key):
        row.error("key", quote(key) if key else NOTHING, checks.ITEM_KEY_EXPECTED)
    if not prompt or len(prompt) > MAX_PROMPT_CHARS:
        row.error("prompt", quote(prompt) if prompt else NOTHING,
                  f"the item's question, 1 to {MAX_PROMPT_CHARS} characters")
    skills = _skills(row, existing)
    choices = _choices(row)
    spec = _answer_spec(row)
    difficulty = checks.difficulty_normalise(row.get("difficulty"))
    if difficulty is None:
        row.error("difficulty", quote(row.get("difficulty")), checks.DIFFICULTY_EXPECTED)
    problem = None if spec is None or "choices" in row.bad_columns else checks.choice_answer_problem(spec, choices)
    if problem:
        row.error("answer", quote(spec["answer"]), problem)
    if row.failed:
        return None
    return ParsedItem(key, prompt, spec, skills, choices, difficulty)


def _skills(row: _Row, existing: frozenset[str]) -> tuple[str, ...]:
    raw = row.get("skills")
    keys = tuple(dict.fromkeys(part.strip() for part in raw.split(";") if part.strip()))
    if not keys:
        row.error("skills", NOTHING, 'at least one skill key (several separated by ";")')
    unknown = [key for key in keys if key not in existing]
    if unknown:
        row.error("skills", quote(raw), "keys of skills of this course (unknown: " + ", ".join(unknown) + ")")
    return keys


def _choices(row: _Row) -> list[dict] | None:
    raw = row.get("choices")
    if not raw:
        return None
    choices: list[dict] = []
    for part in raw.split("|"):
        key, sep, text = (piece.strip() for piece in part.partition("="))
        if not sep or not checks.CHOICE_KEY.fullmatch(key) or not text or len(text) > MAX_CHOICE_CHARS:
            row.error("choices", quote(part.strip()), CHOICES_EXPECTED)
            return None
        if any(choice["key"] == key for choice in choices):
            row.error("choices", quote(part.strip()), f'each choice key once ("{key}" comes twice)')
            return None
        choices.append({"key": key, "text": text})
    return choices


def _answer_spec(row: _Row) -> dict | None:
    kind, answer, tolerance = row.get("answer_kind"), row.get("answer"), row.get("tolerance")
    if kind not in KINDS:
        row.error("answer_kind", quote(kind) if kind else NOTHING, one_of(KINDS))
        return None
    if tolerance and kind != "numeric":
        row.error("tolerance", quote(tolerance), "an empty cell (a tolerance applies to numeric answers only)")
    if not answer:
        row.error("answer", NOTHING, _ANSWER_EXPECTED[kind])
        return None
    spec = _SPEC_BUILDERS[kind](row, answer, tolerance)
    return None if spec is None else _validated_spec(row, spec)


_ANSWER_EXPECTED = {
    "exact": "the answer text",
    "numeric": "a number",
    "choice": "the key of the right choice",
    "set": 'the accepted answers separated by "|"',
}


def _number(row: _Row, column: str, text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        row.error(column, quote(text), "a number")
        return None
    return value


def _numeric_spec(row: _Row, answer: str, tolerance: str) -> dict | None:
    value = _number(row, "answer", answer)
    margin = _number(row, "tolerance", tolerance) if tolerance else 0.0
    if margin is not None and margin < 0:
        row.error("tolerance", quote(tolerance), "a number >= 0")
        return None
    return None if value is None or margin is None else {"kind": "numeric", "value": value, "tolerance": margin}


def _set_spec(row: _Row, answer: str, tolerance: str) -> dict:
    return {"kind": "set", "answers": [part.strip() for part in answer.split("|") if part.strip()]}


_SPEC_BUILDERS = {
    "exact": lambda row, answer, tolerance: {"kind": "exact", "answer": answer},
    "choice": lambda row, answer, tolerance: {"kind": "choice", "answer": answer},
    "numeric": _numeric_spec,
    "set": _set_spec,
}


def _validated_spec(row: _Row, spec: dict) -> dict | None:
    """The grading schema's own limits (answer length, number of accepted answers)."""
    try:
        return ANSWER_SPEC.validate_python(spec).model_dump()
    except ValidationError as exc:
        for error in errors_from_validation(exc, "answer", ExactSpec):
            row.error("answer", error.found, error.expected)
        return None
