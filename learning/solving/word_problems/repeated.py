"""A steady loss of a fixed part of the whole, repeated: what is left after a number of periods (pure).

"A battery at 80% loses 1/8 of its full charge every hour. What percentage is left after 3 hours?" ->
80% - 3 × 1/8. Only a loss of the *full* (or total) amount is the same each period; "1/8 of what is left"
compounds, and is declined, as is a loss that would leave less than nothing.
"""
from __future__ import annotations

import re
from fractions import Fraction

from learning.solving.answer_form import honoured
from learning.solving.numbers import literal_value
from learning.solving.solution import Solution
from learning.solving.word_problems.story import SUBJECT, WORD, same_thing, worked
from learning.solving.wording import Instructions

_RATE = r"\d+/\d+|\d+(?:\.\d+)?%"
_STATEMENT = (rf"{SUBJECT} (?:is at|at|starts at|is|has) (?P<start>\d+(?:\.\d+)?%)(?: full| charged| charge)?"
              rf"(?:,| and|\.)? (?:it )?(?:loses|uses|drops by|goes down by) (?P<rate>{_RATE}) of its "
              rf"(?:full|total|whole) (?P<whole>{WORD}) (?:every|each|per|an|a) (?P<period>{WORD})")
_QUESTION = (rf"what (?P<form>%|fraction)(?: of (?:its|the) (?:full |total )?{WORD})? (?:is|will be) left "
             rf"after (?P<count>\d+) (?P<periods>{WORD})")


def solve_repeated_loss(statement: str, question: str) -> Solution | None:
    match, asked = re.fullmatch(_STATEMENT, statement), re.fullmatch(_QUESTION, question)
    if match is None or asked is None or not same_thing(match["period"], asked["periods"]):
        return None
    start, rate, count = match["start"], match["rate"], int(asked["count"])
    if not 0 < literal_value(rate) <= 1 or literal_value(start) - count * literal_value(rate) < 0:
        return None
    setup = [f"Each {match['period']} takes {rate} of the full {match['whole']}, the same every time",
             f"After {count}: {start} - {count} × {rate}"]
    solution = worked(f"{start} - {count} × {rate}", setup, f"the {match['whole']} left",
                      (literal_value(start), literal_value(rate), Fraction(count)))
    return honoured(solution, Instructions(form="percent" if asked["form"] == "%" else "fraction"))
