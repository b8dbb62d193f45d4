"""A part of an amount: a fraction sold and what is left, the fraction the rest of a group makes up, and a
fraction of what is left (pure).

"A farmer has 84 sheep and sells 2/7 of them. How many sheep does he have left?" -> 84 - 2/7 of 84;
"A class of 28 pupils has 16 girls. What fraction of the class are boys?" -> (28 - 16)/28;
"Kai spends 1/3 of his money on snacks and 1/2 of what is left on a game. What fraction of his money does he
have left?" -> (1 - 1/3) × (1 - 1/2).
"""
from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction

from learning.solving.numbers import fraction_text, literal_value
from learning.solving.percentages import changed_amount
from learning.solving.solution import Solution
from learning.solving.word_problems.story import (NOUN, PRONOUN, SUBJECT, WORD, Quantity, quantity, quantity_in,
                                                  same_thing, singular, worked)

_PART = r"(?P<part>\d+(?:\.\d+)?%|\d+/\d+)"
_POSSESSIVE = r"(?:his|her|their|its|the|my|our|your)"
_TAKES = r"(?P<verb>sells|gives away|eats|uses|spends|loses|gives|sold|gave away|ate|used|spent|lost|gave)"
_AMOUNT_PART = (rf"{SUBJECT} (?:has|had|buys|bought|picks|picked|bakes|baked|collects|collected) "
                rf"{quantity('whole')}(?: (?:of )?(?P<things>{NOUN}))? and {_TAKES} {_PART}(?: of (?:them|it|these|"
                rf"{_POSSESSIVE} (?P<things2>{NOUN})))?")
_STEMS = {"sell": "sold", "give away": "gave away", "give": "gave", "eat": "ate", "use": "used", "spend": "spent",
          "lose": "lost"}
_PART_QUESTION = (rf"how (?:many|much)(?: (?P<asked>{NOUN}))? (?:does|did|do) (?:{PRONOUN}|{SUBJECT}) "
                  rf"(?:(?P<left>have left|have remaining|keep)|(?P<taken>{'|'.join(_STEMS)}))"
                  rf"|how (?:many|much)(?: (?P<asked2>{NOUN}))? (?:are|is|were|was) (?P<left2>left|remaining)")


def solve_part_of_amount(statement: str, question: str) -> Solution | None:
    """A fraction or percentage of an amount taken: how much is taken, or how much is left."""
    match = re.fullmatch(_AMOUNT_PART, statement)
    asked = re.fullmatch(_PART_QUESTION, question)
    if match is None or asked is None:
        return None
    if asked["taken"] and _STEMS[asked["taken"]] != _past(match["verb"]):
        return None
    things = [n for n in (match["things"], match["things2"], asked["asked"], asked["asked2"]) if n]
    if not all(same_thing(first, other) for other in things for first in things):
        return None
    whole, part = quantity_in(match, "whole"), match["part"]
    rate = literal_value(part)
    taken = rate * whole.value
    counted = question.startswith("how many")
    if not 0 < rate < 1 or counted and taken.denominator != 1:
        return None
    what = min(things, key=len, default="")
    setup = [f"{part} of {whole.shown()} is {_past(match['verb'])}"]
    given = (whole.value, rate)
    if asked["taken"]:
        return worked(f"{part} of {whole.text}", setup, f"the amount {_past(match['verb'])}", given, whole.unit)
    setup.append(f"What is left is 1 - {part} of {whole.shown()}")
    remaining = "100%" if part.endswith("%") else "1"
    answer = f"the number of {what or 'them'} left" if counted else "the amount left"
    return worked(f"({remaining} - {part}) × {whole.text}", setup, answer, given, whole.unit)


def _past(verb: str) -> str:
    present = {"sells": "sold", "gives away": "gave away", "gives": "gave", "eats": "ate", "uses": "used",
               "spends": "spent", "loses": "lost"}
    return present.get(verb, verb)


_PAIRS = {frozenset(pair) for pair in (("boys", "girls"), ("men", "women"), ("adults", "children"),
                                       ("males", "females"))}
