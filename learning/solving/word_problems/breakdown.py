"""A whole broken into parts, clause by clause, and a question about one part, the rest, or what is left (pure).

"In a class of 28 pupils, 3/7 are boys. How many girls are there?" -> 28 - 3/7 of 28;
"There are 36 sweets in a bag. Ella eats 1/4 of them and then gives 1/3 of the rest to her brother. How many
sweets are left?" -> 36 - 1/4 of 36 - 1/3 of 27;
"Priya had £50. She spent 2/5 of it on shoes and £8 on a hat. How much does she have left?" -> 50 - 20 - 8;
"A paddling pool holds 240 litres and is 3/8 full. How many more litres are needed to fill it?" -> 240 - 90.

The statement is read as clauses: the first names the whole (a count of things or an amount), each other one
a part of it: a fraction or percentage of the whole or of what is left, an amount taken away, or "the rest".
A clause of any other shape leaves the story unread. The question names a part by what its clause says of it
("play football", "are black"), or asks for its complement: the other of a pair (boys and girls), "the rest",
"don't", "neither", or what is left after everything taken away.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from learning.solving.answer_form import honoured
from learning.solving.numbers import literal_value, number_text
from learning.solving.solution import Solution
from learning.solving.word_problems.story import (NOUN, PRONOUN, SUBJECT, WORD, Quantity, quantity, quantity_in,
                                                  same_thing, singular, verb_stem, worked)
from learning.solving.wording import Instructions

_SHARE = r"(?P<share>\d+(?:\.\d+)?%|\d+/\d+)"
_DET = r"(?:a|an|the|my|our|his|her|their|your|its)"
_THEM = rf"(?:them|these|those|it|{_DET} (?P<of>{NOUN}))"  # "of the sweets" must name the story's sweets
_REST = r"(?:the rest|what is left|what was left|what's left|what remains|the remainder|the others)"
_TAIL = rf"(?: (?:to|on|for|at|with|into|in) (?:(?:make|buy|get) )?(?:{_DET} )?{NOUN})?"
_TAKE_VERB = (r"(?P<verb>eats|ate|eat|drinks|drank|drink|gives away|gave away|give away|gives|gave|give|sells|sold|"
              r"sell|uses|used|use|spends|spent|spend|loses|lost|lose|saves|saved|save|keeps|kept|keep|"
              r"cuts off|cut off|pours out|poured out|pour out|takes|took|take|reads|read|paints|painted|paint|"
              r"pays|paid|pay|shares|shared|share|plants|planted|plant|bakes|baked|bake)")
_BE = r"(?:are|is|were|was)"
_TAKEN_STEMS = {verb_stem(verb) for verb in ("eaten", "drunk", "used", "sold", "spent", "lost", "given away",
                                             "cut off", "poured out", "read", "painted")}
_PREDICATE = (rf"(?P<predicate>used|sold|spent|given away|(?:(?:have|has|had) (?:{_DET} )?)?{WORD}(?: (?:(?:for|to|in|on|at|with|by) )?(?:{_DET} )?"
              rf"{WORD}){{0,2}})")

_WHOLES = [
    rf"(?:in )?{_DET} (?P<group>{NOUN}) of {quantity('whole')}(?: (?P<things>{NOUN}))?",
    rf"there {_BE} {quantity('whole')} (?P<things>{NOUN})(?: (?:in|at|on) {_DET} (?P<group>{NOUN}))?",
    rf"out of {quantity('whole')} (?P<things>{NOUN})(?: (?:in|at|on) {_DET} (?P<group>{NOUN}))?",
    rf"{quantity('whole')} (?P<things>{NOUN}) {_BE} in {_DET} (?P<group>{NOUN})",
    rf"(?P<owner>{SUBJECT}(?: of {NOUN})?|{PRONOUN}) (?:has|had|have|holds|held|contains|can (?:carry|hold|seat|take)|"
    rf"saves|saved|has saved|had saved|wins|won|receives|received|earns|earned|gets|got|is given|was given|"
    rf"buys|bought|picks|picked|bakes|baked|collects|collected|makes|made) {quantity('whole')}"
    rf"(?: (?:of )?(?P<things>{NOUN}))?(?: (?:a|an|per|each|every) (?P<period>{WORD}))?",
    rf"(?P<owner>{SUBJECT}|{PRONOUN}) (?:has|had) {_DET} (?P<things>{NOUN}) {quantity('whole')} long",
    rf"(?:(?:a|an|the|my|his|her|their|our) (?P<things>{NOUN})|{SUBJECT}) (?:takes|lasts|is) {quantity('whole')}"
    rf"(?: long)?",
    rf"of the {quantity('whole')} (?P<things>{NOUN})(?: (?:in|at|on) {_DET} (?P<group>{NOUN}))?",
]
# Clauses that name a whole and a part of it at once.
_WHOLE_AND_PART = [
    rf"{_DET} (?P<group>{NOUN}) of {quantity('whole')}(?: (?P<things>{NOUN}))? (?:has|had|contains|includes) "
    rf"(?P<count>\d+) (?P<predicate>{WORD})",
    rf"{_SHARE} of {_DET} {quantity('whole')} (?P<things>{NOUN})(?: (?:in|at|on) {_DET} (?P<group>{NOUN}))? "
    rf"(?:{_BE} )?{_PREDICATE}",
    rf"(?P<owner>{SUBJECT}) (?:has|have) (?P<verb>{WORD}) {_SHARE} of (?:a|an|the|her|his|their|its) {quantity('whole')} (?P<things>{NOUN})",
    rf"(?:a|an|the) (?P<things>{NOUN}) {quantity('whole')} long (?:has|had) {quantity('taken')} "
    rf"(?P<verb>cut off|removed|taken off|cut from it)",
]
_PARTS = [
    rf"(?:(?P<rest>the rest|the others)|{_SHARE}(?: of {_THEM})?|(?P<count>\d+)(?: of them)?) {_BE} {_PREDICATE}",
    rf"(?:(?P<rest>the rest|the others)|{_SHARE}(?: of {_THEM})?|(?P<count>\d+)(?: of them)?) (?!{_BE}\b)"
    rf"{_PREDICATE}",
    rf"(?:(?:it|{_DET} {NOUN}) )?(?:is|was) {_SHARE} (?P<predicate>full|empty)",
    rf"(?:then )?(?:(?P<actor>{SUBJECT}|{PRONOUN}) )?(?:then )?{_TAKE_VERB} {_SHARE}(?: of "
    rf"(?:(?P<of_rest>{_REST})|{_THEM}))?{_TAIL}",
    rf"(?:then )?(?P<elided>){_SHARE}(?: of (?:(?P<of_rest>{_REST})|{_THEM}))?{_TAIL}",  # the verb of the clause before
    rf"(?:then )?(?:(?P<actor>{SUBJECT}|{PRONOUN}) )?(?:then )?{_TAKE_VERB} {quantity('taken')}(?: of (?:it|them))?{_TAIL}",
    rf"(?:then )?{quantity('taken')}{_TAIL}",  # "and £8 on a hat": the verb of the clause before
    rf"(?:we've|i've|they've|we have|i have|they have|she has|he has) been (?P<verb>{WORD}ing) for "
    rf"{quantity('taken')}",
    rf"(?:{PRONOUN}|{SUBJECT}) (?:has|have|'ve) (?P<verb>(?!been\b){WORD}) (?:for )?{quantity('taken')}",
]


@dataclass(frozen=True)
class _Part:
    predicate: str  # what its clause says of it: "play football", "black", "full", or the verb taking it
    share: str | None  # "3/7" or "35%" of the whole (or of what is left)
    taken: Quantity | None  # an amount, as stated
    of_rest: bool = False
    rest: bool = False  # "the rest are white"
    taking: bool = False  # an amount used, eaten, given away...: what is left is the whole without it


@dataclass(frozen=True)
class _Story:
    whole: Quantity
    things: str
    group: str
    parts: tuple[_Part, ...]


def solve_breakdown(statement: str, question: str) -> Solution | None:
    story = _read(statement)
    if story is None or not story.parts:
        return None
    amounts = _amounts(story)
    if amounts is None:
        return None
    return _answer(story, amounts, question)


def _clauses(statement: str) -> list[str]:
    return [clause for clause in re.split(r"\. |,? and then |, then |, and |, |,? but | and (?!the rest\b)|(?= and the rest\b) and ",
                                          statement) if clause]


def _read(statement: str) -> _Story | None:
    clauses = _clauses(statement)
    match = next((m for p in _WHOLE_AND_PART if (m := re.fullmatch(p, clauses[0]))), None)
    if match is not None:
        whole, parts = quantity_in(match, "whole"), [_part(match)]
    else:
        match = next((m for p in _WHOLES if (m := re.fullmatch(p, clauses[0]))), None)
        if match is None:
            return None
        whole, parts = quantity_in(match, "whole"), []
    groups = match.groupdict()
    things, group = groups.get("things") or "", groups.get("group") or groups.get("owner") or ""
    verb = None
    for clause in clauses[1:]:
        found = next((m for p in _PARTS if (m := re.fullmatch(p, clause))), None)
        if found is None:
            return None
        part = _part(found, verb)
        if part is None or found.groupdict().get("of") and not same_thing(found["of"], things or "?"):
            return None
        verb = part.predicate if part.taking else verb
        parts.append(part)
    if None in parts or sum(part.rest for part in parts) > 1 or parts and parts[-1].rest is False and any(
            part.rest for part in parts):
        return None  # "the rest" comes last, once
    return _Story(whole, things, group, tuple(parts))


def _part(match: re.Match, verb: str | None = None) -> _Part | None:
    groups = match.groupdict()
    taken = quantity_in(match, "taken") if groups.get("taken") else None
    if groups.get("count"):
        taken = Quantity(groups["count"], literal_value(groups["count"]), "")
    taking_verb = groups.get("verb") or (verb if taken is not None and not groups.get("count") else None)
    if groups.get("elided") is not None:
        taking_verb = verb
        if taking_verb is None:
            return None  # "1/2 of the rest" needs the verb of the clause before
    if taken is not None and taking_verb is None and not groups.get("count"):
        return None  # "£8 on a hat" needs the verb of the clause before
    if taking_verb is not None:
        return _Part(verb_stem(taking_verb), groups.get("share"), taken, bool(groups.get("of_rest")), taking=True)
    predicate = groups["predicate"]
    if not groups.get("rest") and verb_stem(predicate) in _TAKEN_STEMS:  # "3/4 of the water is used"
        return _Part(verb_stem(predicate), groups.get("share"), taken, taking=True)
    return _Part(predicate, groups.get("share"), taken, rest=bool(groups.get("rest")))


def _amounts(story: _Story) -> list[tuple[Fraction, str]] | None:
    """Each part's amount, and the calculation that gives it; None when a part is not a share of the whole's
    kind (another unit), or a count comes out as a fraction of a thing."""
    left, amounts = story.whole.value, []
    for part in story.parts:
        if part.rest:
            continue
        if part.taken is not None:
            if part.taken.unit != story.whole.unit or part.share:
                return None
            value, text = part.taken.value, part.taken.text
        else:
            base = left if part.of_rest else story.whole.value
            share = literal_value(part.share)
            if not 0 < share <= 1:
                return None
            value = share * base
            text = f"{part.share} of {number_text(base, _decimal(story))}"
        if story.whole.unit == "" and value.denominator != 1 or value > left:
            return None
        if part.taking or part.of_rest:
            left -= value
        amounts.append((value, text))
    if sum(value for value, _ in amounts) > story.whole.value:
        return None
    return amounts


def _decimal(story: _Story) -> bool:
    """Whether the story is told in decimals, so its working is too."""
    return any("." in amount.text for amount in (story.whole, *(part.taken for part in story.parts if part.taken)))


_ASKED = rf"{WORD}(?: {WORD}){{0,2}}?"  # lazily: "how many people chose tea" asks of people
_NEGATED = r"(?:don't|do not|doesn't|does not|didn't|did not|aren't|are not|isn't|is not|weren't|were not) "
_QUESTIONS = [
    rf"how (?:many|much) (?P<negated>{_NEGATED})?(?:{_BE} )?{_PREDICATE}",
    rf"how (?:many|much)(?: (?P<things>{_ASKED}))? (?P<negated>{_NEGATED})?(?:{_BE} )?{_PREDICATE}",
    rf"how many (?P<things>{_ASKED}) {_BE} there(?: in {_DET} {NOUN})?",
    rf"how many (?P<things>{_ASKED}) {_BE} (?:in|at|on) {_DET} (?P<group>{NOUN})",
    rf"how (?:many|much)(?: (?P<things>{_ASKED}))? (?P<neither>chose|picked|like|liked|play|played|have|had|said|voted for) "
    rf"(?:neither|none of them|none of these|something else)",
    rf"how many(?: (?P<things>{_ASKED}))? {_BE} (?P<neither>neither) (?P<one>{WORD}) nor (?P<other>{WORD})",
]
_LEFT_QUESTIONS = [
    rf"how (?:many|much|far|long)(?: (?P<things>{_ASKED}))? {_BE} (?:left|remaining)(?: now| over)?(?: in {_DET} {NOUN})?",
    rf"how (?:many|much|far|long)(?: (?P<things>{_ASKED}))? (?:does|do|did|has|have) (?:{PRONOUN}|{SUBJECT}) "
    rf"(?:have |got )?(?:left|remaining|still (?:have|got)(?: left)?)(?: now)?|how (?:many|much)(?: (?P<things2>{_ASKED}))? "
    rf"(?:does|do|did) (?:{PRONOUN}|{SUBJECT}) (?:have|own) now",
    rf"how much of {_DET} (?P<things>{NOUN}) is (?:left|remaining|still to (?:go|come|do|read|watch))",
    rf"how (?:many|much|far|long)(?: further| more| longer)?(?: (?P<things>{_ASKED}))? (?:does|do|has|have) "
    rf"(?:{PRONOUN}|{SUBJECT}) (?:still )?"
    rf"(?:got |have |left )?to (?:{WORD})",
    rf"how (?:long|big|heavy) is {_DET} (?P<things>{NOUN}) now",
]
_FILL_QUESTION = (rf"how (?:many|much) more(?: (?P<things>{_ASKED}))? (?:(?:are|is|will|would)? ?(?:be )?(?:needed|required|"
                  rf"it take|fill it up|fill it)(?: to fill (?:it|{_DET} {NOUN})(?: up)?)?|can (?:get on|fit in|fit|go in|"
                  rf"be added|it hold|it take)(?: it)?)")
_LEFT_QUESTIONS.append(_FILL_QUESTION)
_KEEPING = {verb_stem(verb) for verb in ("saves", "keeps")}
_TAKEN_PASSIVE = rf"how (?:many|much)(?: (?P<things>{_ASKED}))? {_BE} (?P<verb>[a-z]+(?: away| off| out)?)"
_TAKEN_QUESTION = (rf"how (?:many|much|far)(?: (?P<things>{_ASKED}))? (?:does|do|did|will|has|have) (?:{PRONOUN}|{SUBJECT}) "
                   rf"(?P<verb>[a-z]+(?: away| off| out)?)(?: (?:each|every|a|per) {WORD})?")
_PERCENT_QUESTION = rf"what (?P<form>%|fraction)(?: of (?:the|them|{_DET}) {NOUN})? (?:{_BE} )?{_PREDICATE}"
_PAIRS = {frozenset(verb_stem(word) for word in pair) for pair in (
    ("boys", "girls"), ("men", "women"), ("adults", "children"), ("males", "females"), ("taken", "free"),
    ("taken", "empty"), ("present", "absent"), ("right", "wrong"), ("correct", "wrong"), ("correct", "incorrect"),
    ("passed", "failed"), ("won", "lost"), ("open", "closed"), ("on", "off"))}


def _answer(story: _Story, amounts: list[tuple[Fraction, str]], question: str) -> Solution | None:
    for pattern in _LEFT_QUESTIONS:
        if (asked := re.fullmatch(pattern, question)) is not None:
            things = asked.groupdict().get("things") or asked.groupdict().get("things2")
            if not _same_things(story, things) or story.parts[-1].rest:
                return None
            filling = pattern == _FILL_QUESTION  # "how many more litres to fill it": only of a tank part full
            if filling != (len(story.parts) == 1 and story.parts[0].predicate == "full"):
                return None
            if not filling and not all(part.taking and part.predicate not in _KEEPING for part in story.parts):
                return None  # "saves 30% of it": what is saved is still had
            return _rest(story, amounts, "what is needed to fill it" if filling else "what is left")
    if (asked := re.fullmatch(_TAKEN_QUESTION, question) or re.fullmatch(_TAKEN_PASSIVE, question)) is not None \
            and len(story.parts) == 1 and story.parts[0].taking:
        part = story.parts[0]
        if part.taking and verb_stem(asked["verb"]) == part.predicate and _same_things(story, asked["things"]):
            return _one(story, amounts[0], f"the amount {asked['verb']}")
    if (asked := re.fullmatch(_PERCENT_QUESTION, question)) is not None:
        return _as_share(story, amounts, asked["predicate"], asked["form"])
    named = (_named(story, amounts, asked) for p in _QUESTIONS if (asked := re.fullmatch(p, question)))
    return next((solution for solution in named if solution is not None), None)


def _same_things(story: _Story, asked: str | None) -> bool:
    if not asked:
        return True
    known = [name for name in (story.things, story.group) if name]
    unit = story.whole.unit
    money = unit in ("£", "$", "€") and asked in ("money", "cash")
    return any(same_thing(asked, name) for name in known) or money or bool(unit) and asked == unit


def _named(story: _Story, amounts: list[tuple[Fraction, str]], asked: re.Match) -> Solution | None:
    groups = asked.groupdict()
    predicates = [part.predicate for part in story.parts]
    if any(part.taking for part in story.parts):
        return None
    if groups.get("neither"):
        if len(story.parts) < 2 or story.parts[-1].rest or not _same_things(story, groups.get("things")):
            return None
        named = {_bare(groups[name]) for name in ("one", "other") if groups.get(name)}
        if named and named != {_bare(predicate) for predicate in predicates}:
            return None  # "neither red nor green" when the story counts red and blue
        return _rest(story, amounts, "those who chose neither")
    wanted, things = groups.get("predicate"), groups.get("things")
    if wanted in (None, "there"):  # "how many girls are there": the kind is the noun asked for
        if groups.get("group") and not same_thing(groups["group"], story.group or story.things):
            return None
        wanted = _kind_asked(story, things)
    elif things and not _same_things(story, things):
        return None
    if wanted is None:
        return None
    wanted = _bare(wanted)
    matching = [index for index, predicate in enumerate(predicates) if _bare(predicate) == wanted]
    if groups.get("negated"):
        if len(story.parts) != 1 or matching != [0]:
            return None
        return _rest(story, amounts, f"those who {groups['negated'].strip()} {wanted}")
    if len(matching) == 1:
        index = matching[0]
        if story.parts[index].rest:
            return _rest(story, amounts, f"the {wanted}")
        return _one(story, amounts[index], f"the number {wanted}")
    if not matching and len(story.parts) == 1 and frozenset((_bare(predicates[0]), wanted)) in _PAIRS:
        return _rest(story, amounts, f"the {wanted}")
    return None


def _kind_asked(story: _Story, things: str) -> str | None:
    """"girls" of a class of pupils, "white" of "white sheep" in a flock of sheep; None for the whole."""
    if singular(things) in {singular(name) for name in (story.things, story.group) if name}:
        return None
    kind = re.fullmatch(rf"(?P<kind>{WORD}) (?P<noun>{NOUN})", things)
    if kind is not None and _same_things(story, kind["noun"]):
        return kind["kind"]
    return things


def _bare(predicate: str) -> str:
    """"are girls" and "girls", "play football" and "played football" are one predicate."""
    words = re.sub(rf"^{_BE} ", "", predicate).split()
    return " ".join([verb_stem(words[0]), *words[1:]]) if words else ""


def _one(story: _Story, amount: tuple[Fraction, str], answer: str) -> Solution:
    value, text = amount
    given = _given(story)
    return worked(text, [f"The whole is {story.whole.shown()}"], answer, given, story.whole.unit)


def _rest(story: _Story, amounts: list[tuple[Fraction, str]], answer: str) -> Solution | None:
    decimal = _decimal(story)
    shown = [number_text(value, decimal) for value, _ in amounts]
    setup = [f"The whole is {story.whole.shown()}",
             *(f"{text} = {value}" for (_, text), value in zip(amounts, shown) if text != value)]
    calculation = " - ".join([story.whole.text, *shown])
    return worked(calculation, setup, answer, _given(story), story.whole.unit)


def _as_share(story: _Story, amounts: list[tuple[Fraction, str]], predicate: str, form: str) -> Solution | None:
    """"In a box of 60 pencils, 45 are sharpened. What percentage are sharpened?" -> 45 ÷ 60 as a percentage;
    "... What percentage are blunt?" of "45 are sharp" -> (60 - 45) ÷ 60."""
    if len(story.parts) != 1 or story.whole.unit:
        return None
    part, wanted = story.parts[0], _bare(predicate)
    if part.taken is None or part.taking:
        return None  # a share the story states already, or an amount taken away
    count, whole = part.taken.text, story.whole.text
    if _bare(part.predicate) == wanted:
        setup, calculation = [f"{count} out of {whole} as a fraction: {count}/{whole}"], f"{count} ÷ {whole}"
    elif frozenset((_bare(part.predicate), wanted)) in _PAIRS:
        setup = [f"The {wanted} are the rest: {whole} - {count}", f"As a fraction of {whole}: ({whole} - {count})/{whole}"]
        calculation = f"({whole} - {count}) ÷ {whole}"
    else:
        return None
    solution = worked(calculation, setup, f"the {'percentage' if form == '%' else 'fraction'}", _given(story))
    return honoured(solution, Instructions(form="percent" if form == "%" else "fraction"))


def _given(story: _Story) -> tuple[Fraction, ...]:
    given = [story.whole.value]
    for part in story.parts:
        if part.taken is not None:
            given.append(part.taken.value)
        elif part.share is not None:
            given.append(literal_value(part.share))
    return tuple(given)
