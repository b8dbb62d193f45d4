"""Sentences and content words of a text (pure): one home for how course notes and answers are split and
compared word by word."""
from __future__ import annotations

import re

_WORD = re.compile(r"[a-z][a-z'-]{2,}")
_STOPWORDS = frozenset(
    "the and for are but not you your with that this from have has had was were will would can could "
    "should what which when where who how why its it's they them their there then than into onto out about "
    "also just very much more most some any each other such only own same too all both few one two three "
    "let lets let's is be been being does did doing done an of to in on at by as or if so do we us our he "
    "she his her him i me my".split()
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def sentences(text: str) -> list[str]:
    return [piece.strip() for piece in _SENTENCE_END.split(text) if piece.strip()]


def content_words(text: str) -> set[str]:
    """Words of three letters or more that carry meaning (casefolded, filler words left out)."""
    return {word.strip("'-") for word in _WORD.findall(text.casefold()) if word not in _STOPWORDS}


def word_stems(text: str) -> set[str]:
    """Content words with a plural "s" or "es" taken off, so "plants" meets "plant" and "gases" "gas"."""
    return {_stem(word) for word in content_words(text)}


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word
