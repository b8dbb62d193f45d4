"""What every word-problem recogniser shares: a story split into its statement and its question, slots for
the names and things a story mentions, quantities with their units, and the worked solution (pure).

A slot matches only ordinary words: never a number, and never a word that changes what is calculated
("and", "than", "twice", "each", "left", "more", ...). Each family fully matches its statement and its
question, so a clause it does not understand ("but Tom gets twice as much") leaves the story unmatched.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from fractions import Fraction

from learning.solving.expression import evaluate, parse, tokenize
from learning.solving.numbers import literal_value, terminates
from learning.solving.solution import Solution, numeric_solution
from learning.solving.units import UNIT_NAMES, convert_amount, unit_ratio
from learning.solving.working import calculation_steps, prefers_decimals, render

_STOP = """and but or then than twice double half more less fewer each every per of is are was were be has have had
get gets got left rest remaining remainder what how many much times another also extra share shares shared cut
into equal equally by in on at for from to with sells sold spends spent gives gave uses used costs cost reduced
increased sale apart altogether total together if when who which where why does do did can will would its his
her their them it they he she we you i this that these those all some none no not long""".split()
WORD = rf"(?!(?:{'|'.join(_STOP)})\b)[a-z]+(?:-[a-z]+)*(?:'s)?"
NOUN = rf"{WORD}(?: {WORD}){{0,2}}"
SUBJECT = rf"(?:(?:a|an|the|my|his|her|their|our) )?{NOUN}"
PRONOUN = r"(?:he|she|they|it|we|you|i)"
AMOUNT = r"(?<![\d/.])(?:\d+ \d+/\d+|\d+/\d+|\d+(?:\.\d+)?)(?![\d/%]|\.\d)"
_UNIT = "(?:" + "|".join(sorted([*UNIT_NAMES, "p", "pence"], key=len, reverse=True)) + r")(?![a-z])"
# Money named in words, as the sign or unit a story writes it with.
_MONEY_NAMES = {"pound": "£", "pounds": "£", "dollar": "$", "dollars": "$", "euro": "€", "euros": "€", "pence": "p"}
_ASKED_UNIT = "(?:" + "|".join(sorted([*UNIT_NAMES, *_MONEY_NAMES, "p"], key=len, reverse=True)) + r")(?![a-z])"
_QUESTION_WORD = r"(?:how|what|what's|which) "
ALTOGETHER = r"(?: (?:altogether|in total|in all|all together|together))"


def quantity(name: str) -> str:
    """A number with an optional currency sign before it and unit after it, in groups named after ``name``."""
    return rf"(?P<{name}_money>[£$€])?(?P<{name}>{AMOUNT})(?:[ -]?(?P<{name}_unit>{_UNIT}))?"


@dataclass(frozen=True)
class Quantity:
    text: str  # the number as written
    value: Fraction
    unit: str  # "£", "kg", or "" for a bare number

    def shown(self, text: str | None = None) -> str:
        number = self.text if text is None else text
        if self.unit in ("£", "$", "€"):
            number = re.sub(r"(?<=\.\d)$", "0", number)  # £28.4 is written £28.40
            return f"{self.unit}{number}"
        return f"{number} {self.unit}" if self.unit else number


def quantity_in(match: re.Match, name: str) -> Quantity:
    unit = match[f"{name}_money"] or match[f"{name}_unit"] or ""
    return Quantity(match[name], literal_value(match[name]), unit)


def split_story(text: str) -> tuple[str, str] | None:
    """The statement (its sentences joined by ". ") and the question, without end punctuation; None unless
    the story has a statement and ends with one question."""
    text = without_pronoun_one(text)
    sentences = [part.strip() for part in re.split(r"(?<=[.!?])\s+(?=\S)", text.strip()) if part.strip()]
    if sentences and "?" not in text and re.match(_QUESTION_WORD, sentences[-1]):
        sentences[-1] += "?"  # a question typed without its question mark
    if len(sentences) == 1 and (asked := re.fullmatch(rf"(?:if )?(?P<told>[^,?]+), (?P<asked>{_QUESTION_WORD}[^,]+\?)",
                                                       sentences[0])):
        sentences = [asked["told"], asked["asked"]]  # "if 3 pens cost $4, how much do 7 cost?"
    if len(sentences) < 2 or not sentences[-1].endswith("?") or any("?" in part for part in sentences[:-1]):
        return None
    statement = ". ".join(part.rstrip(".!").strip() for part in sentences[:-1])
    return statement, sentences[-1].rstrip("?").strip()


def in_plain_amounts(text: str) -> str:
    """Amounts as the families read them: "3/4 of a litre" -> "3/4 litre" (a fraction of one unit is an amount),
    "40 pounds" -> "£40", "45 pence" -> "45p", "80 km/h" and "80 kph" -> "80 km per hour"."""
    text = re.sub(rf"(?<![\d/.])(\d+/\d+) of an? (?={_UNIT})", r"\1 ", text)
    text = re.sub(r"(?<![\d/.£$€])(\d+(?:\.\d+)?) (pounds|dollars|euros)\b",
                  lambda match: _MONEY_NAMES[match[2]] + match[1], text)
    text = re.sub(r"(?<=\d) pence\b", "p", text)
    return re.sub(r"\b(km|m|miles|mi)(?:/h| ?ph)\b", r"\1 per hour", text).replace(" mph", " miles per hour")


def numbers_in(text: str) -> int:
    """How many numbers the text states ("2 1/4" and "25%" are one each)."""
    return sum(token.kind == "number" for token in tokenize(without_pronoun_one(text)))


def without_pronoun_one(text: str) -> str:
    """"each 1 get" back to "each one get": normalising made a number of a pronoun."""
    return re.sub(r"\b(each|every|which) 1(?= (?:get|gets|have|has|receive|receives)\b)", r"\1 one", text)


def singular(noun: str) -> str:
    """"pupils" -> "pupil", "children" -> "child", "boxes" -> "box": enough to tell a story's items apart."""
    irregular = {"children": "child", "people": "person", "men": "man", "women": "woman", "sheep": "sheep",
                 "fish": "fish", "geese": "goose", "mice": "mouse", "teeth": "tooth", "feet": "foot"}
    last = noun.split()[-1]
    if last in irregular:
        word = irregular[last]
    elif re.search(r"(?:ch|sh|x|ss|[^aeiou]us)es$", last):  # "boxes", "buses" (but "houses" below)
        word = last[:-2]
    elif last.endswith("ves"):
        word = last[:-3] + "f"
    elif last.endswith("ies"):
        word = last[:-3] + "y"
    elif last.endswith("s") and not last.endswith(("ss", "us")):  # "bus" is one bus
        word = last[:-1]
    else:
        word = last
    return " ".join([*noun.split()[:-1], word])


