"""Errors in uploaded course content: each names where, which field, what was found and what was expected.

``where`` is a JSON path to a record (``items[3]``, ``skills[0]``, ``course``, ``format``), a CSV row
(``row 7``, the header being row 1), a position in a text (``line 4, column 17``, ``byte 1043 (line 12)``), or
``file`` / ``source`` for the upload as a whole. ``field`` is the path inside that record
(``answer.kind``), the CSV column, or "" when the whole place is wrong.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

MAX_ERRORS = 100
FOUND_CHARS = 60
NOTHING = "nothing"


@dataclass(frozen=True)
class ContentError:
    where: str
    field: str
    found: str  # already described for a person: '"numbr"', 'a list of 3', 'nothing'
    expected: str

    @property
    def location(self) -> str:
        if not self.field:
            return self.where
        if self.where.startswith("row "):
            return f'{self.where}, column "{self.field}"'
        return f"{self.where}.{self.field}" if self.where else self.field

    @property
    def message(self) -> str:
        return f"{self.location}: found {self.found}, expected {self.expected}"

    def as_dict(self) -> dict[str, str]:
        return {"where": self.where, "field": self.field, "found": self.found, "expected": self.expected,
                "message": self.message}


class ContentRejected(Exception):
    """The upload is refused as a whole; ``errors`` holds at most MAX_ERRORS of ``total`` errors found."""

    code = "content_rejected"

    def __init__(self, errors: list[ContentError]):
        if not errors:
            raise ValueError("ContentRejected needs at least one error")
        self.total = len(errors)
        self.errors = list(errors[:MAX_ERRORS])
        super().__init__(self.detail)

    @property
    def detail(self) -> str:
        if self.total == 1:
            return f"The content was rejected and nothing was imported: {self.errors[0].message}"
        shown = "" if self.total <= len(self.errors) else f" (the first {len(self.errors)} are listed)"
        return f"The content was rejected and nothing was imported: {self.total} errors{shown}."


class ContentTooLarge(ContentRejected):
    code = "content_too_large"


class UnsupportedContent(ContentRejected):
    code = "unsupported_content_type"


class ErrorList:
    """Collects errors while parsing; parsers keep going so that one upload reports every problem."""

    def __init__(self) -> None:
        self.errors: list[ContentError] = []

    def add(self, where: str, field: str, found: str, expected: str) -> None:
        self.errors.append(ContentError(where, field, found, expected))

    def extend(self, errors: list[ContentError]) -> None:
        self.errors.extend(errors)

    def __len__(self) -> int:
        return len(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ContentRejected(self.errors)


def describe(value: object) -> str:
    """A value as an error message shows it: strings quoted and cut to about FOUND_CHARS characters."""
    if isinstance(value, str):
        return quote(value)
    if value is None:
        return "null"
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    if isinstance(value, list):
        return "an empty list" if not value else f"a list of {len(value)}"
    if isinstance(value, dict):
        keys = ", ".join(map(str, value))
        return f"an object with keys {clip(keys)}" if value else "an empty object"
    return type(value).__name__


def quote(text: str) -> str:
    shown = json.dumps(clip(text), ensure_ascii=False)
    return shown if len(text) <= FOUND_CHARS else f"{shown} ({len(text)} characters)"


def clip(text: str, limit: int = FOUND_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def one_of(options) -> str:
    return "one of " + ", ".join(options)
