"""How many pieces of one size an amount makes, in whole pieces, with the units made the same first (pure).

"A jug holds 1.8 litres. How many 150 ml glasses can it fill?" -> 1800 ÷ 150;
"A water bottle holds 750 ml. How many bottles can I fill from 4.5 litres of water?" -> 4500 ÷ 750;
"A 5 m rope is cut into pieces that are each 5/8 m long. How many pieces do you get?" -> 5 ÷ 5/8;
"It takes 3/4 of an hour to paint one fence panel. How many panels can be painted in 4 1/2 hours?" -> 4 1/2 ÷ 3/4.
The pieces asked about must be the pieces the story names, and both amounts must measure one thing.
"""
from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction

from learning.solving.numbers import number_text
from learning.solving.solution import Solution
from learning.solving.units import unit_ratio
from learning.solving.word_problems.sharing import whole_groups
from learning.solving.word_problems.story import (NOUN, PRONOUN, SUBJECT, WORD, Quantity, quantity, quantity_in,
                                                  plural, same_thing, singular, verb_stem)

_A = r"(?:a|an|the|my|his|her|their|our)"
_PIECES = r"(?P<pieces>pieces|parts|lengths|bits|sections|strips|slices|portions|servings|bags|packets|lots|cups|glasses)"
_HOLDS = r"(?:holds|contains|has|weighs|is|measures)"
_CUT = r"(?:cut|split|divided|shared|poured|sawn|chopped|packed|put|made)"
_MAKE = r"(?:fill|make|get|cut|pour|serve|pack|paint|do|build|bake|finish|knit|sew)"
_STATEMENTS = [
    # the whole amount, with the size of each piece in the question
    rf"{_A} (?P<whole>{NOUN})(?: of {NOUN})? {_HOLDS} {quantity('total')}(?: of {NOUN})?(?: long)?",
    rf"{_A} (?P<whole>{NOUN}) is {quantity('total')} long",
    # the whole and the size of each piece in one clause
    rf"{_A} {quantity('total')} (?P<whole>{NOUN})(?: of {NOUN})? (?:is|was|gets|will be) {_CUT}(?: up)? into "
    rf"{quantity('each')} (?P<group>{WORD})",
    rf"{_A} {quantity('total')} (?P<whole>{NOUN})(?: of {NOUN})? (?:is|was|gets) {_CUT}(?: up)? into {_PIECES}"
    rf"(?: that are| which are)?(?: each)? {quantity('each')}(?: long| each| in size)*",
    rf"{_A} (?P<whole>{NOUN}) is {quantity('total')} long(?:,| and) (?:{PRONOUN}|{SUBJECT}) (?:cuts?|saws?|splits?) it "
    rf"into {_PIECES}(?: that are| which are)?(?: each)? {quantity('each')}(?: long| each)*",
    rf"(?:{PRONOUN}|{SUBJECT}) (?:pours|pour|poured|shares|splits|divides|packs) {_A} {quantity('total')} "
    rf"(?P<whole>{NOUN})(?: of {NOUN})? into (?P<group>{WORD}) (?:that|which) (?:each )?(?:hold|holds|take|takes) "
    rf"{quantity('each')}(?: each)?",
    # the size of each piece, with the whole amount in the question
    rf"(?:{_A}|each|every) (?P<group>{NOUN}) (?:holds|contains|takes|needs|uses|carries|seats|can (?:hold|take|carry|"
    rf"seat)) {quantity('each')}(?: (?:of )?(?P<stuff>{NOUN}))?",
    rf"it takes {quantity('each')} to (?P<verb>{WORD}) (?P<one>1|a|an|each) (?P<group>{NOUN})",
]
_QUESTIONS = [
    rf"how many (?:{quantity('asked_each')} )?(?P<asked>{WORD}) (?:can|could|will|does|do|would) (?:it|{PRONOUN}|{SUBJECT}) "
    rf"{_MAKE}(?: up)?(?: (?:from|with|out of) (?:it|them|this|that|{_A} (?:{NOUN})|{quantity('asked_total')}"
    rf"(?: of {NOUN})?))?",
    rf"how many (?:{quantity('asked_each')} )?(?P<asked>{WORD}) (?:can|could|will) be (?P<verb>{WORD})"
    rf"(?: (?:from|with|out of|in) (?:it|them|this|{quantity('asked_total')}(?: (?:of )?(?P<asked_stuff>{NOUN}))?))?",
    rf"how many (?:{quantity('asked_each')} )?(?P<asked>{WORD}) (?:is that|are there|are made|does (?:it|that|this) make|do (?:you|they|we|i) get"
    rf"|does (?:he|she) get)",
    rf"how many (?P<asked>{WORD}) (?:can|could|will) (?:{PRONOUN}|{SUBJECT}) (?P<verb>{WORD}) in {quantity('asked_total')}",
    # enough pieces for all of it, the last one only part full: rounded up
    rf"how many (?P<asked>{WORD}) (?:are|will be|would be) (?P<needed>needed) (?:for|to (?:hold|carry|take|pack|seat)) "
    rf"{quantity('asked_total')}(?: (?:of )?(?P<asked_stuff>{NOUN}))?",
    rf"how many (?P<asked>{WORD}) (?:do|does|will|would) (?:{PRONOUN}|{SUBJECT}) (?P<needed>need) (?:for|to (?:hold|carry|"
    rf"take|pack|seat)) {quantity('asked_total')}(?: (?:of )?(?P<asked_stuff>{NOUN}))?",
]


