"""Which kind of content an upload is, and its text (pure: no Django)."""
from __future__ import annotations

import re
from enum import StrEnum
from pathlib import PurePath

from learning.content.errors import ContentError, ContentRejected, ContentTooLarge, UnsupportedContent, quote

SOURCE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,119}")
SOURCE_EXPECTED = "a source name: a letter or digit, then up to 119 letters, digits, '.', '_' or '-'"


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"
    MARKDOWN = "markdown"
    TEXT = "text"


EXTENSIONS = {".json": Format.JSON, ".csv": Format.CSV, ".md": Format.MARKDOWN, ".markdown": Format.MARKDOWN,
              ".txt": Format.TEXT}
CONTENT_TYPES = {"application/json": Format.JSON, "text/csv": Format.CSV, "text/markdown": Format.MARKDOWN,
                 "text/plain": Format.TEXT}
REFERENCE_FORMATS = {Format.MARKDOWN, Format.TEXT}
_UTF8_CHARSETS = {"utf-8", "utf8", "us-ascii"}
_BOM = b"\xef\xbb\xbf"
NO_NAME = "no file name"


def size_check(*, size: int, limit: int) -> None:
    if size > limit:
        raise ContentTooLarge([ContentError("file", "", f"{size} bytes", f"at most {limit} bytes")])


def format_pick(*, filename: str, content_type: str | None) -> Format:
    """By Content-Type when one is given (HTTP: "" means the header is missing), else by the file name's
    extension."""
    if content_type is not None:
        return _by_content_type(content_type)
    extension = PurePath(filename).suffix.lower()
    if extension in EXTENSIONS:
        return EXTENSIONS[extension]
    found = quote(extension) if extension else f"no extension in {quote(filename)}" if filename else NO_NAME
    raise UnsupportedContent([ContentError("file", "extension", found, "one of " + ", ".join(EXTENSIONS))])


def _by_content_type(content_type: str) -> Format:
    media_type, _, params = content_type.partition(";")
    media_type = media_type.strip().lower()
    if media_type not in CONTENT_TYPES:
        raise UnsupportedContent([ContentError("file", "Content-Type", quote(media_type) if media_type else "nothing",
                                               "one of " + ", ".join(CONTENT_TYPES))])
    charset = _charset(params)
    if charset is not None and charset.lower() not in _UTF8_CHARSETS:
        raise UnsupportedContent([ContentError("file", "Content-Type", f"charset={quote(charset)}", "charset=utf-8")])
    return CONTENT_TYPES[media_type]


def _charset(params: str) -> str | None:
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"')
    return None


def source_pick(*, fmt: Format, filename: str, source: str | None) -> str | None:
    """The reference source a text upload replaces: the given name, else the file name without extension."""
    if fmt not in REFERENCE_FORMATS:
        if source:
            raise ContentRejected([ContentError("source", "", quote(source),
                                                f"no source name for a {fmt} file (only reference text has one)")])
        return None
    name = source if source else PurePath(filename).stem
    if not name:
        raise ContentRejected([ContentError("source", "", "nothing", SOURCE_EXPECTED + " for reference text")])
    if not SOURCE_PATTERN.fullmatch(name):
        hint = "" if source else " (rename the file or give a source name)"
        raise ContentRejected([ContentError("source", "", quote(name), SOURCE_EXPECTED + hint)])
    return name


def decode(data: bytes) -> str:
    """UTF-8 text without its byte-order mark; refuses empty files, invalid bytes and NUL, naming the offset."""
    body = data[len(_BOM):] if data.startswith(_BOM) else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + len(data) - len(body)
        line = data[:offset].count(b"\n") + 1
        found = "byte 0x" + data[offset:offset + 1].hex().upper()
        raise ContentRejected([ContentError(f"byte {offset} (line {line})", "", found, "UTF-8 text")]) from None
    if "\x00" in text:  # valid UTF-8, but no database text column (PostgreSQL's) can store it
        offset = data.index(b"\x00")
        line = data[:offset].count(b"\n") + 1
        raise ContentRejected([ContentError(f"byte {offset} (line {line})", "", "byte 0x00 (NUL)",
                                            "text without NUL characters")])
    if not text.strip():
        raise ContentRejected([ContentError("file", "", "an empty file" if not data else "only whitespace",
                                            "some content")])
    return text