_GROUP_STATEMENTS = [
    rf"(?:a|an|the) (?P<group>{WORD}) of {quantity('whole')} (?P<members>{NOUN}) has {quantity('part')} "
    rf"(?P<kind>{WORD})",
    rf"there are {quantity('whole')} (?P<members>{NOUN}) in (?:a|an|the) (?P<group>{WORD})(?:,|\.| and) "
    rf"{quantity('part')} (?:of them )?are (?P<kind>{WORD})",
]
_REST = rf"(?: and the (?:rest|others) are (?P<rest>{WORD}))?"
_GROUP_QUESTION = (rf"what fraction of (?:the|a|an) (?P<asked_group>{WORD}) (?:are|is) (?P<asked>{WORD})"
                   rf"|what fraction of (?:the )?(?P<asked_members>{NOUN}) (?:are|is) (?P<asked2>{WORD})")


def solve_complement_fraction(statement: str, question: str) -> Solution | None:
    """The fraction of a group one kind of member makes, or the rest: boys when the girls are counted."""
    match = next((m for p in _GROUP_STATEMENTS if (m := re.fullmatch(p + _REST, statement))), None)
    asked = re.fullmatch(_GROUP_QUESTION, question)
    if match is None or asked is None:
        return None
    named = asked["asked_group"] or asked["asked_members"]
    if not (same_thing(named, match["group"]) or same_thing(named, match["members"])):
        return None
    whole, part = quantity_in(match, "whole"), quantity_in(match, "part")
    kind, wanted = match["kind"], asked["asked"] or asked["asked2"]
    if whole.unit or part.unit or not 0 < part.value < whole.value or whole.value.denominator != 1:
        return None
    if wanted == kind:
        return _fraction_of_group(part.text, whole.text, [f"{part.text} of the {whole.text} are {kind}"])
    if wanted != match["rest"] and frozenset((kind, wanted)) not in _PAIRS:
        return None  # only a stated rest, or the other of a pair, is everyone else
    rest = whole.value - part.value
    return _fraction_of_group(fraction_text(rest), whole.text,
                              [f"The {wanted} are the rest: {whole.text} - {part.text} = {fraction_text(rest)}"],
                              given=(whole.value, part.value))


def _fraction_of_group(part: str, whole: str, setup: list[str], given: tuple[Fraction, ...] = ()) -> Solution:
    setup.append(f"As a fraction of the {whole}: {part}/{whole}")
    return worked(f"{part} ÷ {whole}", setup, "the fraction", given or (literal_value(part), literal_value(whole)))


_FIRST = rf"{_TAKES} (?P<first>\d+/\d+) of {_POSSESSIVE} (?P<whole>{NOUN})(?: (?:on|for|in|at) (?:a |an |the )?{NOUN})?"
_SECOND = (rf"(?:then )?(?:{_TAKES.replace('verb', 'verb2')} )?(?P<second>\d+/\d+) of (?:what is left|what's left|"
           rf"the rest|what remains|the remainder)(?: (?:on|for|in|at) (?:a |an |the )?{NOUN})?")
_LEFT_QUESTION = (rf"what fraction of {_POSSESSIVE} (?P<asked>{NOUN}) (?:does|do|did|is|has) (?:{PRONOUN} )?"
                  rf"(?:have )?(?:left|remaining)(?: now)?|what fraction (?:is|remains|is left)")


def solve_fraction_of_rest(statement: str, question: str) -> Solution | None:
    """One fraction of a whole, then a fraction of what is left: the fraction of the whole still left."""
    match = re.fullmatch(rf"{SUBJECT} {_FIRST}(?:,| and|\.)(?: {PRONOUN})? {_SECOND}", statement)
    asked = re.fullmatch(_LEFT_QUESTION, question)
    if match is None or asked is None or asked["asked"] and not same_thing(asked["asked"], match["whole"]):
        return None
    first, second = match["first"], match["second"]
    if not (0 < literal_value(first) < 1 and 0 < literal_value(second) < 1):
        return None
    setup = [f"After the first {first}, 1 - {first} of the {match['whole']} is left",
             f"Then {second} of that goes, so 1 - {second} of it stays: (1 - {first}) × (1 - {second})"]
    return worked(f"(1 - {first}) × (1 - {second})", setup, "the fraction left",
                  (literal_value(first), literal_value(second)))
