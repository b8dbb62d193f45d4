"""Which misconception a wrong response shows (pure: no Django).

An item's own misconceptions (from its content file) are tried first, in their order: the author's diagnosis
wins. Then the bug library's, for an item whose answer is a number: the response's value against each bug's
result. A choice item gets only its own: a wrong option means what its author says it means.

A declared misconception is a dict as the content importer stores it: ``{"id", "text"}`` and exactly one of
``"choice"`` (a wrong choice's key), ``"value"`` (with an optional ``"tolerance"``) or ``"pattern"`` (a regular
expression matched in full against the normalised response: case-folded, spaces collapsed).
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from learning.grading import AnswerSpec, ChoiceSpec, NumericSpec, normalise, parse_number
from learning.misconceptions.bug_library import predicted_errors

EXACT = 1e-9  # a value misconception without a tolerance, on an item that has none


@dataclass(frozen=True)
class Misconception:
    id: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "text": self.text}


def misconception_for(*, response: str, spec: AnswerSpec, prompt: str,
                      declared: Sequence[dict] = ()) -> Misconception | None:
    """The misconception a wrong ``response`` shows, or None. Call it only for a response graded wrong."""
    value = None if isinstance(spec, ChoiceSpec) else parse_number(response)
    for entry in declared:
        if _declared_matches(entry, response, value, spec):
            return Misconception(entry["id"], entry["text"])
    if isinstance(spec, ChoiceSpec) or value is None:
        return None
    tolerance = spec.tolerance if isinstance(spec, NumericSpec) else EXACT
    for error in predicted_errors(prompt):
        if abs(value - error.value) <= tolerance:
            return Misconception(error.misconception, error.text)
    return None


def _declared_matches(entry: dict, response: str, value: Fraction | None, spec: AnswerSpec) -> bool:
    if "choice" in entry:
        return response.strip().casefold() == entry["choice"].casefold()
    if "value" in entry:
        default = spec.tolerance if isinstance(spec, NumericSpec) else EXACT
        return value is not None and abs(float(value) - entry["value"]) <= entry.get("tolerance", default)
    if "pattern" in entry:
        return compiled(entry["pattern"]).fullmatch(normalise(response)) is not None
    return False


@lru_cache(maxsize=2048)
def compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)
