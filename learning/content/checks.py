"""Checks shared by the JSON and CSV parsers (pure: no Django)."""
from __future__ import annotations

import math
import re

from learning.knowledge import hint_difficulty

ITEM_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
SKILL_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,79}")
CHOICE_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
ITEM_KEY_EXPECTED = "an item key: a letter or digit, then up to 79 letters, digits, '.', '_' or '-'"
SKILL_KEY_EXPECTED = "a skill key: a letter or digit, then up to 79 letters, digits, '_' or '-'"
CHOICE_KEY_EXPECTED = "a choice key: a letter or digit, then up to 39 letters, digits, '.', '_' or '-'"

HINT_WORDS = ("very easy", "easy", "medium", "hard", "very hard")
HINT_RANGE = 6.0
DIFFICULTY_EXPECTED = f"one of {', '.join(HINT_WORDS)} or a number from -{HINT_RANGE:g} to {HINT_RANGE:g}"


def difficulty_normalise(value: object) -> str | None:
    """The difficulty hint as stored ("easy", "1.5"; "" when absent), or None when it is not a valid hint."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = " ".join(value.split()).lower() if isinstance(value, str) else value
    if text in HINT_WORDS:
        return text
    try:
        number = hint_difficulty(text)
    except ValueError:
        return None
    if number is None or not math.isfinite(number) or abs(number) > HINT_RANGE:
        return None
    return f"{number:.6g}"


def choice_answer_problem(answer_spec: dict, choices: list[dict] | None) -> str | None:
    """What a choice answer should have been, when it is not the key of one of the item's choices."""
    if answer_spec.get("kind") != "choice":
        return None
    keys = [choice["key"] for choice in choices or []]
    if answer_spec.get("answer") in keys:
        return None
    return "one of the choice keys " + ", ".join(keys) if keys else "a choice key (the item has no choices)"


def duplicate_key_problem(key: str, first_seen: str) -> str:
    return f"a key not used before in the file ({first_seen} has it)"
