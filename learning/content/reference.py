"""Reference text (Markdown or plain) as passages, with the checks of an upload (pure: no Django).

The splitting itself is learning.passages' (headings # to ###, heading paths as titles, passages of at
most MAX_PASSAGE_CHARS characters); this module adds the limits and the error an author sees.
"""
from __future__ import annotations

from learning.content.errors import ContentError, ContentRejected
from learning.content.parsed import ParsedPassage
from learning.passages import MAX_PASSAGE_CHARS, split_markdown, split_text

MAX_PASSAGES = 5000

__all__ = ["MAX_PASSAGES", "MAX_PASSAGE_CHARS", "passages_from_markdown", "passages_from_text"]


def passages_from_markdown(text: str, *, where: str = "file", field: str = "") -> list[ParsedPassage]:
    return _checked([ParsedPassage(title, body) for title, body in split_markdown(text)], where, field)


def passages_from_text(text: str, *, where: str = "file", field: str = "") -> list[ParsedPassage]:
    return _checked([ParsedPassage("", body) for body in split_text(text)], where, field)


def _checked(passages: list[ParsedPassage], where: str, field: str) -> list[ParsedPassage]:
    if not passages:
        raise ContentRejected([ContentError(where, field, "only headings", "at least one passage of text")])
    if len(passages) > MAX_PASSAGES:
        raise ContentRejected([ContentError(where, field, f"{len(passages)} passages",
                                            f"at most {MAX_PASSAGES} (about {MAX_PASSAGE_CHARS} characters each)")])
    return passages
