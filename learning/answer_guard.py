"""Keeping an open practice item's answer out of the tutor's streamed text (pure: no Django).

The tutor is told to give hints only while a student works on an item, but a small model does not
always obey, so the answer is also taken out of the stream: ``answer_forms`` lists the ways the
answer could be written, and ``StreamRedactor`` replaces any of them, as a whole word or number,
with a placeholder. It holds back only the few characters that could still become a match, so tokens
keep streaming.

A form that is a number is matched by value, not by spelling: every number the stream states (a
fraction, mixed number, decimal with "." or ",", percentage, "5÷7", "5/7ths", or words such as "five
sevenths", "one and a half", "half") is read exactly and compared with the answer's value, so "10/14",
"71.43%" and "five sevenths" all give away 5/7. A decimal or percentage also counts when it is the
answer correctly rounded to the digits written ("0.71", "71%"), but only with at least two significant
digits: "0.7" says too little to be the answer. A whole number counts only when it is exactly the
answer, so "5 steps" and "7 sections" stay. Text forms match case-insensitively with subscript and
superscript digits read as digits ("CO₂" is "CO2").
"""
from __future__ import annotations

import re
import unicodedata
from fractions import Fraction
from typing import Iterator

PLACEHOLDER = "[answer hidden until you submit]"
_MIN_TEXT_CHARS = 3  # shorter answers ("b", "4") are too common in explanations to take out
_MIN_SIGNIFICANT_DIGITS = 2  # a rounded "0.7" or "70%" is too vague to be the answer of 5/7


def answer_forms(spec: dict, choices: list[dict] | None) -> list[str]:
    """The spellings of the answer worth redacting (case-insensitive), longest first."""
    kind = spec.get("kind")
    if kind == "exact":
        forms = [spec["answer"]]
    elif kind == "set":
        forms = list(spec["answers"])
    elif kind == "numeric":
        forms = _number_forms(float(spec["value"]), float(spec.get("tolerance", 0.0)))
    elif kind == "choice":
        forms = [c["text"] for c in choices or [] if c.get("key") == spec["answer"]]
    else:
        forms = []
    cleaned = {f.strip() for f in forms if len(f.strip()) >= _MIN_TEXT_CHARS or _is_fraction(f.strip())}
    return sorted(cleaned, key=len, reverse=True)


def _is_fraction(text: str) -> bool:
    return bool(re.fullmatch(r"\d+\s*/\s*\d+", text))


def _number_forms(value: float, tolerance: float) -> list[str]:
    forms = {_plain(value)}
    fraction = Fraction(value).limit_denominator(1000)
    if fraction.denominator != 1 and abs(float(fraction) - value) <= max(tolerance, 1e-9):
        forms.add(f"{fraction.numerator}/{fraction.denominator}")
        whole, rest = divmod(fraction.numerator, fraction.denominator)
        if whole and fraction > 0:
            forms.add(f"{whole} {rest}/{fraction.denominator}")
    for places in (2, 3, 4):
        rounded = round(value, places)
        if abs(rounded - value) <= max(tolerance, 10**-places):
            forms.add(_plain(rounded))
    if 0 < abs(value) < 1:  # a proportion may be written as a percentage
        forms.add(_plain(value * 100) + "%")
    return [f for f in forms if f]