_IRREGULAR = {"ate": "eat", "drank": "drink", "gave": "give", "sold": "sell", "spent": "spend", "lost": "lose",
              "kept": "keep", "took": "take", "paid": "pay", "chose": "choose", "got": "get", "ran": "run",
              "driven": "drive", "done": "do", "swum": "swim", "flown": "fly", "run": "run", "read": "read",
              "cut": "cut", "had": "have", "has": "have", "does": "do", "did": "do", "made": "make", "saw": "see",
              "rode": "ride", "ridden": "ride", "went": "go", "drove": "drive", "flew": "fly", "swam": "swim", "held": "hold",
              "broke": "break", "broken": "break", "fell": "fall", "fallen": "fall", "stole": "steal", "stolen": "steal",
              "eaten": "eat", "drunk": "drink", "given": "give", "taken": "take", "won": "win"}


def verb_stem(verb: str) -> str:
    """"gives away" and "gave away", "picked" and "picks": one stem, enough to tell whether two verbs are one."""
    first, *rest = verb.split()
    first = _IRREGULAR.get(first, first)
    first = re.sub(r"(?<=[^aeiou])ie[sd]$", "y", first)
    first = re.sub(r"(?<=..)(?:ed|es|s)$", "", first) if not first.endswith("ss") else first
    first = re.sub(r"(?<=..)e$", "", first)
    return " ".join([first, *rest])


