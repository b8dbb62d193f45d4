"""Turning a student's words into symbols before parsing: "five plus seven" -> "5 + 7", "three
quarters of 60" -> "3/4 of 60", "add 1/3 and 1/4" -> "1/3 + 1/4" (pure).

Only common, unambiguous phrasings are rewritten; anything else is left alone, and the solver then
declines the question rather than guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
          "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1000}
_NUMBER_WORDS = {word: value for value, word in enumerate(_UNITS)} | _TENS
_DENOMINATORS = {"half": 2, "halves": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "sixth": 6,
                 "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "twelfth": 12, "hundredth": 100}
_FRACTION_WORD = "(" + "|".join(sorted(_DENOMINATORS, key=len, reverse=True)) + ")s?"
MONEY = r"[£$€]"  # a currency sign before an amount
NUMBER = r"-?(?:\d+ \d+/\d+|\d+/\d+|\d+(?:\.\d+)?%?|\.\d+%?)"  # a literal after normalising

_PHRASES = [
    (r"\bper ?cent(age)?\b", "%"),
    (r"(?<=\d) (?=%)", ""),
    (rf"\bhow many times (?:does|do|will|can|would) ({NUMBER}) (?:go|fit) into ({NUMBER})(?![\d/.])", r"\2 ÷ \1"),
    (r"\bsquared\b", "^2"),
    (r"\bcubed\b", "^3"),
    (r"\b(?:raised )?to the power of\s+", "^"),
    (r"\b(?:raised )?to the (\d+)(?:st|nd|rd|th)? power\b", r"^\1"),
    (r"\bsquare root of\b|\bsqrt\b", "√"),
    (r"\bcube root of\b", "∛"),
    (r"\bplus\b", "+"),
    (r"\bminus\b|\btake away\b", "-"),
    (r"\btimes\b|\bmultiplied by\b", "×"),
    (r"(?<![\d/.])(\d+) over (\d+)(?![\d/.])", r"\1/\2"),  # "9 over 12" is the fraction 9/12
    (r"\bdivided by\b|\bover\b(?= \d)", "÷"),
    (r"(?<=[\d)]) x (?=[\d(])", " × "),
    (rf"\bhow many ({NUMBER})'?s (?:are |go |fit )?(?:there )?(?:in|into) ({NUMBER})(?![\d/.])", r"\2 ÷ \1"),
    (r"\bwhat % (?:is|are) (\d+/\d+|\d*\.\d+)(?=\s*[?.!]*\s*$)", r"\1 as a %"),
    (rf"\badd ({NUMBER}) (?:and|to) ({NUMBER})\b", r"\1 + \2"),
    (rf"\b(?:subtract|take) ({NUMBER}) from ({NUMBER})\b", r"\2 - \1"),
    (rf"\bmultiply ({NUMBER}) (?:by|and) ({NUMBER})\b", r"\1 × \2"),
    (rf"\bdivide ({NUMBER}) by ({NUMBER})\b", r"\1 ÷ \2"),
    (rf"\b(?:the )?sum of ({NUMBER}) and ({NUMBER})\b", r"\1 + \2"),
    (rf"\b(?:the )?product of ({NUMBER}) and ({NUMBER})\b", r"\1 × \2"),
    (rf"\b(?:the )?difference (?:between|of) ({NUMBER}) and ({NUMBER})\b", r"\1 - \2"),
    (rf"\b(?:the )?quotient of ({NUMBER}) and ({NUMBER})\b", r"\1 ÷ \2"),
]


def normalise(question: str) -> str:
    """Lower case, one kind of minus and space, number words as digits, operator words as symbols."""
    text = question.lower().replace("−", "-").replace("–", "-").replace("’", "'").replace("²", "^2").replace("³", "^3")
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = _number_words(text)
    text = _fraction_words(text)
    for pattern, replacement in _PHRASES:
        text = re.sub(pattern, replacement, text)
    return _mixed_numbers_beside_operators(text)


def _mixed_numbers_beside_operators(text: str) -> str:
    """"3 and 1/2 + 2 and 3/4" -> "3 1/2 + 2 3/4": "and" joins a whole number to a proper fraction only next to
    an operator (after the operator words became symbols), so "add 3 and 1/2" keeps meaning 3 + 1/2."""
    def mixed(match: re.Match) -> str:
        whole, numerator, denominator = match.groups()
        if int(numerator) >= int(denominator):
            return match.group()
        return f"{whole} {numerator}/{denominator}"

    whole_and_fraction = r"(?<![\d/.])(\d+) and (\d+)/(\d+)(?![\d/.])"
    text = re.sub(rf"{whole_and_fraction}(?= ?[-+×÷])", mixed, text)
    return re.sub(rf"(?<=[-+×÷] ){whole_and_fraction}", mixed, text)


def _number_words(text: str) -> str:
    """"twenty-five" -> "25", "one hundred and five" -> "105"; "one" alone before a fraction word stays
    a digit too, so "one third" becomes "1 third" for the next step."""
    words = r"(?:" + "|".join(sorted(list(_NUMBER_WORDS) + list(_SCALES), key=len, reverse=True)) + r")"
    run = re.compile(rf"\b{words}(?:(?:[ -]|(?:(?<=hundred)|(?<=thousand)) and )(?={words}\b){words})*\b")
    return run.sub(lambda match: _run_value(match.group()), text)


def _run_value(run: str) -> str:
    total, current = 0, 0
    for word in re.split(r"[ -]+", run):
        if word == "and":
            continue
        if word in _SCALES:
            current = max(current, 1) * _SCALES[word]
            if word == "thousand":
                total, current = total + current, 0
        else:
            current += _NUMBER_WORDS[word]
    return str(total + current)


def _fraction_words(text: str) -> str:
    """"3 quarters" -> "3/4", "a half" -> "1/2", "half of" -> "1/2 of", "2 and a half" -> "2 1/2"."""
    def fraction(match: re.Match) -> str:
        whole, numerator, word = match.groups()
        numerator = "1" if numerator in ("a", "an") else numerator
        written = f"{numerator}/{_DENOMINATORS[word]}"
        if whole is None:
            return written
        return f"{whole} {written}" if int(numerator) < _DENOMINATORS[word] else f"{whole} and {written}"

    text = re.sub(rf"(?<![\d/.])\b(?:(\d+) and )?(\d+|an?) {_FRACTION_WORD}\b", fraction, text)
    text = re.sub(rf"\bhow many {_FRACTION_WORD}\b", lambda match: f"how many 1/{_DENOMINATORS[match.group(1)]}s", text)
    return re.sub(r"\bhalf (?=of\b)", "1/2 ", text)


# Words a student wraps a calculation in; a question with any other word left over is not (only) a
# calculation, and the solver declines it.
FILLER = frozenset("""
what what's whats is are was the a an answer answers result value to please pls can could would will you u much
help me with work working out find calculate compute evaluate do does did i how we get show steps step by
explain tell give need want know am stuck on this that it for so now then again quick question hi hello hey
thanks thank ok okay exactly equal equals make makes be in as mixed number fraction decimal improper form
its simplest hmm um and of just really actually let's lets us my our homework problem maths math sum if
""".split())
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


# Instructions about how to answer, which say nothing about what to calculate: "Reply with just the answer.",
# "Show your working.", "Give your answer as a decimal." Each must be a whole sentence or clause on its own,
# with no digit, so "write 5 3/8 as an improper fraction" is never taken for one. The form it asks for (if
# any) is returned, so the solution can be stated in it.
_ANSWER_FORM = (r"(?:(?:as|in|in the form of|using) )?(?:an? )?(?:improper fraction|mixed number|fraction|"
                r"decimal|%|whole number|integer|number)s?(?: form)?")
_FORM_WORD = re.compile(r"improper fraction|mixed number|fraction|decimal|%|whole number|integer")
_SIZE_WORD = re.compile(r"\b(?:bigger|larger|greater|smaller)\b")
_RESULT_ONLY = re.compile(r"\b(?:just|only)\b|\b(?:no|without)\b")
LOWEST_TERMS = r"(?:(?:in|to) (?:its |their |the )?(?:lowest terms|simplest form)|fully simplified|simplified)"
_OBJECT = (r"(?:(?:just|only) )?(?:the |a |an |your |one )?(?:final )?(?:(?:bigger|larger|greater|smaller) )?"
           r"(?:answer|result|number|value|fraction|decimal|one)s?(?: only)?")
_INSTRUCTION = "|".join([
    rf"(?:reply|respond|answer)(?: (?:only|just))?(?: with| using)? {_OBJECT}",
    rf"(?:reply|respond|answer)(?: (?:only|just))? (?:with|using|in) {_ANSWER_FORM}(?: {LOWEST_TERMS})?",
    rf"(?:give|write|state|leave|express|present|put|enter|type|provide|giving|writing|leaving|expressing)"
    rf"(?: (?:it|them|your answers?|the answers?|your final answer|the result))?(?: only)?"
    rf"(?: {_ANSWER_FORM})?(?: {LOWEST_TERMS})?",
    rf"(?:just )?(?:give|write|state|tell me) {_OBJECT}",
    rf"(?:answer|reply) (?:{LOWEST_TERMS}|{_ANSWER_FORM})",
    rf"simplify(?: your answer| the answer| it)?(?: fully| completely| if possible| where possible| if you can)?",
    r"(?:show|explain|include)(?: all)?(?: of)?(?: your| the)?(?: full)? (?:working|workings|work|steps|method|"
    r"reasoning)(?: out)?(?: clearly)?",
    r"(?:no|without)(?: need (?:for|to show))?(?: any)? (?:explanation|working|workings|steps)(?: needed| required)?",
    r"thanks|thank you|please",
])
_INSTRUCTION_CLAUSE = re.compile(rf"(?:^|(?<=[.?!,;:])|(?<=\d)(?= (?:and|then) ))\s*(?:and |then |please |but )?(?:please )?"
                                 rf"(?:{_INSTRUCTION})(?: please)?\s*(?:[.!]+|(?=[,;:?])|$)")


@dataclass(frozen=True)
class Instructions:
    """What the instructions stripped from a question ask of the answer."""

    form: str | None = None  # fraction, mixed, decimal, percent, whole
    size: str | None = None  # "bigger" or "smaller": the question must be a comparison
    result_only: bool = False  # "reply with just the answer", "no working needed": the result and nothing else


_FORMS = {"improper fraction": "fraction", "fraction": "fraction", "mixed number": "mixed", "decimal": "decimal",
          "%": "percent", "whole number": "whole", "integer": "whole"}


_INLINE_FORM = re.compile(r"\b(?:as|in|into|to) (?:an? )?(improper fraction|mixed number|fraction|decimal|%)(?: form)?"
                          r"(?![\w%])")


def inline_form(leftover: str) -> tuple[str, str | None] | None:
    """The words around a calculation without a form they ask for ("what is 1/3 + 1/4 as a percentage" leaves
    "what is" and "percent"); None when they ask for two different forms."""
    found = set(_INLINE_FORM.findall(leftover))
    if len(found) > 1:
        return None
    if not found:
        return leftover, None
    return _INLINE_FORM.sub(" ", leftover), _FORMS[found.pop()]


def strip_instructions(text: str) -> tuple[str, Instructions]:
    """``text`` (normalised) without its instructions about the answer, and what they ask for; a question
    whose instructions ask for two different forms keeps them, so it is declined."""
    forms, sizes, result_only = set(), set(), []

    def remove(match: re.Match) -> str:
        forms.update(_FORMS[word] for word in _FORM_WORD.findall(match.group()))
        sizes.update("smaller" if word == "smaller" else "bigger" for word in _SIZE_WORD.findall(match.group()))
        result_only.extend(_RESULT_ONLY.findall(match.group()))
        return " "

    stripped = _INSTRUCTION_CLAUSE.sub(remove, text).strip(" ,;:")
    if len(forms) > 1 or len(sizes) > 1 or not stripped:
        return text, Instructions()
    return stripped, Instructions(next(iter(forms), None), next(iter(sizes), None), bool(result_only))


_PLACE_NAMES = {"whole number": 0, "integer": 0, "unit": 0, "tenth": 1, "hundredth": 2, "thousandth": 3}
_ROUNDING = re.compile(r"(?:^|,|\.|;|\band\b)?\s*(?:(?:please )?(?:give|write|leave|state)(?: it| your answer| the answer)? )?"
                       r"(?:rounded |correct |round(?:ing)? (?:it |your answer |the answer )?)?to "
                       r"(?:(\d) ?(?:decimal places?|d\.? ?p\.?s?)|the nearest (whole number|integer|unit|tenth|"
                       r"hundredth|thousandth))\b\.?")


def strip_rounding(text: str) -> tuple[str, int | None]:
    """``text`` (normalised) without its request to round ("to 2 decimal places", "to the nearest tenth",
    "round 2/3 to 2 d.p."), and the number of decimal places asked for; two different requests keep the text,
    so the question is declined."""
    places = {int(digit) if digit else _PLACE_NAMES[name] for digit, name in _ROUNDING.findall(text)}
    if len(places) != 1:
        return text, None
    stripped = _ROUNDING.sub(" ", text)
    stripped = re.sub(r"^\s*round\b", " ", stripped).strip(" ,;:")
    return (stripped, places.pop()) if stripped else (text, None)


def only_filler(text: str, extra: frozenset[str] = frozenset()) -> bool:
    """Whether ``text`` (what is left of a question once its calculation is taken out) says nothing more."""
    if re.search(r"\d", text):
        return False
    return all(word in FILLER or word in extra for word in _WORD.findall(text.lower()))


def match_phrase(pattern: str, text: str, extra: frozenset[str] = frozenset()) -> re.Match | None:
    """The match of ``pattern`` in ``text`` when the rest of ``text`` is only filler."""
    match = re.search(pattern, text)
    if match is None or not only_filler(text[: match.start()] + " " + text[match.end():], extra):
        return None
    return match
