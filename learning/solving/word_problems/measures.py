"""The area or perimeter of a rectangle (and the area of a share of it), and a distance made of equal laps (pure).

"A garden is 12 1/2 m long and 8 m wide. What is its area in square metres?" -> 12 1/2 × 8;
"A garden is 12 m by 7.5 m and 2/5 of it is grass. What is the area of the grass?" -> 2/5 × 12 × 7.5;
"A runner runs 5 laps of a 400 m track. How many kilometres is that?" -> 5 × 400 m, in km.
Both sides must be in one unit, and a unit the question asks the area in must be that unit squared.
"""
from __future__ import annotations

import re

from learning.solving.numbers import literal_value
from learning.solving.solution import Solution
from learning.solving.units import unit_ratio
from learning.solving.word_problems.story import (ALTOGETHER, NOUN, PRONOUN, SUBJECT, WORD, quantity, quantity_in,
                                                  same_thing, verb_stem, worked)

_SIDES = [
    rf"(?P<shape>{SUBJECT}) (?:is|measures) {quantity('length')}(?: long)? (?:by|x|×) {quantity('width')}(?: wide)?",
    rf"(?P<shape>{SUBJECT}) (?:is|measures) {quantity('length')} long and {quantity('width')} (?:wide|high|tall)",
    rf"(?P<shape>{SUBJECT}) (?:is|measures) {quantity('length')} (?:wide|high|tall) and {quantity('width')} long",
]
_SHARE = rf"(?: and (?P<share>\d+/\d+|\d+(?:\.\d+)?%) of it is (?:covered (?:in|with|by) |used for )?(?P<part>{NOUN}))?"
_AREA_QUESTION = (rf"what is (?:its|the) (?P<what>area|perimeter)(?: of (?:the|this|that|her|his|their|my) "
                  rf"(?P<of>{NOUN}))?(?: in (?:square|sq) (?P<unit>{WORD})| in (?P<unit2>{WORD})(?:\^2| squared))?")


def solve_rectangle(statement: str, question: str) -> Solution | None:
    match = next((m for p in _SIDES if (m := re.fullmatch(p + _SHARE, statement))), None)
    asked = re.fullmatch(_AREA_QUESTION, question)
    if match is None or asked is None:
        return None
    length, width = quantity_in(match, "length"), quantity_in(match, "width")
    if length.unit != width.unit or length.unit in ("£", "$", "€"):
        return None
    named = asked["of"]
    share = match["share"]
    of_part = bool(share) and named is not None and same_thing(named, match["part"])
    if named is not None and not of_part and not same_thing(named, match["shape"]):
        return None
    asked_unit = asked["unit"] or asked["unit2"]
    if asked_unit and (not length.unit or unit_ratio(asked_unit, length.unit) != 1):
        return None
    given = (length.value, width.value, *((literal_value(share),) if share else ()))
    if asked["what"] == "perimeter":
        if share:
            return None
        return worked(f"2 × ({length.text} + {width.text})",
                      [f"The perimeter is twice the length plus the width: 2 × ({length.shown()} + {width.shown()})"],
                      "the perimeter", given, length.unit)
    squared = f" square {length.unit}" if length.unit else ""
    if of_part:
        return worked(f"{share} × {length.text} × {width.text}",
                      [f"The whole area is {length.shown()} × {width.shown()}",
                       f"The {match['part']} is {share} of it: {share} × {length.text} × {width.text}"],
                      f"the area of the {match['part']} in{squared}", given)
    if share:
        return None  # the whole's area leaves the share unused
    return worked(f"{length.text} × {width.text}", [f"Area = length × width = {length.shown()} × {width.shown()}"],
                  f"the area in{squared}", given)


_LAPS = (rf"(?:{PRONOUN}|{SUBJECT}) (?P<verb>{WORD}|does|did|do) (?P<count>\d+) (?P<laps>laps|lengths|times) "
         rf"(?:of|around|round|along|across) (?:a|an|the) {quantity('each')}(?: long)? (?:{NOUN})"
         rf"(?:,? and (?:then )?(?P<verb2>{WORD}) (?:another|a further|an extra) {quantity('extra')})?")
_LAPS_QUESTION = (rf"how (?:far|much) is (?:that|this|it)(?: altogether| in total)?"
                  rf"|how (?:far|much) (?:did|does|will|do) (?:{PRONOUN}|{SUBJECT}) (?P<asked>{WORD}){ALTOGETHER}?"
                  rf"|what (?:distance|total distance) is (?:that|this)")


def solve_laps(statement: str, question: str) -> Solution | None:
    """A number of laps of one length: the distance altogether."""
    match, asked = re.fullmatch(_LAPS, statement), re.fullmatch(_LAPS_QUESTION, question)
    if match is None or asked is None:
        return None
    if asked["asked"] and verb_stem(match["verb"]) not in (verb_stem(asked["asked"]), "do"):
        return None  # "swims 8 lengths": how far she swims, not how far she cycles
    each = quantity_in(match, "each")
    if not each.unit:
        return None
    count = match["count"]
    setup = [f"{count} {match['laps']} of {each.shown()}: {count} × {each.shown()}"]
    if not match["extra"]:
        return worked(f"{count} × {each.text}", setup, "the distance", (literal_value(count), each.value), each.unit)
    extra = quantity_in(match, "extra")
    if extra.unit != each.unit:
        return None  # "3 laps of a 400 m track and another 2 km": one unit, or no answer
    return worked(f"{count} × {each.text} + {extra.text}", [*setup, f"Then {extra.shown()} more"], "the distance",
                  (literal_value(count), each.value, extra.value), each.unit)


_ENLARGED = (rf"(?:a|an|the) (?P<thing>{NOUN}) {quantity('size')} (?P<side>wide|long|tall|high) is (?:enlarged|scaled up|"
             rf"made bigger|scaled|multiplied) by (?:a )?(?:scale )?factor(?: of)? (?P<factor>\d+(?: \d+/\d+)?(?:\.\d+)?|\d+/\d+)")
_ENLARGED_QUESTION = rf"how (?P<side>wide|long|tall|high) is the (?:new|enlarged|bigger|scaled) (?P<thing>{NOUN})"


def solve_enlargement(statement: str, question: str) -> Solution | None:
    """A length enlarged by a scale factor: the length times the factor."""
    match, asked = re.fullmatch(_ENLARGED, statement), re.fullmatch(_ENLARGED_QUESTION, question)
    if match is None or asked is None or asked["side"] != match["side"] or not same_thing(asked["thing"], match["thing"]):
        return None
    size, factor = quantity_in(match, "size"), match["factor"]
    return worked(f"{size.text} × {factor}", [f"Every length is multiplied by the scale factor {factor}"],
                  f"the new {match['side'].replace('wide', 'width').replace('long', 'length')}",
                  (size.value, literal_value(factor)), size.unit)
