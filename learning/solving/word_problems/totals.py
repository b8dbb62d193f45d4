"""Two amounts of one kind added ("altogether") or compared ("how much further") (pure).

"Ana walked 3 3/4 km in the morning and 2 2/3 km in the afternoon. How many km did she walk altogether?" ->
3 3/4 + 2 2/3; "How much further did she walk in the morning?" -> 3 3/4 - 2 2/3. Both amounts must have the
same unit, and a difference must name which amount is larger (and be right about it).
"""
from __future__ import annotations

import re

from learning.solving.solution import Solution
from learning.solving.word_problems.story import ALTOGETHER, NOUN, PRONOUN, SUBJECT, WORD, quantity, quantity_in, worked

_VERB = rf"(?:{WORD}|costs|cost|weighs|weigh|spends|spent|spend|saves|saved|save|uses|used|use)"
_WHEN = rf"(?:in|on|at|during|before|after|for|to) (?:the |a |an |her |his |their )?{NOUN}"
_ONE_SUBJECT = (rf"(?P<name>{SUBJECT}) (?P<verb>{WORD}) {quantity('first')} (?P<when1>{_WHEN}) and "
                rf"(?:(?P=verb) )?{quantity('second')} (?P<when2>{_WHEN})")
_TWO_SUBJECTS = (rf"(?P<name1>{SUBJECT}) (?P<verb1>{_VERB}) {quantity('first')}(?: (?P<where1>{_WHEN}))?(?:,| and)"
                 rf" (?P<name2>{SUBJECT}) (?P<verb2>{_VERB}) {quantity('second')}(?: (?P<where2>{_WHEN}))?")
_HOW = rf"how (?:many (?:{WORD} )?|much (?:{WORD} )?|far |long )"
_TOTAL_QUESTION = (rf"{_HOW}(?:did|does|do|has|have|will) (?:{PRONOUN}|{SUBJECT}|they|both|the 2 of them) "
                   rf"{_VERB}{ALTOGETHER}|{_HOW}(?:is|was) (?:it|that){ALTOGETHER}"
                   rf"|what (?:is|was) the total(?: (?:distance|length|time|mass|weight|amount|cost))?")
_COMPARATIVE = r"(?:further|farther|more|longer|heavier|less|fewer|shorter|lighter)"
_DIFFERENCE_QUESTION = (rf"how (?:much|many(?: {WORD})?) (?P<more>{_COMPARATIVE})(?: {WORD})? (?:did|does|do|has|will) "
                        rf"(?P<who>{PRONOUN}|{SUBJECT}) {_VERB}(?: (?P<when>{_WHEN}))?(?: than (?P<than>.+))?")
_LESS = {"less", "fewer", "shorter", "lighter"}


def solve_total_or_difference(statement: str, question: str) -> Solution | None:
    match = re.fullmatch(_ONE_SUBJECT, statement) or re.fullmatch(_TWO_SUBJECTS, statement)
    if match is None:
        return None
    first, second = quantity_in(match, "first"), quantity_in(match, "second")
    if first.unit != second.unit or "verb1" in match.groupdict() and match["verb1"] != match["verb2"]:
        return None
    labels = _labels(match)
    if re.fullmatch(_TOTAL_QUESTION, question):
        return worked(f"{first.text} + {second.text}", [f"Altogether: {first.shown()} + {second.shown()}"],
                      "the total", (first.value, second.value), first.unit)
    asked = re.fullmatch(_DIFFERENCE_QUESTION, question)
    if asked is None or labels is None:
        return None
    named = _unmarked(asked["when"] if "when1" in match.groupdict() else asked["who"])
    than = asked["than"] and _unmarked(asked["than"])
    if named not in labels or than not in (None, labels[1 - labels.index(named)]):
        return None
    larger, smaller = (first, second) if labels.index(named) == 0 else (second, first)
    if asked["more"] in _LESS:
        larger, smaller = smaller, larger
    if larger.value <= smaller.value:
        return None  # the question says the wrong one is larger
    return worked(f"{larger.text} - {smaller.text}", [f"The difference: {larger.shown()} - {smaller.shown()}"],
                  "the difference", (first.value, second.value), first.unit)


def _labels(match: re.Match) -> list[str] | None:
    """What tells the two amounts apart: when (one subject) or who (two subjects)."""
    labels = [match["when1"], match["when2"]] if "when1" in match.groupdict() else [match["name1"], match["name2"]]
    labels = [_unmarked(label) for label in labels]
    return labels if labels[0] != labels[1] else None


def _unmarked(name: str | None) -> str | None:
    """"a book" and "the book" name one thing."""
    return name and re.sub(r"^(?:a|an|the) ", "", name)
