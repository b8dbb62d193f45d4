"""An amount shared in a ratio: one person's share, or the larger or smaller share (pure).

"Tom and Ann share £45 in the ratio 2:3. How much does Ann get?" -> 45 ÷ (2 + 3) × 3.
The people named must be as many as the ratio's parts, and the one asked about must be one of them.
"""
from __future__ import annotations

import re
from fractions import Fraction

from learning.solving.solution import Solution
from learning.solving.word_problems.story import NOUN, SUBJECT, WORD, quantity, quantity_in, same_thing, worked

_RATIO = r"(?:in the|in a) ratio (?:of )?(?P<ratio>\d+(?: ?: ?\d+){1,3})"
_PEOPLE = rf"(?P<people>{WORD}(?:, {WORD})*,? and {WORD})"
_AMOUNT = rf"{quantity('total')}(?: (?:of )?(?:(?:a|an|the) )?(?P<thing>{NOUN}))?"
_STATEMENTS = [
    rf"{_PEOPLE} share {_AMOUNT} {_RATIO}",
    rf"{_AMOUNT} (?:is|are|was|were) (?:shared|split|divided) (?:between|among) {_PEOPLE} {_RATIO}",
    rf"(?:{SUBJECT} )?(?:shares|share|splits|split|divides|divide) {_AMOUNT} (?:between|among) {_PEOPLE} {_RATIO}",
]
_QUESTIONS = [
    rf"how (?:much|many)(?: (?P<asked_thing>{NOUN}))? (?:does|do|did|will|would) (?P<who>{WORD}) (?:get|receive|have)",
    rf"how (?:much|many)(?: {NOUN})? (?:is|was) (?P<who2>{WORD})'s share",
    r"(?:how much|what) is the (?P<size>larger|largest|bigger|biggest|smaller|smallest) share",
]


def solve_ratio_share(statement: str, question: str) -> Solution | None:
    match = next((m for p in _STATEMENTS if (m := re.fullmatch(p, statement))), None)
    asked = next((m for p in _QUESTIONS if (m := re.fullmatch(p, question))), None)
    if match is None or asked is None:
        return None
    people = re.split(r",? and |, ", match["people"])
    parts = [int(part) for part in re.split(r" ?: ?", match["ratio"])]
    if len(people) != len(parts) or len(set(people)) != len(people) or 0 in parts:
        return None
    groups = asked.groupdict()
    if groups.get("asked_thing") and not (match["thing"] and same_thing(groups["asked_thing"], match["thing"])):
        return None
    if groups.get("size"):
        index = (parts.index(max(parts)) if groups["size"] in ("larger", "largest", "bigger", "biggest")
                 else parts.index(min(parts)))
        if parts.count(parts[index]) > 1:
            return None  # two shares are the largest: which one?
    else:
        who = groups.get("who") or groups.get("who2")
        if who not in people:
            return None
        index = people.index(who)
    total = quantity_in(match, "total")
    added = " + ".join(map(str, parts))
    setup = [f"There are {added} = {sum(parts)} equal parts",
             f"One part is {total.shown()} ÷ {sum(parts)}, and {people[index]} gets {parts[index]} parts"]
    return worked(f"{total.text} ÷ ({added}) × {parts[index]}", setup, f"{people[index]}'s share",
                  (total.value, *map(Fraction, parts)), total.unit)