def solve_fitting(statement: str, question: str) -> Solution | None:
    readings = [(match, asked) for p in _STATEMENTS if (match := re.fullmatch(p, statement))
                for q in _QUESTIONS if (asked := re.fullmatch(q, question))]
    return next((solution for match, asked in readings if (solution := _read(match, asked)) is not None), None)


def _read(match: re.Match, asked: re.Match) -> Solution | None:
    told, wanted = match.groupdict(), asked.groupdict()
    total = _one_of(match, "total", asked, "asked_total")
    each = _one_of(match, "each", asked, "asked_each")
    if total is None or each is None:
        return None
    pieces = told.get("group") or told.get("pieces") or (wanted["asked"] if told.get("whole") and wanted.get(
        "asked_each") else None)
    if pieces is None or not same_thing(wanted["asked"], pieces):
        return None
    if told.get("verb") and (wanted.get("verb") is None or verb_stem(told["verb"]) != verb_stem(wanted["verb"])):
        return None  # "to bake a cake": how many cakes can be baked, not iced
    if told.get("stuff") and wanted.get("asked_stuff") and not same_thing(told["stuff"], wanted["asked_stuff"]):
        return None  # boxes of 12 pencils, asked for 60 pens
    one = (Fraction(1),) if told.get("one") == "1" else ()  # "to paint 1 panel": a number the story states
    fitted = _fitted(total, each, singular(wanted["asked"]), one)
    return _rounded_up(fitted, singular(wanted["asked"])) if wanted.get("needed") and fitted else fitted


def _rounded_up(solution: Solution, piece: str) -> Solution:
    """Enough pieces for all of it: one more than the whole pieces when some is left over."""
    if not solution.steps[-1].startswith("Only whole"):
        return solution  # it fills a whole number of pieces exactly
    needed = solution.value + 1
    return replace(solution, value=needed, result_text=str(needed), accepted_forms=(str(needed),),
                   steps=(*solution.steps, f"What is left over needs one more {piece}: {solution.value} + 1 = {needed}"),
                   final_answer=f"{solution.final_answer[:-1]}; the last {piece} is only part full, so the number of "
                                f"{plural(piece)} needed is {needed}.")


def _one_of(told: re.Match, name: str, asked: re.Match, asked_name: str) -> Quantity | None:
    """The amount the story or the question states (exactly one of them)."""
    in_story, in_question = told.groupdict().get(name), asked.groupdict().get(asked_name)
    if bool(in_story) == bool(in_question):
        return None
    return quantity_in(told, name) if in_story else quantity_in(asked, asked_name)


def _fitted(total: Quantity, each: Quantity, piece: str, one: tuple[Fraction, ...]) -> Solution | None:
    """Whole pieces of ``each`` in ``total``, the larger unit first turned into the smaller."""
    if each.value <= 0 or total.value <= 0:
        return None
    given = (total.value, each.value, *one)
    ratio = Fraction(1) if total.unit == each.unit else unit_ratio(total.unit, each.unit)
    if ratio == 1:
        return whole_groups(Quantity(total.text, total.value, each.unit), each, piece, given=given)
    if ratio is None or ratio.denominator != 1:
        return None  # a pound is no length, and a smaller total than its pieces' unit is not worth converting
    converted = total.value * ratio
    text = number_text(converted, "." in each.text)
    setup = (f"In one unit: {total.shown()} = {total.text} × {ratio} = {text} {each.unit}",)
    return whole_groups(Quantity(text, converted, each.unit), each, piece, setup, given)
