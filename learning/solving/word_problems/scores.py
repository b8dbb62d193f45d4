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
from learning.solving.word_problems.story import NOUN, PRONOUN, SUBJECT, verb_stem, worked
from learning.solving.wording import Instructions

_WHO = rf"(?:{PRONOUN}|{SUBJECT})"
_SCORED = r"(?:got|gets|get|scored|scores|score|won|wins|answered|answers|made|makes|hit|hits)"
_ON = rf"(?: (?:on|in|at|for) (?:a |an |the |my |his |her |their |our |your )?{NOUN})?"
_STATEMENTS = [
    rf"(?:(?:in|on) (?:a|an|the|her|his|their|my) {NOUN},? )?{_WHO} {_SCORED} (?P<part>\d+)(?: (?:marks|points))? out of "
    rf"(?P<whole>\d+)(?: (?:marks|points|questions|goals|shots))?(?: (?:correctly|right|correct))?{_ON}",
    rf"{_WHO} (?P<verb>won|wins|lost|loses|scored|scores|got|gets|passed|passes) (?P<part>\d+) of (?:their|his|her|my|our|the) "
    rf"(?P<whole>\d+) (?:matches|games|tests|exams|races|shots|points|questions)",
    rf"(?:a|an|the|my|his|her|their) (?:{NOUN}) (?:has|had) (?P<whole>\d+) (?:questions|marks|points)(?:,| and) "
    rf"{_WHO} {_SCORED} (?P<part>\d+)(?: of them)? (?:right|correct)",
]
_FORM = r"(?P<form>%|fraction)"
_QUESTIONS = [
    rf"what (?:is|was) (?:that|this|it|(?:his|her|their|my|your|the) (?:score|mark|result)) as an? {_FORM}",
    rf"what {_FORM} (?:is|was) (?:that|this|it|(?:his|her|their|my|your|the) (?:score|mark|result))",
    rf"what {_FORM} (?:did|does|do) {_WHO} (?:get|score)(?: right| correct)?",
    rf"what {_FORM} of (?:their|his|her|my|our|the) (?:matches|games|tests|exams|races|shots) (?:did|does|do) {_WHO} "
    rf"(?P<qverb>win|lose|pass|score|get)",
    rf"what {_FORM} of (?:the )?(?:questions|marks|points) (?:did|does|do) {_WHO} (?:get|score)(?: right| correct)?",
]


def solve_score(statement: str, question: str) -> Solution | None:
    match = next((m for p in _STATEMENTS if (m := re.fullmatch(p, statement))), None)
    asked = next((m for p in _QUESTIONS if (m := re.fullmatch(p, question))), None)
    if match is None or asked is None:
        return None
    told, wanted = match.groupdict().get("verb"), asked.groupdict().get("qverb")
    if wanted and (told is None or verb_stem(told) != verb_stem(wanted)):
        return None  # "won 15 of their 20 matches": what percentage they won, not lost
    part, whole = match["part"], match["whole"]
    if not 0 <= int(part) <= int(whole) or int(whole) == 0:
        return None
    solution = worked(f"{part} ÷ {whole}", [f"{part} out of {whole} as a fraction: {part}/{whole}"],
                      "the score", (literal_value(part), literal_value(whole)))
    return honoured(solution, Instructions(form="percent" if asked["form"] == "%" else "fraction"))
