"""Change from a sum paid: the sum minus what a family of the story says is paid (pure).

"A coat costs £60 and is reduced by 15% in a sale. How much change does she get from £100?" -> 100 - 51.
The cost is asked of the families as "how much does she pay", so only a story whose cost they understand
gets an answer, and the change must be in the currency paid and not below nothing.
"""
from __future__ import annotations

import re
from dataclasses import replace

from learning.solving.solution import Solution
from learning.solving.word_problems.story import (PRONOUN, SUBJECT, Quantity, quantity, quantity_in, result_unit,
                                                  worked)

_CHANGE_QUESTION = (rf"how much change (?:does|will|did|would|should) (?P<who>{PRONOUN}|{SUBJECT}) "
                    rf"(?:get|receive|be given)(?: back)? (?:from|out of) (?:a |an )?{quantity('paid')}"
                    rf"(?: note| coin)?(?P<rest> for .+)?")


def without_change_from(question: str) -> tuple[str, Quantity | None]:
    """"how much change does she get from £20" -> ("how much does she pay", £20); others as they are."""
    match = re.fullmatch(_CHANGE_QUESTION, question)
    if match is None or not match["paid_money"]:
        return question, None
    return f"how much does {match['who']} pay{match['rest'] or ''}", quantity_in(match, "paid")


def change_from(cost: Solution, paid: Quantity) -> Solution | None:
    """What is left of ``paid`` after paying ``cost``, with the cost's working first."""
    if result_unit(cost) != paid.unit or not 0 <= cost.value <= paid.value:
        return None
    cost_shown = Quantity(cost.result_text, cost.value, paid.unit).shown()
    change = worked(f"{paid.text} - {cost.result_text}", [f"The change is {paid.shown()} - {cost_shown}"],
                    "the change", (*cost.given, paid.value), paid.unit)
    return replace(change, steps=(*cost.steps, cost.final_answer, *change.steps))
