"""What the parsers hand to the import service: plain, already validated values (pure: no Django)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ParsedSkill:
    key: str
    name: str
    description: str = ""
    prerequisites: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedItem:
    key: str
    prompt: str
    answer_spec: dict
    skills: tuple[str, ...]
    choices: list[dict] | None = None
    difficulty_hint: str = ""
    misconceptions: tuple[dict, ...] | None = None  # None: left as they are (a CSV upload has none)


@dataclass(frozen=True)
class ParsedPassage:
    title: str
    text: str


@dataclass(frozen=True)
class ParsedSource:
    source: str
    passages: tuple[ParsedPassage, ...]


@dataclass(frozen=True)
class ParsedGolden:
    question: str
    gold: tuple[str, ...]
    check: str  # contains, numeric or exact


@dataclass(frozen=True)
class ParsedContent:
    """``skills`` is None when the upload leaves the course's skills as they are; ``items`` is None when it
    does not touch items; ``full_sync`` says whether items and skills missing from it are removed; ``golden``
    is None when the upload leaves the course's golden questions as they are, else it replaces them."""

    skills: tuple[ParsedSkill, ...] | None = None
    items: tuple[ParsedItem, ...] | None = None
    reference: tuple[ParsedSource, ...] = ()
    full_sync: bool = False
    golden: tuple[ParsedGolden, ...] | None = None
    title: str | None = None
    description: str | None = None
    notes: list[str] = field(default_factory=list)
