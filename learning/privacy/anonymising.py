"""Text kept after a student's data is erased (a teacher's correction of an answer to them, say) keeps the
question and the answer but not who asked: the student's own identifiers and any email address or phone number
are replaced by placeholders. Pure: no Django.

What it cannot do is recognise every personal detail a student may type: a friend's name, an address, a
school. The docs say so; what is kept is the course material, not a guarantee that no detail survives.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

STUDENT = "[student]"
EMAIL = "[email]"
PHONE = "[phone]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# International numbers (+46 70 123 45 67) and grouped local ones (070-123 45 67). A bare run of digits is left
# alone: in a maths course it is far more often a number than a phone number.
_PHONE = re.compile(r"\+\d[\d ()-]{6,}\d|\b0\d{1,3}[- ]\d{2,4}(?:[- ]\d{2,4}){1,3}\b")
SHORTEST_IDENTIFIER = 2


def identifiers_pattern(identifiers: Iterable[str]) -> re.Pattern | None:
    """One pattern matching any of the identifiers as a whole word, case-insensitively; longest first, so that
    a full name goes before its parts. None when there is nothing to look for."""
    words = sorted({word.strip() for word in identifiers if len(word.strip()) >= SHORTEST_IDENTIFIER},
                   key=lambda word: (-len(word), word))
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(word) for word in words) + r")(?!\w)", re.IGNORECASE)


def text_anonymise(text: str, student: re.Pattern | None) -> str:
    text = _EMAIL.sub(EMAIL, text)  # before the identifiers: an address holding the username goes whole
    if student is not None:
        text = student.sub(STUDENT, text)
    return _PHONE.sub(PHONE, text)


def json_anonymise(value, student: re.Pattern | None):
    """Every string in a JSON value (keys kept as they are), anonymised."""
    if isinstance(value, str):
        return text_anonymise(value, student)
    if isinstance(value, list):
        return [json_anonymise(item, student) for item in value]
    if isinstance(value, dict):
        return {key: json_anonymise(item, student) for key, item in value.items()}
    return value
