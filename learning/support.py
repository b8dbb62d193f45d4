"""Does an answer say only what its evidence says? (pure: no Django)

A factual answer grounded in sentences of the course notes is *supported* when what it adds to the question
is found in those sentences: each number it states, and nearly every content word. It is a lexical check, so
it errs towards refusing a fair paraphrase ("makes" for "produces") rather than passing an invented fact; the
tutor then shows the notes' own sentence instead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from learning.sentences import word_stems

# Of the content words an answer adds to its question, at most this share may be missing from the evidence
# (connecting words a sentence needs: "because", "means", "called"). No number may be missing.
MAX_UNSUPPORTED_SHARE = 1 / 3
MAX_ANSWER_CHARS = 4_000
# How a grounded answer quotes its evidence before it answers, so a reader of the answer (the router) can
# tell the notes' words from the tutor's.
QUOTE_LEAD = "Your course notes say: "
QUOTE_JOIN = " And: "
QUOTE_END = "\n\n"
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,/]\d+)?")
_NUMBER_WORDS = {
    word: str(value) for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split())
}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
# Words an answer uses to speak about its evidence, not to claim anything.
_FRAMING = frozenset(word_stems(
    "answer notes note course says say said sentence source question student because means mean called yes "
    "so therefore indeed example explain explains shows show tells tell"))
_POSSESSIVE = re.compile(r"['’]s\b")


@dataclass(frozen=True)
class Support:
    supported: bool
    unsupported: tuple[str, ...]  # the words and numbers the answer adds that the evidence does not hold
    claims: int  # how many words and numbers the answer adds to the question

    @property
    def status(self) -> str:
        if not self.claims:
            return "unchecked"
        return "supported" if self.supported else "unsupported"


def answer_support(question: str, answer: str, evidence: Sequence[str]) -> Support:
    """Which of the words and numbers ``answer`` adds to ``question`` the ``evidence`` sentences do not hold."""
    answer = _POSSESSIVE.sub("", answer[:MAX_ANSWER_CHARS])
    question, evidence = _POSSESSIVE.sub("", question), [_POSSESSIVE.sub("", text) for text in evidence]
    known_words = word_stems(question).union(*(word_stems(text) for text in evidence))
    known_numbers = numbers_of(question).union(*(numbers_of(text) for text in evidence))
    added_words = word_stems(answer) - word_stems(question) - _FRAMING
    added_numbers = numbers_of(answer) - numbers_of(question)
    missing_words = sorted(added_words - known_words)
    missing_numbers = sorted(added_numbers - known_numbers)
    claims = len(added_words) + len(added_numbers)
    supported = not missing_numbers and len(missing_words) <= MAX_UNSUPPORTED_SHARE * len(added_words)
    return Support(supported, tuple(missing_numbers + missing_words), claims)


def numbers_of(text: str) -> set[str]:
    """The numbers ``text`` states, digits or words up to twenty ("five" is "5"), as written digits."""
    spelled = _NUMBER_WORD.sub(lambda match: _NUMBER_WORDS[match.group(1).casefold()], text)
    return {number.replace(",", ".") for number in _NUMBER.findall(spelled)}


def quote_text(evidence: Sequence[str]) -> str:
    """The supporting sentences as the student reads them, in front of the tutor's own answer."""
    return QUOTE_LEAD + QUOTE_JOIN.join(f"“{sentence}”" for sentence in evidence) + QUOTE_END


def answer_after_quote(text: str) -> str:
    """What the tutor itself said in an answer that opens with ``quote_text``: the rest of the text."""
    if not text.startswith(QUOTE_LEAD) or QUOTE_END not in text:
        return text
    return text.split(QUOTE_END, 1)[1]