def _plain(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class StreamRedactor:
    """Feed streamed text in, get safe text out; ``finish()`` flushes what was held back."""

    def __init__(self, forms: list[str]):
        self.forms = [f for f in forms if f]
        self.redactions = 0
        self._pending = ""
        self._before = ""  # the last character already emitted, for the word-boundary check
        self._matcher = _AnswerMatcher(self.forms) if self.forms else None
        # Every match is at most ``longest`` characters and needs two more to be told apart from a longer
        # number ("5/7" from "5/71"), so text further back than that from the end can no longer change.
        self._hold = self._matcher.longest + 3 if self._matcher else 0

    def feed(self, text: str) -> str:
        if self._matcher is None:
            return text
        self._pending += text
        safe, self._pending = self._split(self._pending)
        return safe

    def finish(self) -> str:
        if self._matcher is None:
            return ""
        spans = self._answer_spans(self._pending, self._before)
        rest, self._pending = _replace(self._pending, spans), ""
        self.redactions += len(spans)
        return rest

    def redact(self, text: str) -> str:
        """Redact a whole text at once (the stored answer)."""
        return _replace(text, self._answer_spans(text, "")) if self._matcher is not None else text

    def _split(self, text: str) -> tuple[str, str]:
        """Emit the text up to ``hold`` characters from its end, redacted. A token (answer or not) that
        reaches past that point waits whole: emitting half of "5 5/7" would leave "5/7" to be read alone."""
        cut = max(0, len(text) - self._hold)
        final = []
        for start, end, match in self._matcher.tokens(text, self._before):
            if end > cut:
                cut = min(cut, start)
                break
            if self._matcher.is_answer(match):
                final.append((start, end))
        emitted = _replace(text[:cut], final)
        self.redactions += len(final)
        if cut:
            self._before = text[cut - 1]
        return emitted, text[cut:]

    def _answer_spans(self, text: str, context: str) -> list[tuple[int, int]]:
        return [(start, end) for start, end, match in self._matcher.tokens(text, context)
                if self._matcher.is_answer(match)]


def _replace(text: str, spans: list[tuple[int, int]]) -> str:
    pieces, position = [], 0
    for start, end in spans:
        pieces += [text[position:start], PLACEHOLDER]
        position = end
    return "".join(pieces) + text[position:]


# --- reading numbers, in digits or in words -----------------------------------------------------------------

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
}
_ORDINALS = {
    "half": 2, "halves": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
    "hundredth": 100, "thousandth": 1000,
}
_ORDINALS.update({f"{word}s": number for word, number in list(_ORDINALS.items()) if word != "halves"})
_VULGAR = "¼½¾⅐⅑⅒⅓⅔⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞"
_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹", "01234567890123456789")


def _alternatives(words) -> str:
    return "|".join(sorted(words, key=len, reverse=True))  # longest first: "fourths" before "fourth"


_D = r"[0-9]{1,9}"  # a bounded digit run keeps every match short, so the stream holds back little
_S = r"[ \t]{0,3}"
_WORD_NUMBER = rf"(?:{_alternatives(_NUMBER_WORDS)}|[0-9]{{1,3}})"
_IN_WORDS = (rf"(?:(?P<whole>{_WORD_NUMBER})[ \t]{{1,3}}and[ \t]{{1,3}})?(?:(?P<num>{_WORD_NUMBER})[ \t-]{{1,3}})?"
             rf"(?P<den>{_alternatives(_ORDINALS)})(?!-)")
_IN_DIGITS = (
    rf"(?P<sign>[-−])?(?:"
    rf"(?P<mixed>{_D})[ \t]{{1,3}}(?P<mnum>{_D}){_S}[/⁄]{_S}(?P<mden>{_D})"
    rf"|(?P<fnum>{_D}){_S}[/⁄÷]{_S}(?P<fden>{_D})(?:ths|th|nds|rds|s)?"
    rf"|(?P<vwhole>{_D})?(?P<vulgar>[{_VULGAR}])"
    rf"|(?P<decimal>[1-9][0-9]{{0,2}}(?:,[0-9]{{3}}){{1,3}}(?:\.{_D})?|{_D}(?:[.,]{_D})?|\.{_D})"
    rf"(?P<percent>[ \t]?(?:%|percent|per[ \t]cent))?)"
)
_LONGEST_NUMBER = 64  # a bound on the length of a match of _IN_DIGITS or _IN_WORDS, with room to spare
# Not inside a longer word or number; a number does not start after a comma either, as in "3,714" or "0,714".
_TEXT_NOT_AFTER = r"(?<![\w./])"
_NUMBER_NOT_AFTER = r"(?<![\w./,])"
_NOT_BEFORE = r"(?![\w]|[./,]\d)"


class _AnswerMatcher:
    """Finds the tokens of a text that could state the answer, and says which ones do."""

    def __init__(self, forms: list[str]):
        self.values: set[Fraction] = set()
        texts = []
        for form in forms:
            value = _number_value(unicodedata.normalize("NFKC", form).strip())
            if value is None:
                texts.append(form)
            else:
                self.values.add(value)
        branches = [f"{_TEXT_NOT_AFTER}(?P<text>{'|'.join(_flexible(t) for t in texts)})"] if texts else []
        if self.values:
            branches.append(f"{_NUMBER_NOT_AFTER}(?:(?P<words>{_IN_WORDS})|(?P<digits>{_IN_DIGITS}))")
        self._pattern = re.compile(rf"(?:{'|'.join(branches)}){_NOT_BEFORE}", re.IGNORECASE)
        self.longest = max([_LONGEST_NUMBER if self.values else 0, *(_longest_match(t) for t in texts)])

    def tokens(self, text: str, context: str) -> Iterator[tuple[int, int, re.Match]]:
        """(start, end, match) of each token of ``text``; ``context`` is the text just before it."""
        for match in self._pattern.finditer(context + text):
            start = match.start() - len(context)
            if start >= 0:
                yield start, match.end() - len(context), match

    def is_answer(self, match: re.Match) -> bool:
        """Whether a token states the answer; asked only of tokens about to be emitted, so once per token."""
        found = match.groupdict()
        if found.get("text") is not None:
            return True
        if found.get("words") is not None:
            return _words_value(match) in self.values
        value, places, significant = _digits_value(match)
        if value in self.values:
            return True
        # A rounded decimal states the answer when it is within half a unit of its last digit.
        return places is not None and significant >= _MIN_SIGNIFICANT_DIGITS and any(
            abs(answer - value) * 2 * 10**places <= 1 for answer in self.values)


