"""Sharing an amount equally, cutting it into equal pieces, and counting how many equal groups it fills (pure).

"Three friends share 2 1/4 pizzas equally. How much does each get?" -> 2 1/4 ÷ 3;
"A plank 2.4 m long is cut into 6 equal pieces. How long is each piece?" -> 2.4 ÷ 6;
"A gardener has 9 kg of seed and puts 3/8 kg in each pot. How many pots can she fill?" -> 9 ÷ 3/8, in whole
pots, with what is left over said.
"""
from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction
from math import floor

from learning.solving.numbers import fraction_text, number_text
from learning.solving.solution import Solution
from learning.solving.word_problems.story import (NOUN, PRONOUN, SUBJECT, WORD, Quantity, quantity, quantity_in,
                                                  plural, same_thing, singular, worked)

_COUNT = r"(?P<count>\d+)"
_EQUALLY = r"(?: (?:equally|evenly|fairly))"
_AMONG = r"(?:between|among|amongst)"
_AMOUNT_OF = (rf"(?:(?:a|an|the) )?{quantity('total')}(?: (?:of )?(?:(?:a|an|the) )?(?P<thing>{NOUN})"
              rf"(?: of {NOUN})?)?")
_SHARES = [
    rf"{_COUNT} (?P<people>{NOUN}) share {_AMOUNT_OF}{_EQUALLY}?(?: between them)?",
    rf"{_AMOUNT_OF} (?:is|are) (?:shared|split|divided){_EQUALLY}? {_AMONG} {_COUNT} (?P<people>{NOUN})",
    rf"{SUBJECT} (?:shares|splits|divides) {_AMOUNT_OF}{_EQUALLY}? {_AMONG} {_COUNT} (?P<people>{NOUN})",
    rf"{SUBJECT} (?:has|had|buys|bought|makes|made) {_AMOUNT_OF} and (?:pours|shares|splits|divides|puts|poured|"
    rf"shared|split|divided|put) (?:it|them){_EQUALLY}? (?:{_AMONG}|into|in) {_COUNT} (?P<people>{NOUN}){_EQUALLY}?",
]
_SHARE_QUESTION = (rf"(?:how (?:much|many)(?: {NOUN})?|what fraction(?: of (?:the|a|an) (?:whole )?{NOUN})?) "
                   rf"(?:does|will|would|should|do) each(?: (?:one|person|of them|(?P<each>{WORD})))? (?:get|have|receive)"
                   rf"|how much(?: {NOUN})? (?:is|goes) (?:to|in|into) each (?:share|person|(?P<each2>{WORD}))")
_PIECES = r"(?:pieces|parts|lengths|bits|sections|strips|slices)"
_CUT = rf"(?:is|was) (?:cut|divided|split|sawn|chopped)(?: up)? into {_COUNT} equal {_PIECES}"
_CUTS = [
    rf"(?:a|an|the) (?P<thing>{NOUN}) {quantity('total')} long {_CUT}",
    rf"(?:a|an|the) {quantity('total')}(?: long)? (?P<thing>{NOUN}) {_CUT}",
    rf"(?:a|an|the) (?P<thing>{NOUN}) (?:of length|measuring|that is) {quantity('total')}(?: long)? {_CUT}",
]
_PIECE_QUESTION = (r"how (?:long|big|heavy|much|wide) is each (?:piece|part|length|bit|section|strip|slice|one)"
                   r"|what is the (?:length|size|mass|weight) of each (?:piece|part|length|bit|section|strip|slice)")


