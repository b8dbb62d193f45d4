"""The one word problem common enough to solve reliably: parts of one whole, then "how much is eaten?"
(their sum) or "how much is left?" (one minus their sum) (pure).

Anything that changes the whole along the way ("1/3 of what is left", "the rest", "twice as much") or
names more than one kind of whole is declined, as is any number that is not a proper fraction.
"""
from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction

from learning.solving.expression import evaluate, parse, tokenize
from learning.solving.numbers import fraction_text
from learning.solving.solution import Solution, numeric_solution
from learning.solving.word_problems.story import same_thing
from learning.solving.working import calculation_steps

_OWNER = r"(?:the|a|an|his|her|their|my|our|your)"
_WHOLE = r"[a-z]+(?: (?!(?:on|in|at|and|for|to|with|by|then|is|was|are|has|have|had|does|do|did|he|she|they|i|we|you|still|left)\b)[a-z]+)?"
_QUESTION = re.compile(
    rf"(?:how much|what fraction|what part)(?: of {_OWNER} (?P<whole>{_WHOLE}))?"
    r"(?: (?:is|was|has been|have been|has|have|did|do|does))?(?: (?:he|she|they|it|both|we|i|you))? ?"
    r"(?:(?:still (?:to|(?:has|have|needs?) to)|left to) (?P<still>read|do|paint|mow|eat|drink|spend)|"
    r"(?P<ask>eaten|eat|ate|used|use|drunk|drink|drank|read|painted|paint|done|do|mowed|mow|spent|spend|"
    r"left|remaining|left over))(?: so far| altogether| in total| together| all together)?\s*\?*$")
_CHANGES_THE_WHOLE = re.compile(r"\b(?:rest|remaining|remainder|left|what|each|times|more|less|than|twice|"
                                r"half|double|another|per|every|full|empty)\b")
_VERB = (r"(?:eats|ate|eat|uses|used|use|drinks|drank|drink|reads|read|paints|painted|paint|mows|mowed|mow|"
         r"spends|spent|spend)")
# "Sam eats 1/4 of a pizza", and a second part whose verb is the first's: "and 1/6 of it on snacks".
_PART = re.compile(rf"(?:\b{_VERB}|\band) (\d+)/(\d+)(?: of (?:{_OWNER} ({_WHOLE})|it))?")


def solve_parts_of_a_whole(text: str) -> Solution | None:
    """"sam eats 1/4 of a pizza and ann eats 1/3. how much is eaten?" -> 1/4 + 1/3."""
    sentences = [part.strip() for part in re.split(r"(?<=[.!])\s+|\?\s*(?=\S)", text) if part.strip()]
    if len(sentences) < 2 or not (question := _QUESTION.search(sentences[-1])):
        return None
    statement = " ".join(sentences[:-1])
    parts = _PART.findall(statement)
    if (not 2 <= len(parts) <= 4 or _CHANGES_THE_WHOLE.search(statement)
            or len(re.findall(r"\d+", statement)) != 2 * len(parts)):
        return None
    wholes = [whole for _, _, whole in parts if whole] + ([question["whole"]] if question["whole"] else [])
    if not all(same_thing(whole, other) for whole in wholes for other in wholes) or any(int(numerator) >= int(denominator) for numerator, denominator, _ in parts):
        return None
    added = " + ".join(f"{numerator}/{denominator}" for numerator, denominator, _ in parts)
    left = question["still"] is not None or question["ask"] in ("left", "remaining", "left over")
    calculation = f"1 - ({added})" if left else added
    node = parse(tokenize(calculation))
    value = evaluate(node)
    if not 0 <= value <= 1:
        return None
    steps = ["The parts together: " + added, *calculation_steps(node)]
    if left:
        steps.insert(1, "What is left is the whole, 1, minus the parts")
    given = tuple(Fraction(int(numerator), int(denominator)) for numerator, denominator, _ in parts)
    solution = numeric_solution("arithmetic", value, steps, calculation, given)
    what = "left" if left else "used together"
    return replace(solution, final_answer=f"{calculation} = {fraction_text(value)}: {fraction_text(value)} of the "
                                          f"whole is {what}.")
