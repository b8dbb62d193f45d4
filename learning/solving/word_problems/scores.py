"""A score out of a total as a percentage or a fraction (pure).

"Sarah got 42 out of 60 on her test. What is that as a percentage?" -> 42 ÷ 60 = 70%;
"A test has 40 questions and Omar gets 34 right. What is his score as a percentage?" -> 34 ÷ 40 = 85%.
The question must ask for the score itself as a percentage (or fraction), not for what was missed.
"""
from __future__ import annotations

import re

from learning.solving.answer_form import honoured
from learning.solving.numbers import literal_value
from learning.solving.solution import Solution
from learning.solving.word_problems.story import NOUN, PRONOUN, SUBJECT, worked
from learning.solving.wording import Instructions

_WHO = rf"(?:{PRONOUN}|{SUBJECT})"
_SCORED = r"(?:got|gets|get|scored|scores|score|won|wins|answered|answers|made|makes|hit|hits)"
_ON = rf"(?: (?:on|in|at|for) (?:a |an |the |my |his |her |their |our |your )?{NOUN})?"
_STATEMENTS = [
    rf"{_WHO} {_SCORED} (?P<part>\d+) out of (?P<whole>\d+)(?: (?:marks|points|questions|goals|shots))?{_ON}",
    rf"(?:a|an|the|my|his|her|their) (?:{NOUN}) (?:has|had) (?P<whole>\d+) (?:questions|marks|points)(?:,| and) "
    rf"{_WHO} {_SCORED} (?P<part>\d+)(?: of them)? (?:right|correct)",
]
_FORM = r"(?P<form>%|fraction)"
_QUESTIONS = [
    rf"what (?:is|was) (?:that|this|it|(?:his|her|their|my|your|the) (?:score|mark|result)) as an? {_FORM}",
    rf"what {_FORM} (?:is|was) (?:that|this|it|(?:his|her|their|my|your|the) (?:score|mark|result))",
    rf"what {_FORM} (?:did|does|do) {_WHO} (?:get|score)(?: right| correct)?",
    rf"what {_FORM} of (?:the )?(?:questions|marks|points) (?:did|does|do) {_WHO} (?:get|score)(?: right| correct)?",
]


def solve_score(statement: str, question: str) -> Solution | None:
    match = next((m for p in _STATEMENTS if (m := re.fullmatch(p, statement))), None)
    asked = next((m for p in _QUESTIONS if (m := re.fullmatch(p, question))), None)
    if match is None or asked is None:
        return None
    part, whole = match["part"], match["whole"]
    if not 0 <= int(part) <= int(whole) or int(whole) == 0:
        return None
    solution = worked(f"{part} ÷ {whole}", [f"{part} out of {whole} as a fraction: {part}/{whole}"],
                      "the score", (literal_value(part), literal_value(whole)))
    return honoured(solution, Instructions(form="percent" if asked["form"] == "%" else "fraction"))
