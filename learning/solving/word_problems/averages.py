"""The mean of a list of amounts a story gives (pure).

"Sam scored 12, 15 and 18 points in 3 games. What was his mean score?" -> (12 + 15 + 18) ÷ 3.
The list is every number the story states (with the count of them, if it says one, matching the list), all
in one unit, and the question asks for the mean or average, so nothing in the story is left out of it.
"""
from __future__ import annotations

import re
from fractions import Fraction

from learning.solving.solution import Solution
from learning.solving.word_problems.story import WORD, quantity, quantity_in, worked

_LIST_ITEM = 8  # more amounts than this is not a story a student types
_WORDS = rf"(?:{WORD}|the|a|an|his|her|their|my|our|on|in|at|of|for|to|each|were|was|is|are|had|has|got|gets)"
_QUESTION = (r"what (?:is|was|were) (?:the|his|her|their|my|our|its) (?:mean|average)(?: [a-z]+){0,2}"
             r"|what is the (?:mean|average) of (?:these|them|the [a-z]+)"
             r"|(?:find|work out|calculate) the (?:mean|average)(?: [a-z]+){0,2}")


def solve_mean(statement: str, question: str) -> Solution | None:
    if not re.fullmatch(_QUESTION, question) or re.search(r"\bspeed\b", question):
        return None
    amounts = list(re.finditer(quantity("item"), statement))
    counted = re.search(rf" in (?P<count>\d+) {WORD}$", statement)
    if counted is not None:
        amounts = amounts[:-1]  # "in 3 games": how many, not one of them
    elif len(amounts) > 2 and re.match(rf"\d+ {WORD}", statement[amounts[0].start():]):
        counted, amounts = amounts[0], amounts[1:]  # "4 friends are 11, 12, 12 and 13": how many, first
    if not 2 <= len(amounts) <= _LIST_ITEM or not _only_words_between(statement, amounts, counted):
        return None
    values = [quantity_in(match, "item") for match in amounts]
    if len({value.unit for value in values}) != 1 or counted and int(counted["count" if "count" in counted.groupdict()
                                                                              else "item"]) != len(values):
        return None
    total = " + ".join(value.text for value in values)
    given = tuple(value.value for value in values) + ((Fraction(len(values)),) if counted else ())
    return worked(f"({total}) ÷ {len(values)}",
                  [f"The mean is the total shared equally: ({total}) ÷ {len(values)}"], "the mean", given,
                  values[0].unit)


def _only_words_between(statement: str, amounts: list[re.Match], counted: re.Match | None) -> bool:
    """Whether the amounts are one list ("12, 15 and 18") with only words around it."""
    between = [statement[first.end():second.start()] for first, second in zip(amounts, amounts[1:])]
    if not all(gap in (", ", " and ", ", and ") for gap in between):
        return False
    at_end = counted is not None and counted.start() > amounts[-1].end()
    end = counted.start() if at_end else len(statement)
    before = statement[:amounts[0].start()] if at_end or counted is None else (
        statement[:counted.start()] + statement[counted.end():amounts[0].start()])
    after = statement[amounts[-1].end():end]
    return all(re.fullmatch(_WORDS, word) for word in f"{before} {after}".split())