def _number_value(text: str) -> Fraction | None:
    """The exact value of a form that is wholly one number, else None."""
    match = re.fullmatch(f"(?:(?P<words>{_IN_WORDS})|(?P<digits>{_IN_DIGITS}))", text, re.IGNORECASE)
    if match is None:
        return None
    return _words_value(match) if match["words"] is not None else _digits_value(match)[0]


def _words_value(match: re.Match) -> Fraction | None:
    """"five sevenths", "a half", "one and a half", "3 quarters"; an ordinal alone ("the third step") is
    no number, except "half"."""
    numerator = _word_number(match["num"]) if match["num"] else None
    if numerator is None and match["den"].lower() != "half":
        return None
    whole = _word_number(match["whole"]) if match["whole"] else 0
    return whole + Fraction(numerator or 1, _ORDINALS[match["den"].lower()])


def _word_number(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word.lower()]


def _digits_value(match: re.Match) -> tuple[Fraction | None, int | None, int]:
    """The exact value, the decimal places of that value the token states (None for a fraction or whole
    number, which must be exact) and its significant digits."""
    sign = -1 if match["sign"] else 1
    if match["mixed"] is not None:
        return _ratio(sign, int(match["mixed"]), match["mnum"], match["mden"]), None, 0
    if match["fnum"] is not None:
        return _ratio(sign, 0, match["fnum"], match["fden"]), None, 0
    if match["vulgar"] is not None:
        whole = int(match["vwhole"] or 0)
        return sign * (whole + Fraction(unicodedata.numeric(match["vulgar"])).limit_denominator(10)), None, 0
    return _decimal_value(sign, match["decimal"], match["percent"] is not None)


def _ratio(sign: int, whole: int, numerator: str, denominator: str) -> Fraction | None:
    return None if int(denominator) == 0 else sign * (whole + Fraction(int(numerator), int(denominator)))


def _decimal_value(sign: int, written: str, percent: bool) -> tuple[Fraction, int | None, int]:
    # "0,714" and "2,5" use a decimal comma; "1,000" groups thousands.
    grouped = re.fullmatch(r"[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]+)?", written)
    plain = written.replace(",", "") if grouped else written.replace(",", ".")
    whole, _, decimals = plain.partition(".")
    value = sign * Fraction(int(whole or "0") * 10 ** len(decimals) + int(decimals or "0"), 10 ** len(decimals))
    places = len(decimals) + 2 * percent
    significant = len((whole + decimals).lstrip("0"))
    exact_only = not decimals and not percent
    return (value / 100 if percent else value), (None if exact_only else places), significant


def _flexible(form: str) -> str:
    """The form with any run of spaces matching a little whitespace, spaces around "/" optional, and each
    digit matching its subscript and superscript too."""
    words = re.split(r"\s+", unicodedata.normalize("NFKC", form.strip()))
    return r"\s{1,4}".join("".join(map(_flexible_char, word)) for word in words)


def _flexible_char(char: str) -> str:
    if char == "/":
        return r"\s{0,3}/\s{0,3}"
    return _digit_class(char) if char in "0123456789" else re.escape(char)


def _digit_class(digit: str) -> str:
    variants = [c for c in "₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹" if c.translate(_SUBSCRIPTS) == digit]
    return f"[{digit}{''.join(variants)}]"


def _longest_match(form: str) -> int:
    """How long a match of ``_flexible(form)`` can be."""
    normal = unicodedata.normalize("NFKC", form.strip())
    return len(normal) + 4 * len(re.findall(r"\s+", normal)) + 6 * normal.count("/")
