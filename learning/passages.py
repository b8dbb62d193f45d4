"""Splitting reference text into passages (pure: no Django).

Markdown splits at ATX headings ``#`` to ``###`` (deeper headings stay in the text); a passage's title is
its heading path, e.g. ``"Adding > Unlike denominators"`` (``""`` for text before the first heading).
Headings inside fenced code blocks do not count. A section longer than ``max_chars`` is cut at paragraph
boundaries, then at sentence ends, then at spaces, so no passage exceeds ``max_chars``; every piece keeps
its section's title. Plain text is packed paragraph by paragraph (paragraphs end at blank lines) into
passages of at most ``max_chars``. Empty passages are dropped.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

MAX_PASSAGE_CHARS = 1000
MAX_TITLE_CHARS = 300  # learning.models.Passage.title
TITLE_SEPARATOR = " > "

_HEADING = re.compile(r"^ {0,3}(#{1,3})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def split_markdown(text: str, max_chars: int = MAX_PASSAGE_CHARS) -> list[tuple[str, str]]:
    """``(title, text)`` passages of a Markdown document, in document order."""
    passages: list[tuple[str, str]] = []
    for title, body in _sections(text):
        passages.extend((title, piece) for piece in split_text(body, max_chars))
    return passages


def split_text(text: str, max_chars: int = MAX_PASSAGE_CHARS) -> list[str]:
    """Consecutive paragraphs packed into pieces of at most ``max_chars`` characters (never empty)."""
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    return pack(_paragraphs(text, max_chars), max_chars=max_chars, separator="\n\n")


def pack(parts: Iterable[str], *, max_chars: int, separator: str) -> list[str]:
    """Consecutive ``parts`` joined by ``separator`` greedily: each piece takes parts until the next would
    make it longer than ``max_chars``. A part longer than that is a piece of its own; empty pieces are dropped."""
    pieces: list[str] = []
    current = ""
    for part in parts:
        joined = f"{current}{separator}{part}" if current else part
        if len(joined) <= max_chars:
            current = joined
            continue
        pieces.append(current)
        current = part
    pieces.append(current)
    return [piece for piece in pieces if piece]


def _sections(text: str) -> list[tuple[str, str]]:
    """``(heading path, body)`` for each heading of level 1 to 3, plus the text before the first one."""
    path: list[str] = []
    title, lines, sections = "", [], []
    in_fence = False
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _HEADING.match(line)
        if heading is None:
            lines.append(line)
            continue
        sections.append((title, "\n".join(lines)))
        level = len(heading[1])
        path = path[: level - 1] + [""] * max(0, level - 1 - len(path)) + [heading[2].strip()]
        title, lines = _title(path), []
    sections.append((title, "\n".join(lines)))
    return sections


def _title(path: list[str]) -> str:
    title = TITLE_SEPARATOR.join(part for part in path if part)
    return title if len(title) <= MAX_TITLE_CHARS else title[: MAX_TITLE_CHARS - 1] + "…"


def _paragraphs(text: str, max_chars: int) -> list[str]:
    paragraphs = []
    for paragraph in _BLANK_LINES.split(text.strip()):
        paragraph = paragraph.strip()
        if len(paragraph) <= max_chars:
            paragraphs.append(paragraph)
        else:
            paragraphs.extend(_split_long_paragraph(paragraph, max_chars))
    return [paragraph for paragraph in paragraphs if paragraph]


def _split_long_paragraph(paragraph: str, max_chars: int) -> list[str]:
    """A paragraph too long for one passage, cut at sentence ends (or spaces, or anywhere) into packed pieces."""
    parts = (part for sentence in _SENTENCE_END.split(paragraph) for part in _cut_words(sentence, max_chars))
    return pack(parts, max_chars=max_chars, separator=" ")


def _cut_words(sentence: str, max_chars: int) -> list[str]:
    if len(sentence) <= max_chars:
        return [sentence]
    return pack(_word_chunks(sentence, max_chars), max_chars=max_chars, separator=" ")


def _word_chunks(sentence: str, max_chars: int) -> Iterator[str]:
    """The sentence's words, a "word" longer than a passage (a URL, a data blob) cut into chunks that fit."""
    for word in sentence.split():
        yield from (word[start:start + max_chars] for start in range(0, len(word), max_chars))