def solve_sharing(statement: str, question: str) -> Solution | None:
    """An amount shared equally between people, or cut into equal pieces."""
    for patterns, question_pattern, cutting in ((_SHARES, _SHARE_QUESTION, False), (_CUTS, _PIECE_QUESTION, True)):
        match = next((m for p in patterns if (m := re.fullmatch(p, statement))), None)
        asked = re.fullmatch(question_pattern, question)
        named = asked and (asked.groupdict().get("each") or asked.groupdict().get("each2"))
        if named and not same_thing(named, match and match.groupdict().get("people") or "?"):
            continue  # "each box" when the story shares between buckets
        if match is not None and asked:
            return _shared(quantity_in(match, "total"), int(match["count"]),
                           "piece" if cutting else singular(match["people"]), cutting)
    return None


def _shared(total: Quantity, count: int, each: str, cutting: bool) -> Solution | None:
    if count < 2 or total.value <= 0:
        return None
    setup = (f"Each piece is {total.shown()} ÷ {count} long" if cutting
             else f"Each {each} gets {total.shown()} ÷ {count}")
    return worked(f"{total.text} ÷ {count}", [setup], f"each {each}'s {'length' if cutting else 'share'}",
                  (total.value, Fraction(count)), total.unit)


_GROUP_STATEMENTS = [
    rf"{SUBJECT} has {quantity('total')}(?: of)?(?: (?P<thing>{NOUN}))? and (?:puts|uses|needs|pours|packs|plants|"
    rf"gives|cuts|fills) {quantity('each')} (?:into|in|for|to|on) (?:each|every) (?P<group>{WORD})",
    rf"{SUBJECT} has {quantity('total')}(?: of)?(?: (?P<thing>{NOUN}))?\. (?:each|every) (?P<group>{WORD}) "
    rf"(?:needs|holds|takes|uses|gets) {quantity('each')}",
]
_GROUP_QUESTION = (rf"how many (?P<asked>{WORD}) (?:can|could|will|does|do) (?:{PRONOUN}|{SUBJECT}) "
                   rf"(?:fill|make|fill up|serve|plant|pack)(?: with (?:it|them))?"
                   rf"|how many (?P<asked_passive>{WORD}) (?:can|could) (?:be|she|he|they) (?:filled|made|served)")


def solve_groups(statement: str, question: str) -> Solution | None:
    """How many equal groups an amount fills: the whole number of times the group's size goes into it."""
    match = next((m for p in _GROUP_STATEMENTS if (m := re.fullmatch(p, statement))), None)
    asked = re.fullmatch(_GROUP_QUESTION, question)
    if match is None or asked is None:
        return None
    group = asked["asked"] or asked["asked_passive"]
    total, each = quantity_in(match, "total"), quantity_in(match, "each")
    if not same_thing(group, match["group"]) or total.unit != each.unit or each.value <= 0:
        return None
    return whole_groups(total, each, singular(group))


def whole_groups(total: Quantity, each: Quantity, group: str, setup: tuple[str, ...] = (),
                 given: tuple[Fraction, ...] = ()) -> Solution | None:
    """How many whole groups of ``each`` ``total`` fills (both in one unit), saying what is left over;
    ``setup`` comes first (a conversion), and ``given`` are the numbers as the story states them."""
    quotient = total.value / each.value
    whole = floor(quotient)
    if whole < 1:
        return None
    solution = worked(f"{total.text} ÷ {each.text}", [*setup, f"Number of {plural(group)}: {total.shown()} ÷ {each.shown()}"],
                      f"the number of {plural(group)}", given or (total.value, each.value))
    if quotient == whole:
        return solution
    left = total.value - whole * each.value
    left_text = Quantity(number_text(left, "." in total.text + each.text), left, total.unit).shown()
    note = (f"Only whole {plural(group)} count: {fraction_text(quotient)} is {whole} whole {plural(group)}, "
            f"with {left_text} left over")
    return replace(solution, value=Fraction(whole), result_text=str(whole), accepted_forms=(str(whole),),
                   steps=(*solution.steps, note),
                   final_answer=f"{total.shown()} ÷ {each.shown()} = {fraction_text(quotient)}; with {left_text} left "
                                f"over, the number of whole {plural(group)} is {whole}.")  # the result is read last