def plural(noun: str) -> str:
    """"box" -> "boxes", "lorry" -> "lorries", "pot" -> "pots": how a working step counts them."""
    if re.search(r"(?:ch|sh|x|s|z)$", noun):
        return noun + "es"
    return noun[:-1] + "ies" if re.search(r"[^aeiou]y$", noun) else noun + "s"


def worked(calculation: str, setup: list[str], answer: str, given: tuple[Fraction, ...],
           unit: str = "") -> Solution:
    """The solution of ``calculation`` ("2 1/4 ÷ 3"), after ``setup`` (the story as a calculation, in
    words); ``answer`` ends the final line ("each friend's share"); ``unit`` is the result's unit, and the
    result written with it ("£300", "0.4 m") joins the accepted forms, where ``result_unit`` finds it."""
    node = parse(tokenize(calculation))
    value = evaluate(node)
    decimal = prefers_decimals(node) or unit in ("£", "$", "€") and terminates(value)  # money in pounds and pence
    solution = numeric_solution("arithmetic", value, [*setup, *calculation_steps(node)], render(node, decimal),
                                given, decimal)
    result = Quantity(solution.result_text, value, unit).shown()
    extra = (result,) if result != solution.result_text else ()
    return replace(solution, accepted_forms=(*solution.accepted_forms, *extra),
                   final_answer=f"{solution.final_answer[:-1]}, so {answer} is {result}.")


def same_thing(first: str, second: str) -> bool:
    """Whether two nouns name one thing: "pizzas" and "pizza", or "pocket money" and its head "money" (but
    not "pocket money" and "birthday money")."""
    first_words, second_words = singular(first).split(), singular(second).split()
    shorter, longer = sorted((first_words, second_words), key=len)
    return longer[len(longer) - len(shorter):] == shorter


def without_asked_unit(question: str) -> tuple[str, str | None] | None:
    """The question without the unit it asks for, and that unit (None when it names none): "how long is each
    piece in metres" -> ("how long is each piece", "metres"); "how many metres of ribbon are left" ->
    ("how much ribbon are left", "metres"). None when it names two different units."""
    units: list[str] = []

    def counted(match: re.Match) -> str:
        units.append(match["unit"])
        asked = f"how much {match['more'] or ''}".rstrip()
        return f"{asked} {match['thing']}" if match["thing"] else asked

    def named_last(match: re.Match) -> str:
        units.append(match["unit"])
        return ""

    question = re.sub(rf"^how many (?P<more>more )?(?P<unit>{_ASKED_UNIT})(?: of (?:(?:the|his|her|their|its) )?(?P<thing>{NOUN}))?"
                      rf"(?= )", counted, question)
    question = re.sub(rf",? in (?P<unit>{_ASKED_UNIT})$", named_last, question)
    if len({_MONEY_NAMES.get(unit, unit) for unit in units}) > 1:
        return None
    return question, units[0] if units else None


def in_asked_unit(solution: Solution, asked: str | None) -> Solution | None:
    """``solution`` in the unit its question asks for: as it is when that is the unit of its result, converted
    exactly when one unit is a whole number of the other (m and cm, hours and minutes, not km and miles,
    whose result no student would write exactly), and None otherwise."""
    if asked is None:
        return solution
    unit, wanted = result_unit(solution), _MONEY_NAMES.get(asked, asked)
    ratio = unit_ratio(unit, wanted) if unit != wanted else Fraction(1)
    if ratio is None or 1 not in (ratio.denominator, ratio.numerator):
        return None
    if ratio == 1:
        return solution
    conversion = convert_amount(solution.value, unit, wanted)
    return replace(solution, value=conversion.value, result_text=conversion.result_text,
                   accepted_forms=conversion.accepted_forms, steps=(*solution.steps, *conversion.steps),
                   final_answer=f"{solution.final_answer} In {asked}: {conversion.final_answer}")


def result_unit(solution: Solution) -> str:
    """The unit ``worked`` states the result in ("£", "kg"), or "" for a bare number."""
    for form in solution.accepted_forms:
        if form[:1] in ("£", "$", "€") and form == Quantity(solution.result_text, solution.value, form[0]).shown():
            return form[0]
        number, _, unit = form.partition(" ")
        if number == solution.result_text and re.fullmatch(_UNIT, unit):
            return _MONEY_NAMES.get(unit, unit)
    return ""
