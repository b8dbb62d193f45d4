"""The whole from a share of it and the amount that share is (pure).

"A bus is 5/6 full with 45 passengers. How many passengers can the bus hold when full?" -> 45 ÷ 5/6;
"30% of Ben's savings is £60. How much are his savings altogether?" -> 60 ÷ 30%.
The question must ask for the whole the story's share is of.
"""
from __future__ import annotations

import re

from learning.solving.numbers import literal_value
from learning.solving.solution import Solution
from learning.solving.word_problems.story import ALTOGETHER, NOUN, SUBJECT, quantity, quantity_in, same_thing, worked

_SHARE = r"(?P<share>\d+(?:\.\d+)?%|\d+/\d+)"
_OWNER = r"(?:a|an|the|my|his|her|their|our|[a-z]+'s)"
_STATEMENTS = [
    rf"{_OWNER} (?P<whole>{NOUN}) is {_SHARE} full (?:with|when it (?:has|holds)|holding) {quantity('part')}"
    rf"(?: (?:of )?(?P<things>{NOUN}))?",
    rf"{_SHARE} of {_OWNER} (?P<whole>{NOUN}) (?:is|was|holds|contains|is filled with|comes to|makes) {quantity('part')}"
    rf"(?: (?:of )?(?P<things>{NOUN}))?",
    rf"when {_OWNER} (?P<whole>{NOUN}) is {_SHARE} full,? it (?:holds|has|contains) {quantity('part')}"
    rf"(?: (?:of )?(?P<things>{NOUN}))?",
]
_QUESTIONS = [
    rf"how (?:many|much)(?: (?P<things>{NOUN}))? (?:can|could|does|would|will) (?:it|(?P<subject>{SUBJECT})) "
    rf"(?:hold|take|carry|seat)"
    rf"(?: when (?:it is )?full| altogether| in total)?",
    rf"what is the (?:full |total )?(?:capacity|size|amount|total) of {_OWNER} (?P<asked>{NOUN})",
    rf"how much (?:is|are|was|were) {_OWNER} (?P<asked>{NOUN}){ALTOGETHER}?",
    rf"how (?:many|much)(?: (?P<things>{NOUN}))? (?:are|is) in (?:a|the) full (?P<asked>{NOUN})",
]


def solve_whole_from_share(statement: str, question: str) -> Solution | None:
    match = next((m for p in _STATEMENTS if (m := re.fullmatch(p, statement))), None)
    asked = next((m for p in _QUESTIONS if (m := re.fullmatch(p, question))), None)
    if match is None or asked is None:
        return None
    groups = asked.groupdict()
    named = groups.get("asked") or groups.get("subject") and re.sub(rf"^{_OWNER} ", "", groups["subject"])
    if named and not same_thing(named, match["whole"]):
        return None  # the whole of something else
    if groups.get("things") and not same_thing(groups["things"], match["things"] or match["whole"]):
        return None
    share, part = match["share"], quantity_in(match, "part")
    if not 0 < literal_value(share) < 1:
        return None
    setup = [f"{share} of the {match['whole']} is {part.shown()}", f"So the whole is {part.shown()} ÷ {share}"]
    return worked(f"{part.text} ÷ {share}", setup, f"the whole {match['whole']}", (literal_value(share), part.value),
                  part.unit)
