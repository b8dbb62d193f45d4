"""Grading a tutor's answer against a question's gold answers (pure).

The evaluation gate grades its cases with it, and the router benchmark its question files
(``bench.router.questions`` reads them).

How an answer is graded, since a tutor answers in sentences, not in one word:

- ``exact``: the whole answer, or its first sentence, equals a gold answer once case, spacing, punctuation
  and a leading "the answer is" are ignored.
- ``numeric``: the last number the answer states that the question did not already state (fractions, mixed
  numbers, decimals and percentages understood) equals a gold number. Restating the question's numbers
  proves nothing, and a tutor's final number is its answer. Where the right answer has the value of a number
  the question states ("simplify 42/56" is 3/4, "7/20 as a decimal" is 0.35), "already stated" means the same
  written number, not the same value; otherwise no answer could be right.
- ``contains``: a gold phrase appears in the answer as whole words (its last word may take a plural or
  third-person "s"), and it is not negated right before ("not carbon dioxide").
- ``choice``: the question lists options (``options``: key and text) and ``gold`` is the right option's key.
  The answer is right when it names the right option, by its text or by its letter ("b)", "(b)", "option b",
  "the answer is b"), and names no other one. Texts are looked for longest first and each match is used up,
  so "oxygen and glucose" names that option and not also "oxygen".
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction

from learning.grading import parse_number
from learning.support import answer_after_quote


@dataclass(frozen=True)
class QAQuestion:
    question: str
    gold: tuple[str, ...]
    check: str
    course: str | None = None
    category: str | None = None  # calculation, factual or word_problem: for reporting by kind
    support: str | None = None  # the course-notes sentence that answers a factual question
    options: tuple[tuple[str, str], ...] = ()  # a choice question's (key, text) pairs


def answer_is_correct(question: QAQuestion, answer: str) -> bool:
    if question.check == "choice":
        return options_named(answer, question.options) == {question.gold[0]}
    if question.check == "numeric":
        return _numeric_correct(question, answer)
    if question.check == "contains":
        return any(_contains(answer, gold) for gold in question.gold)
    return _exact_correct(question, answer)


# --- exact -------------------------------------------------------------------------------------------------

_LEAD_IN = re.compile(r"^(so,? )?(the )?(final |correct )?answer is:? ")


def _words(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    # A word keeps inner dots (3.5, e.g) but not a sentence's full stop: "Chlorophyll. It ..." has "chlorophyll".
    words = (word.strip(".'-") for word in re.findall(r"[\w/.%'-]+", folded))
    return " ".join(word for word in words if word)


def _exact_form(text: str) -> str:
    return _LEAD_IN.sub("", _words(text))


def _exact_correct(question: QAQuestion, answer: str) -> bool:
    """The whole answer, or its first sentence, is the gold; in an answer that quotes the notes first, the
    tutor's own first sentence after the quote is read as its first sentence."""
    own = answer_after_quote(answer)
    candidates = {_exact_form(answer)} | {_exact_form(_first_sentence(text)) for text in (answer, own)}
    return any(_exact_form(gold) in candidates for gold in question.gold)


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s|\n", text.strip(), maxsplit=1)[0]


# --- contains ----------------------------------------------------------------------------------------------

_NEGATIONS = ("not", "no", "never", "isn't", "aren't", "doesn't", "don't", "cannot", "can't", "without")


def _contains(answer: str, gold: str) -> bool:
    return _affirmed_match(f" {_words(answer)} ", gold) is not None


def _affirmed_match(text: str, gold: str) -> re.Match | None:
    """The first place ``text`` (folded by _words, padded with spaces) states ``gold`` without negating it; a
    plural or third-person "s" on its last word still states it ("guard cells" for "guard cell", "reflects" for
    "reflect")."""
    phrase = _words(gold)
    if not phrase:
        return None
    for match in re.finditer(rf"(?<=\s){re.escape(phrase)}(?:e?s)?(?=\s)", text):
        before = text[: match.start()].split()[-2:]
        if not any(word in _NEGATIONS for word in before):
            return match
    return None


# --- choice ------------------------------------------------------------------------------------------------

# How a tutor names an option by its key k: "(k)", "k)", "option k", "the answer is k." or a line that starts "k." /
# "k:". "The answer is a fraction" does not name option a: after "answer is" the key must end the clause.
_KEY_NAMING = (r"\(\s*{k}\s*\)|(?<![\w(/]){k}\)|\b(?:option|choice|letter)\s+{k}\b(?!/)"
               r"|\banswer(?: is|:)\s*{k}(?=\s*(?:$|[.,;:!)]))|(?:^|\n)\s*{k}[.:](?:\s|$)")


def options_named(answer: str, options: tuple[tuple[str, str], ...]) -> set[str]:
    """The keys of the options ``answer`` names, by text (longest first, each match used up) or by key."""
    text = f" {_words(answer)} "
    named = set()
    for key, option in sorted(options, key=lambda pair: -len(_words(pair[1]))):
        while (match := _affirmed_match(text, option)) is not None:
            named.add(key)
            text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end():]
    return named | {key for key, _ in options if _names_key(answer, key)}


def _names_key(answer: str, key: str) -> bool:
    folded = unicodedata.normalize("NFKC", answer).casefold().strip()
    key = key.casefold()
    if re.fullmatch(rf"{re.escape(key)}[.!)]?", folded):
        return True
    return re.search(_KEY_NAMING.format(k=re.escape(key)), folded) is not None


# --- numeric -----------------------------------------------------------------------------------------------

_NUMBER = re.compile(
    r"(?<![\w.])(-?\d+\s+\d+\s*/\s*\d+|-?\d+\s*/\s*\d+|-?\d+(?:,\d{3})*(?:\.\d+)?%?|-?\.\d+%?)(?![\w]|/\d)"
)


def numbers_in(text: str) -> list[Fraction]:
    """The numbers ``text`` states, in order, as exact fractions."""
    return [value for _, value in _written_numbers(text)]


def _written_numbers(text: str) -> list[tuple[str, Fraction]]:
    """The numbers ``text`` states, in order, each as written (spaces removed) and as an exact fraction."""
    cleaned = unicodedata.normalize("NFKC", text).replace("−", "-").replace("⁄", "/")
    written = ((re.sub(r"\s+", "", match.group(1)), parse_number(match.group(1))) for match in _NUMBER.finditer(cleaned))
    return [(text, value) for text, value in written if value is not None]


def _numeric_correct(question: QAQuestion, answer: str) -> bool:
    gold = {parse_number(g) for g in question.gold}
    stated = _written_numbers(question.question)
    if gold & {value for _, value in stated}:
        stated_texts = {text for text, _ in stated}
        new_numbers = [value for text, value in _written_numbers(answer) if text not in stated_texts]
    else:
        stated_values = {value for _, value in stated}
        new_numbers = [value for value in numbers_in(answer) if value not in stated_values]
    return bool(new_numbers) and new_numbers[-1] in gold
