"""Finds words in a Django template that a reader sees but no translator does.

The template is read with Django's own Lexer. Each tag and variable becomes a neutral mark, the text inside
``{% blocktranslate %}`` and ``{% comment %}`` is dropped, and what is left is parsed as HTML: any text between
tags, or in an attribute a reader sees or hears (``aria-label``, ``placeholder``, ``title``, ``alt``), that holds
a letter is a string not marked for translation (so is a button's ``value``). Text in ``<style>`` and ``<script>`` is code, not words.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

MARK = "\u00a7"  # stands for a tag or a variable: no letter, so never a word itself
LETTER = re.compile(r"[^\W\d_]")
READ_ATTRIBUTES = {"alt", "aria-label", "aria-description", "placeholder", "title"}
CODE_ELEMENTS = {"style", "script"}
SKIPPED_BLOCKS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans", "comment": "endcomment"}
# Text that is not a word in any language. Empty: brand names and the like would go here, each with its reason.
ALLOWED: set[str] = set()


def unmarked_words(source: str) -> list[str]:
    """The pieces of text in ``source`` a reader sees that are not marked for translation."""
    finder = _WordFinder()
    finder.feed(_without_translated_text(source))
    finder.close()
    return finder.found


def unmarked_in_files(paths: list[Path]) -> dict[str, list[str]]:
    found = {str(path): unmarked_words(path.read_text()) for path in paths}
    return {path: words for path, words in found.items() if words}


def _without_translated_text(source: str) -> str:
    kept, closing = [], None
    for token in Lexer(source).tokenize():
        if closing is not None:
            if token.token_type == TokenType.BLOCK and token.contents.split()[0] == closing:
                closing = None
            continue
        if token.token_type == TokenType.TEXT:
            kept.append(token.contents)
            continue
        if token.token_type == TokenType.BLOCK:
            closing = SKIPPED_BLOCKS.get(token.contents.split()[0])
        kept.append(MARK)
    return "".join(kept)


class _WordFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._code_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in CODE_ELEMENTS:
            self._code_depth += 1
        button = tag == "input" and dict(attrs).get("type") in ("submit", "button", "reset")
        for name, value in attrs:
            if value and (name in READ_ATTRIBUTES or (button and name == "value")):
                self._check(value)

    def handle_endtag(self, tag):
        if tag in CODE_ELEMENTS and self._code_depth:
            self._code_depth -= 1

    def handle_data(self, data):
        if not self._code_depth:
            self._check(data)

    def _check(self, text: str) -> None:
        text = " ".join(text.replace(MARK, " ").split())
        if LETTER.search(text) and text not in ALLOWED:
            self.found.append(text)
