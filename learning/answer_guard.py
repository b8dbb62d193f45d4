"""Keeping an open practice item's answer out of the tutor's streamed text (pure: no Django).

The tutor is told to give hints only while a student works on an item, but a small model does not
always obey, so the answer is also taken out of the stream: ``answer_forms`` lists the ways the
answer could be written, and ``StreamRedactor`` replaces any of them, as a whole word or number,
with a placeholder. It holds back only the few characters that could still become a match, so tokens
keep streaming.
"""
from __future__ import annotations

import re
from fractions import Fraction

PLACEHOLDER = "[answer hidden until you submit]"
_MIN_TEXT_CHARS = 3  # shorter answers ("b", "4") are too common in explanations to take out


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
        # Flexible whitespace lets a match be longer than its form: hold back generously.
        self._hold = 2 * max((len(f) for f in self.forms), default=0) + 8
        self._pattern = _pattern(self.forms) if self.forms else None

    def feed(self, text: str) -> str:
        if self._pattern is None:
            return text
        self._pending += text
        safe, self._pending = self._split(self._pending)
        return safe

    def finish(self) -> str:
        if self._pattern is None:
            return ""
        spans = self._spans(self._pending, self._before)
        rest, self._pending = self._replace(self._pending, spans), ""
        self.redactions += len(spans)
        return rest

    def redact(self, text: str) -> str:
        """Redact a whole text at once (the stored answer)."""
        return self._replace(text, self._spans(text, "")) if self._pattern is not None else text

    def _split(self, text: str) -> tuple[str, str]:
        """Emit the text up to ``hold`` characters from its end, redacted; a match is only final when at least
        ``hold`` characters follow it (it could still grow), so the raw tail and any match reaching into it
        wait for more text."""
        cut = max(0, len(text) - self._hold)
        context = self._before
        final = []
        for match in self._pattern.finditer(context + text):
            start, end = match.start() - len(context), match.end() - len(context)
            if start < 0:
                continue
            if end > cut:
                cut = min(cut, start)
                break
            final.append((start, end))
        emitted = self._replace(text[:cut], final)
        self.redactions += len(final)
        if cut:
            self._before = text[cut - 1]
        return emitted, text[cut:]

    def _replace(self, text: str, spans: list[tuple[int, int]]) -> str:
        pieces, position = [], 0
        for start, end in spans:
            pieces += [text[position:start], PLACEHOLDER]
            position = end
        return "".join(pieces) + text[position:]

    def _spans(self, text: str, context: str) -> list[tuple[int, int]]:
        spans = [(m.start() - len(context), m.end() - len(context)) for m in self._pattern.finditer(context + text)]
        return [(a, b) for a, b in spans if a >= 0]


def _pattern(forms: list[str]) -> re.Pattern:
    alternatives = "|".join(_flexible(f) for f in forms)
    # Not inside a longer word or number: no letter or digit (or a digit after "." or "/") on either side.
    return re.compile(rf"(?<![\w./])(?:{alternatives})(?![\w]|[./]\d)", re.IGNORECASE)


def _flexible(form: str) -> str:
    """The form with any run of spaces matching any whitespace, and spaces around "/" optional."""
    parts = [re.escape(p) for p in re.split(r"\s+", form.strip())]
    return r"\s+".join(parts).replace(r"/", r"\s*/\s*")
