"""An amount for a number of items, scaled to another number of them, or to one (a unit rate, a speed) (pure).

"If 3 notebooks cost $4.50, how much do 7 notebooks cost?" -> 4.50 ÷ 3 × 7;
"Tom earns $12.50 an hour. How much does he earn for working 7 1/2 hours?" -> 12.50 × 7 1/2;
"My mum's car uses 6.5 litres of fuel every 100 km. How many litres does it use for a 260 km trip?" ->
6.5 ÷ 100 × 260; "A train goes 180 km in 2 1/4 hours. What is its average speed in km per hour?" -> 180 ÷ 2 1/4.
The items asked for must be the items the amount is for: the same noun, or the same unit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from learning.solving.numbers import literal_value
from learning.solving.solution import Solution
from learning.solving.units import unit_ratio
from learning.solving.word_problems.story import (ALTOGETHER, NOUN, PRONOUN, SUBJECT, WORD, Quantity, quantity,
                                                  quantity_in, same_thing, singular, verb_stem, worked)

_WHO = rf"(?:{PRONOUN}|{SUBJECT})"
_NUMBER = r"\d+(?: \d+/\d+)?(?:\.\d+)?|\d+/\d+"
_COUNT = rf"(?P<count>{_NUMBER})"
_ASKED_COUNT = rf"(?P<asked>{_NUMBER})"
_VERB = r"(?P<verb>is paid|gets paid|(?!(?:is|are|was|were|has|have|had|at|per|a|an)\b)[a-z]+)"
_STUFF = rf"(?: (?:of )?(?:(?:a|an) )?(?P<stuff>{NOUN}(?: of {NOUN})?))?"
_THING = rf"{NOUN}(?: of {NOUN})?"  # "bags of crisps"
_EACH = r"(?:an|a|per|each|every|for each|for every|for 1|for one)"
_MOVES = (r"(?P<moves>travels|goes|drives|runs|walks|covers|flies|cycles|swims|rides|sails|travelled|went|drove|ran|"
          r"walked|covered|flew|cycled|swam|rode|sailed)")
_STATEMENTS = [
    # a rate for one item: "earns £9.60 an hour", "needs 2/3 cup of flour per batch", "prints 12 pages a minute"
    rf"{_WHO} {_VERB} (?:at )?{quantity('amount')}{_STUFF} (?P<each>{_EACH}) (?P<item>{WORD})(?: of {NOUN}| [a-z]+ing)?",
    rf"{_WHO} (?P<verb>bought|buys|buy|paid|pays|pay|got|gets|spent|spends) {_COUNT} (?P<item>{_THING}) for "
    rf"{quantity('amount')}",
    rf"(?:the )?(?P<item>{NOUN}) (?P<verb>cost|costs|weigh|weighs) {quantity('amount')} each",
    rf"(?:each|every|1|one|a|an) (?P<item>{NOUN}) (?P<verb>costs|weighs|holds|needs|uses|takes) {quantity('amount')}"
    rf"{_STUFF}",
    # an amount for a number of items: "3 notebooks cost $4.50", "a recipe for 4 people uses 300 g of pasta"
    rf"{_COUNT} (?P<item>{_THING}) (?P<verb>cost|weigh|hold|use|need|take|make|serve) {quantity('amount')}{_STUFF}",
    rf"(?:a|an|the|my|our) (?:{NOUN}) for {_COUNT} (?P<item>{NOUN}) (?P<verb>uses|needs|takes|has|makes) "
    rf"{quantity('amount')}{_STUFF}",
    # an amount for a measured quantity: "uses 6.5 litres of fuel every 100 km", "goes 180 km in 2 1/4 hours"
    rf"{_WHO} {_VERB} {quantity('amount')}{_STUFF} (?:every|per|for every|for each|in) {quantity('per')}",
    rf"{_WHO} {_MOVES} {quantity('amount')} (?:in|on|using) {quantity('per')}{_STUFF}",
]
# Verbs that ask for one amount in other words: what a thing costs is what is paid for it.
_SENSES = {"cost": "cost", "pay": "cost", "spend": "cost", "charg": "cost", "buy": "cost", "bought": "cost", "earn": "earn", "get": "earn",
           "mak": "earn", "is paid": "earn", "gets paid": "earn", "us": "use", "ne": "use", "need": "use",
           "tak": "use", "requir": "use", **dict.fromkeys(("travel", "go", "driv", "walk", "run", "cycl", "rid", "fly",
                                                           "mov", "swim", "sail", "cover"), "move")}
_FOR = r"(?:for|in) (?:working |making |feeding |serving )?(?:(?:a|an) )?"
_QVERB = r"(?P<qverb>have to pay|get paid|[a-z]+)"
_SCALED_QUESTIONS = [
    rf"how (?:much|many|far)(?: (?P<stuff>{NOUN}(?: of {NOUN})?))? (?:does|do|will|would|did|should|can|could) {_WHO} "
    rf"{_QVERB} {_FOR}<ASKED>(?: of work)?{ALTOGETHER}?",
    rf"how (?:much|many)(?: (?P<stuff>{NOUN}(?: of {NOUN})?))? (?:is|are|will be|would be) (?P<qverb>needed|used|"
    rf"required|earned|paid) {_FOR}<ASKED>",
    rf"how (?:much|many)(?: (?P<stuff>{NOUN}))? (?:do|does|would|will) <ASKED> (?P<qverb>cost|weigh|hold|use|need|take)"
    rf"{ALTOGETHER}?",
    rf"what (?:do|does|would|will) <ASKED> (?P<qverb>cost){ALTOGETHER}?",
    rf"how much (?:is it|would it be|will it be|is that) {_FOR}<ASKED>",
]
_ASKED_ITEMS = [rf"{_ASKED_COUNT} (?P<asked_item>{_THING})",
                rf"{quantity('asked_q')}(?: (?:trip|journey|drive|ride|walk|run)| of {NOUN})?"]
_WORKED_FOR = (rf"(?P<rate>.+?)(?:(?:,? and|\.) (?:{PRONOUN} |{SUBJECT} )?(?:works|worked|work|is there|stays|stayed|"
               rf"parks|parked|travels|travelled|drives|drove|walks|walked|runs|ran|cycles|cycled) (?:for )?| for )"
               rf"{_ASKED_COUNT} (?P<asked_item>{WORD})")
_TOTAL_QUESTION = (rf"how (?:much|far) (?:does|did|will|would) {_WHO} {_QVERB}{ALTOGETHER}?"
                   rf"|how much (?:is|was) (?P<paid>{PRONOUN}|{SUBJECT}) paid{ALTOGETHER}?")


@dataclass(frozen=True)
class _Rate:
    amount: Quantity
    per: Quantity  # how many items (a bare number) or how much of a measure ("100 km") the amount is for
    item: str  # the items' noun, or "" when ``per`` is measured in a unit
    stuff: str
    stated: bool  # whether ``per`` is written in the story (not the "1" of "an hour")
    verb: str = ""  # what the amount is for: "cost", "earn", "print"
    moves: bool = False  # a distance for a time or a fuel: a speed, or a distance per litre
    one: tuple[Fraction, ...] = ()  # the 1 of "for 1 batch", when the story writes it


def solve_proportion(statement: str, question: str) -> Solution | None:
    worked_for = re.fullmatch(_WORKED_FOR, statement)
    if worked_for is not None:  # "earns £11 an hour and works for 6 hours. how much does she earn?"
        rate, asked = _read(worked_for["rate"]), re.fullmatch(_TOTAL_QUESTION, question)
        count = Quantity(worked_for["asked"], literal_value(worked_for["asked"]), worked_for["asked_item"])
        if rate is None or asked is None or not _same_verb(rate, asked["qverb"] or "earn"):
            return None
        ratio = _items_ratio(rate, count)
        return _scaled(rate, count, ratio) if ratio is not None else None
    rate = _read(statement)
    if rate is None:
        return None
    per_one = re.fullmatch(_PER_ONE_QUESTION, question)
    if per_one is not None:
        return _per_one(rate, per_one)
    if (how_long := re.fullmatch(_HOW_LONG_QUESTION, question)) is not None:
        return _time_for(rate, quantity_in(how_long, "distance"))
    for count, stuff, verb in _asked(question):
        if stuff and rate.stuff and not (same_thing(stuff, rate.stuff) or same_thing(stuff, rate.stuff.split(" of ")[-1])):
            continue  # "how much sugar" of a rate for flour (a rate that names no stuff, "40 ml", is of any)
        ratio = _items_ratio(rate, count)
        if ratio is not None and _same_verb(rate, verb):
            return _scaled(rate, count, ratio)
    return None


def _same_verb(rate: _Rate, verb: str | None) -> bool:
    """"5 pens cost £2.40": how much 8 pens cost or what is paid for them, never what they weigh."""
    if verb is None or verb in ("needed", "used", "required"):
        return verb is None or _sense(rate.verb) == "use"
    if verb in ("earned", "paid"):
        return _sense(rate.verb) in ("earn", "cost")
    return _sense(verb) == _sense(rate.verb)


def _sense(verb: str) -> str:
    stem = verb if verb in _SENSES else verb_stem(verb)
    return _SENSES.get(stem, stem)


def _read(statement: str) -> _Rate | None:
    statement = re.sub(r"^if ", "", statement)
    for pattern in _STATEMENTS:
        if (match := re.fullmatch(pattern, statement)) is None:
            continue
        groups = match.groupdict()
        amount = quantity_in(match, "amount")
        if groups.get("per"):
            per, item = quantity_in(match, "per"), ""
        elif groups.get("count"):
            per, item = Quantity(match["count"], literal_value(match["count"]), ""), match["item"]
        else:  # "a cake recipe uses 2/3 cup of milk": for one cake
            per, item = Quantity("1", Fraction(1), ""), re.sub(r" recipe$", "", match["item"])
        if per.value <= 0:
            return None
        return _Rate(amount, per, item, groups.get("stuff") or "", bool(groups.get("per") or groups.get("count")),
                     groups.get("verb") or groups.get("moves") or "",
                     bool(re.fullmatch(_MOVES, groups.get("verb") or groups.get("moves") or "")),
                     (Fraction(1),) if "1" in (groups.get("each") or "") else ())
    return None


def _asked(question: str) -> list[tuple[Quantity, str, str | None]]:
    """Each reading of the items a question asks about ("7 notebooks", "a 260 km trip"), with the stuff it
    names ("how much flour") and its verb ("cost")."""
    readings = []
    for pattern in _SCALED_QUESTIONS:
        for items in _ASKED_ITEMS:
            match = re.fullmatch(pattern.replace("<ASKED>", items), question)
            if match is not None:
                groups = match.groupdict()
                if groups.get("asked"):
                    count = Quantity(match["asked"], literal_value(match["asked"]), match["asked_item"])
                else:
                    count = quantity_in(match, "asked_q")
                readings.append((count, groups.get("stuff") or "", groups.get("qverb")))
    return readings


def _items_ratio(rate: _Rate, count: Quantity) -> Fraction | None:
    """How many of the rate's items one of the counted makes: 1 for "7 notebooks" of notebooks and "260 km" of
    "every 100 km", 1/1000 for "750 g" of "per kg", 60 for "1 hour" of "in 45 minutes"; None for other items."""
    unit = rate.per.unit or rate.item
    if rate.item and not rate.per.unit and same_thing(count.unit, rate.item):
        return Fraction(1)
    ratio = unit_ratio(count.unit, unit) if count.unit != unit else Fraction(1)
    if ratio is None or 1 not in (ratio.numerator, ratio.denominator):
        return None
    if ratio != 1 and {verb_stem(count.unit), verb_stem(unit)} & {"day", "week"}:
        return None  # "$11 an hour" for 6 days is pay for the hours worked, not for 144 hours
    return ratio


def _scaled(rate: _Rate, count: Quantity, ratio: Fraction) -> Solution | None:
    amount, per = rate.amount, rate.per
    what = singular(rate.item) if rate.item else per.unit
    counted = count.text if ratio == 1 else (f"({count.text} × {ratio})" if ratio > 1
                                             else f"({count.text} ÷ {ratio.denominator})")
    setup = [] if ratio == 1 else [f"{count.shown()} in {what}s: {counted}"]
    if rate.stated:
        calculation = f"{amount.text} ÷ {per.text} × {counted}"
        setup = [f"{per.shown()}{' ' + rate.item if rate.item else ''}: {amount.shown()}, so 1 {what}: "
                 f"{amount.shown()} ÷ {per.text}", *setup, f"For {count.shown()}: {calculation}"]
        given = (amount.value, per.value, count.value)
    else:
        calculation = f"{amount.text} × {counted}"
        setup = [*setup, f"{amount.shown()} for each {what}, so for {count.shown()}: {calculation}"]
        given = (amount.value, count.value, *rate.one)
    return worked(calculation, setup, f"the amount for {count.shown()}", given, amount.unit)


_HOW_LONG_QUESTION = (rf"how long (?:does|will|would|did) (?:it take(?: {_WHO})?|{_WHO} take) to (?:{WORD}) "
                      rf"{quantity('distance')}")


def _time_for(rate: _Rate, distance: Quantity) -> Solution | None:
    """The time to cover a distance at a speed: the distance ÷ the distance for each unit of time."""
    if rate.stated or not rate.moves and rate.verb != "at" or distance.unit != rate.amount.unit:
        return None
    if unit_ratio(rate.item, "s") is None:
        return None
    setup = [f"Each {rate.item} covers {rate.amount.shown()}, so {distance.shown()} takes "
             f"{distance.text} ÷ {rate.amount.text} {rate.item}s"]
    return worked(f"{distance.text} ÷ {rate.amount.text}", setup, f"the time in {rate.item}s",
                  (distance.value, rate.amount.value), rate.item)


_PER_ONE_QUESTION = (rf"what (?:is|was) (?:its|the|his|her|their|my|our) (?:average )?speed"
                     rf"(?: in (?P<top>{WORD}) ?(?:per |an |a |/)(?P<bottom>{WORD}))?"
                     rf"|how (?:far|much) (?:does|did|can|could) (?:it|{_WHO}) (?:travel|go|drive|do) (?:per|on each|"
                     rf"on 1|on one|for each|on a) (?P<per_item>{WORD})")


def _per_one(rate: _Rate, asked: re.Match) -> Solution | None:
    """A speed (a distance for a time), or a distance for each litre: the amount ÷ what it is for, with the time
    first turned into the unit the question names ("45 km in 90 minutes", in km per hour: 45 ÷ (90 ÷ 60))."""
    if not rate.moves or not rate.stated or not rate.amount.unit or not rate.per.unit:
        return None
    speed = asked["per_item"] is None
    if speed and unit_ratio(rate.per.unit, "s") is None:
        return None
    top, bottom = asked["top"] or rate.amount.unit, asked["per_item"] or asked["bottom"] or rate.per.unit
    ratio = unit_ratio(bottom, rate.per.unit)  # how many of the story's units make the unit asked for
    if unit_ratio(top, rate.amount.unit) != 1 or ratio is None or 1 not in (ratio.numerator, ratio.denominator):
        return None
    per = rate.per.text if ratio == 1 else (f"({rate.per.text} ÷ {ratio.numerator})" if ratio > 1
                                            else f"({rate.per.text} × {ratio.denominator})")
    name = "speed" if speed else f"distance for each {singular(bottom)}"
    setup = [f"The {name} is {rate.amount.shown()} ÷ {rate.per.shown()}"]
    if ratio != 1:
        setup.append(f"In {singular(bottom)}s, {rate.per.shown()} is {per}")
    return worked(f"{rate.amount.text} ÷ {per}", setup, f"the {name}",
                  (rate.amount.value, rate.per.value), "" if speed else rate.amount.unit)
