"""A rate times a count, and a map scale (pure).

"A school trip costs £12.50 per pupil. How much for 24 pupils?" -> 12.50 × 24;
"Each box holds 3/4 kg. How much do 8 boxes hold?" -> 3/4 × 8;
"1 cm on the map is 2.5 km. Two towns are 7.4 cm apart on the map. How far apart are they in km?" -> 7.4 × 2.5.
The items counted must be the items the rate is for, and the scale's map unit the one measured.
"""
from __future__ import annotations

import re
from fractions import Fraction

from learning.solving.solution import Solution
from learning.solving.word_problems.story import (ALTOGETHER, NOUN, PRONOUN, SUBJECT, WORD, quantity, quantity_in,
                                                  same_thing, singular, worked)

_VERB = r"(?:costs?|weighs?|holds?|contains?|uses?|needs?|takes?|is|are)"
_RATE_STATEMENTS = [
    rf"{SUBJECT} {_VERB} {quantity('rate')} (?:per|for each|for every|for 1|for one|each|a|an) (?P<item>{NOUN})",
    rf"(?:each|every|1|one) (?P<item>{NOUN}) {_VERB} {quantity('rate')}",
]
_RATE_QUESTIONS = [
    rf"how much(?: (?:does|do|will|would) (?:it cost|{PRONOUN} pay)| is it| would it be| will it be| is that)? for "
    rf"(?P<count>\d+(?:\.\d+)?) (?P<items>{NOUN}){ALTOGETHER}?",
    rf"how much (?:do|would|will|does) (?P<count>\d+(?:\.\d+)?) (?P<items>{NOUN}) "
    rf"(?:cost|weigh|hold|contain|use|need|take){ALTOGETHER}?",
    rf"what (?:is|would be|will be) the (?:total )?(?:cost|mass|weight) (?:of|for) (?P<count>\d+(?:\.\d+)?) "
    rf"(?P<items>{NOUN})",
]


def solve_rate(statement: str, question: str) -> Solution | None:
    """A rate for one item, asked for a number of items."""
    match = next((m for p in _RATE_STATEMENTS if (m := re.fullmatch(p, statement))), None)
    asked = next((m for p in _RATE_QUESTIONS if (m := re.fullmatch(p, question))), None)
    if match is None or asked is None or not same_thing(asked["items"], match["item"]):
        return None
    rate, count, item = quantity_in(match, "rate"), asked["count"], singular(match["item"])
    return worked(f"{rate.text} × {count}", [f"{count} {item}s at {rate.shown()} each: {rate.shown()} × {count}"],
                  f"the total for {count} {item}s", (rate.value, Fraction(count)), rate.unit)


_MAP = r"(?:the )?(?:map|plan|drawing|diagram|model)"
_SCALE = (rf"(?:(?:1|one) (?P<map_unit>{WORD}) on {_MAP}|(?:a|the) (?:map|plan|drawing) (?:uses|has) a scale (?:where|in "
          rf"which|of) (?:1|one) (?P<map_unit2>{WORD})) (?:is|represents|stands for|shows|equals|to) "
          rf"{quantity('real')}(?: in real life)?")
_MEASURED = (rf"(?:(?:the )?(?P<pair>2 )|(?:a|an|the) )?(?P<places>{NOUN}) (?:are|is) {quantity('measured')}"
             rf"(?: apart)? (?:on|from) {_MAP}(?: apart)?|on {_MAP},? (?:the )?(?P<pair2>2 )?(?P<places2>{NOUN}) "
             rf"(?:are|is) {quantity('measured2')}(?: apart)?")
_SCALE_QUESTION = (rf"how (?:far|long)(?: apart)? (?:are|is) (?:they|it|the (?:real )?{NOUN})(?: apart)?"
                   rf"(?: in real life| really)?"
                   rf"|what is the (?:real|actual|real-life) (?:distance|length)(?: between them)?")


def solve_scale(statement: str, question: str) -> Solution | None:
    """A distance on a map times the scale's real distance for one map unit."""
    match = re.fullmatch(rf"{_SCALE}\. (?:{_MEASURED})", statement)
    asked = re.fullmatch(_SCALE_QUESTION, question)
    if match is None or asked is None:
        return None
    real = quantity_in(match, "real")
    measured = quantity_in(match, "measured" if match["measured"] else "measured2")
    if measured.unit != (match["map_unit"] or match["map_unit2"]) or not real.unit:
        return None
    pair = (Fraction(2),) if match["pair"] or match["pair2"] else ()  # "two towns": a number, not a quantity
    given = (Fraction(1), real.value, measured.value, *pair)
    return worked(f"{measured.text} × {real.text}",
                  [f"Each {measured.unit} on the map is {real.shown()}, so {measured.shown()} is "
                   f"{measured.text} × {real.shown()}"], "the real distance", given, real.unit)
