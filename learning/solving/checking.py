"""Checking a tutor's answer against an exact solution, after (or while) it is generated (pure).

Two kinds of claim are read from the answer, each with its character offsets:

- every equation it states between two calculations ("9/12 + 10/12 = 19/12", "3 × 4 = 12"), checked by
  evaluating both sides with the solver's own exact parser. A side that touches a word ("3x = 15",
  "1 m = 100 cm") is algebra or units, not arithmetic, and is not judged;
- the result it states: the number after its last "the answer is", else its last number that is neither
  an operand of a calculation, nor a restatement of the question's numbers, nor what is left beside the
  result ("6 glasses, with 200 ml left over"). Equal values in any form
  agree (19/12, 1 7/12, \\frac{19}{12}, 1.58 rounded to two or more places).

A wrong equation or a wrong result makes the answer ``contradicts``, with the offending spans, so a
streaming layer can hold them back; an answer with no result and no wrong equation is ``no_result``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from math import gcd
from typing import Literal

from learning.solving.algebra import POLYNOMIAL_PATTERN, NotAPolynomial, polynomial_coefficients
from learning.solving.expression import NotACalculation, Token, evaluate, parse, tokenize
from learning.solving.numbers import OutOfBounds
from learning.solving.solution import Solution

MAX_ANSWER_CHARS = 20_000
_CALCULATION_KINDS = ("number", "operator", "open", "close", "root")
_MARKER = re.compile(r"(?:answer|result|total|sum|product|difference|quotient)\s*(?:is|=|:|would be|will be)"
                     r"|so\s+(?:it'?s|it\s+is)|\bequals\b", re.IGNORECASE)
_NOT_RESULTS = {"step", "steps", "line", "part", "question", "example", "number", "no"}
_LEFTOVER_JOINS = {"with", "and", "plus"}
_LEFTOVER_WORDS = {"left", "leftover", "remaining", "spare", "over"}
_APPROXIMATE = re.compile(r"(?:≈|\\approx|about|approximately|roughly|around)\s*$", re.IGNORECASE)
_BIGGER_WORDS = r"bigger|larger|greater|more|higher"
_SMALLER_WORDS = r"smaller|less|lesser|lower"


@dataclass(frozen=True)
class Claim:
    text: str
    start: int
    end: int
    holds: bool


@dataclass(frozen=True)
class Check:
    status: Literal["agrees", "contradicts", "no_result"]
    result: Claim | None  # the result the answer states, judged against the solution
    equations: tuple[Claim, ...]  # every equation between calculations it states, each judged

    @property
    def failed(self) -> tuple[Claim, ...]:
        claims = (*self.equations, *([self.result] if self.result else []))
        return tuple(claim for claim in claims if not claim.holds)

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        """Offsets of the failed claims in the answer text, in order."""
        return tuple(sorted((claim.start, claim.end) for claim in self.failed))


def check_answer(solution: Solution, answer_text: str) -> Check:
    """Judge ``answer_text`` against ``solution``: its stated equations and its stated result."""
    text = answer_text[:MAX_ANSWER_CHARS]
    tokens = _merge_worded_mixed_numbers(tokenize(text))
    equations = tuple(_equation_claims(tokens, text))
    result = _result_claim(solution, tokens, text)
    if any(not claim.holds for claim in equations) or (result is not None and not result.holds):
        status = "contradicts"
    else:
        status = "no_result" if result is None else "agrees"
    return Check(status, result, equations)


def _merge_worded_mixed_numbers(tokens: list[Token]) -> list[Token]:
    """"1 and 7/12" is the mixed number 1 7/12 (but "add 1 and 1/2" is not)."""
    merged: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if (index + 2 < len(tokens) and token.form == "integer" and tokens[index + 1].text.lower() == "and"
                and tokens[index + 2].form == "fraction" and 0 < tokens[index + 2].value < 1
                and not (merged and merged[-1].kind == "word" and merged[-1].text.lower() in ("add", "between", "of"))
                and token.value is not None):
            last = tokens[index + 2]
            merged.append(Token("number", f"{token.text} {last.text}", token.start, last.end,
                                token.value + last.value, "mixed"))
            index += 3
            continue
        merged.append(token)
        index += 1
    return merged


def _equation_claims(tokens: list[Token], text: str) -> list[Claim]:
    claims = []
    for index, token in enumerate(tokens):
        if token.kind != "equals":
            continue
        left = _side(tokens, index, -1, text)
        right = _side(tokens, index, +1, text)
        if left is None or right is None:
            continue
        try:
            left_value = evaluate(parse(tokens[left[0]:left[1]]))
            right_value = evaluate(parse(tokens[right[0]:right[1]]))
        except (NotACalculation, OutOfBounds, ZeroDivisionError):
            continue
        start, end = tokens[left[0]].start, tokens[right[1] - 1].end
        right_tokens = tokens[right[0]:right[1]]
        holds = left_value == right_value or _approximately(right_tokens, right_value, left_value, text,
                                                            approximate=token.text == "≈")
        claims.append(Claim(text[start:end], start, end, holds))
    return claims


def _side(tokens: list[Token], equals: int, direction: int, text: str) -> tuple[int, int] | None:
    """The token range of one side of the equation at ``equals`` (never across a line break); None when it
    is no plain calculation."""
    index = equals + direction
    while (0 <= index < len(tokens) and tokens[index].kind in _CALCULATION_KINDS
           and not _line_break_between(tokens[index - direction], tokens[index], text)):
        index += direction
    start, end = (index + 1, equals) if direction < 0 else (equals + 1, index)
    if start >= end:
        return None
    edge = tokens[start] if direction < 0 else tokens[end - 1]
    if edge.kind == "operator" and not (direction < 0 and edge.text == "-"):
        return None  # "3x + 5 = 20": the left side starts inside an algebraic term
    outside = tokens[index] if 0 <= index < len(tokens) else None
    if outside is not None and outside.kind == "word":
        touching = outside.end == edge.start if direction < 0 else edge.end == outside.start
        remainder = outside.text.lower() in ("remainder", "rem")
        if touching or len(outside.text) == 1 or edge.kind == "operator" or remainder:
            return None  # algebra ("3x = 15"), or a division with remainder ("19 ÷ 12 = 1 remainder 7")
    return start, end


def _line_break_between(one: Token, other: Token, text: str) -> bool:
    first, second = (one, other) if one.start < other.start else (other, one)
    return "\n" in text[first.end:second.start]


def _approximately(tokens: list[Token], stated: Fraction, exact: Fraction, text: str, approximate: bool) -> bool:
    """A decimal to two or more places (or any decimal marked as approximate) that rounds or truncates
    the exact value."""
    if len(tokens) != 1 or tokens[0].form not in ("decimal", "percent"):
        return False
    written = tokens[0].text.rstrip("% ")
    elided = written.endswith(("...", "…"))  # "66.667...%": the ellipsis sits before the percent sign
    written = written.removesuffix("...").removesuffix("…")
    places = len(written.split(".")[1]) if "." in written else 0
    if tokens[0].form == "percent":
        places += 2
    truncated = elided or text[tokens[0].end:tokens[0].end + 3].startswith(("...", "…"))
    approximate = approximate or truncated or bool(
        _APPROXIMATE.search(text[max(0, tokens[0].start - 16):tokens[0].start]))
    if places < 2 and not (approximate and places >= 1):
        return False
    unit = Fraction(1, 10**places)
    if abs(exact - stated) <= unit / 2:
        return True  # rounded
    return truncated and 0 <= abs(exact) - abs(stated) < unit and (exact < 0) == (stated < 0)


def _result_claim(solution: Solution, tokens: list[Token], text: str) -> Claim | None:
    if solution.kind == "derivative":
        return _derivative_claim(solution, text)
    if solution.kind == "compare":
        return _comparison_claim(solution, tokens, text)
    if solution.kind == "order":
        return _order_claim(solution, tokens, text)
    candidates = _result_candidates(tokens, solution, text)
    if not candidates:
        return None
    marker_ends = [match.end() for match in _MARKER.finditer(text)]
    after_marker = [c for c in candidates if marker_ends and c[0].start >= marker_ends[-1]
                    and c[0].start - marker_ends[-1] < 60]
    token, value = after_marker[0] if after_marker else candidates[-1]
    holds = _matches(solution, token, value, text)
    return Claim(text[token.start:token.end], token.start, token.end, holds)


def _result_candidates(tokens: list[Token], solution: Solution, text: str) -> list[tuple[Token, Fraction]]:
    """Numbers that could be the stated result, with their sign: not operands, not step numbers."""
    candidates = []
    for index, token in enumerate(tokens):
        if token.kind != "number" or token.value is None:
            continue
        before = tokens[index - 1] if index else None
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        value = token.value
        if before is not None and before.kind == "operator":
            earlier = tokens[index - 2] if index >= 2 else None
            if before.text != "-" or (earlier is not None and earlier.kind in ("number", "close")):
                continue  # an operand of a calculation
            value = -value
            token = Token("number", text[before.start:token.end], before.start, token.end, value, token.form)
        if after is not None and after.kind in ("operator", "equals") and not _of_a_thing(tokens, index + 1):
            continue
        if before is not None and before.kind == "word" and before.text.lower() in _NOT_RESULTS:
            continue
        leftover = _stated_as_leftover(tokens, index) and value != solution.value
        candidates.append((token, value, leftover))
    # Restating the question's numbers is not answering it, unless the result is one of them ("5 × 1").
    candidates = [c for c in candidates if c[1] not in solution.given or c[1] == solution.value]
    # "6 glasses, with 200 ml left over": what is left beside a result is not the result, unless it is all the
    # answer states.
    results = [c for c in candidates if not c[2]] or candidates
    return [(token, value) for token, value, _ in results]


def _stated_as_leftover(tokens: list[Token], index: int) -> bool:
    """Whether the number at ``index`` is what is left beside a result: "with 200 ml left over", "and 2
    remaining", "remainder 2"."""
    before = [token.text.lower() for token in tokens[max(0, index - 2):index]]
    if before[-1:] in (["remainder"], ["r"]) or before == ["remainder", "of"]:
        return True
    if not before or before[-1] not in _LEFTOVER_JOINS:
        return False
    for token in tokens[index + 1:index + 4]:
        if token.kind != "word":
            return False
        if token.text.lower() in _LEFTOVER_WORDS:
            return True
    return False


def _of_a_thing(tokens: list[Token], of: int) -> bool:
    """Whether tokens from ``of`` are "of a pizza." ending a sentence: the number before is a result stated as
    a part of a thing ("each friend gets 3/4 of a pizza."), not an operand ("3/4 of 12 = 9")."""
    rest = tokens[of + 1:of + 5]
    if tokens[of].text != "of" or not rest or rest[0].kind != "word" or rest[0].text.lower() not in ("a", "an", "the"):
        return False
    words = 1
    while words < len(rest) and rest[words].kind == "word":
        words += 1
    ends = words == len(rest) and of + 1 + words == len(tokens) or (
        words < len(rest) and rest[words].kind == "other" and rest[words].text in ".!;")
    return 2 <= words <= 3 and ends


def _matches(solution: Solution, token: Token, value: Fraction, text: str) -> bool:
    targets = {solution.value} if solution.value is not None else set()
    for form in solution.accepted_forms:
        targets.update(t.value for t in tokenize(form) if t.kind == "number" and t.value is not None
                       and t.text == form.strip())
    written = [int(part) for part in re.findall(r"\d+", token.text)]
    if solution.kind == "simplify" and token.form == "fraction" and len(written) == 2 and gcd(*written) != 1:
        return False  # the right value, but not in lowest terms as asked
    if value in targets:
        return True
    return any(_approximately([token], value, target, text, approximate=False) for target in targets)


def _derivative_claim(solution: Solution, text: str) -> Claim | None:
    """The last polynomial the answer states after "=", "is" or ":"."""
    expected = polynomial_coefficients(solution.result_text, solution.variable)
    claim = None
    for match in re.finditer(rf"(?:=|\bis\b|:)\s*{POLYNOMIAL_PATTERN}", text, re.IGNORECASE):
        stated = match.group(1).rstrip(" .").lower()
        stated_text = stated.strip()
        if not re.search(r"[\d" + solution.variable + "]", stated_text):
            continue
        try:
            coefficients = polynomial_coefficients(stated_text, solution.variable)
        except NotAPolynomial:
            continue
        start = match.start(1) + (len(stated) - len(stated.lstrip()))
        claim = Claim(text[start:start + len(stated_text)], start, start + len(stated_text),
                      _trimmed(coefficients) == _trimmed(expected))
    return claim


def _trimmed(coefficients: list[Fraction]) -> list[Fraction]:
    while len(coefficients) > 1 and coefficients[-1] == 0:
        coefficients = coefficients[:-1]
    return coefficients


def _comparison_claim(solution: Solution, tokens: list[Token], text: str) -> Claim | None:
    """"5/8 is bigger than 3/5" (or "3/5 < 5/8") is judged as a statement; else the last option named."""
    number = r"(\S+(?: \d+/\d+)?)"
    statement = None
    pattern = (rf"{number}\s+(?:is|are)\s+(?:a\s+bit\s+|slightly\s+|much\s+)?({_BIGGER_WORDS}|{_SMALLER_WORDS})"
               rf"\s+than\s+{number}")
    for match in re.finditer(pattern, text, re.IGNORECASE):
        statement = match
    options = [(token, token.value) for token in tokens if token.kind == "number" and token.value in solution.given]
    if statement is not None:
        left, right = _value_of(statement.group(1)), _value_of(statement.group(3))
        if left is not None and right is not None:
            says_bigger = re.fullmatch(_BIGGER_WORDS, statement.group(2).lower()) is not None
            holds = left > right if says_bigger else left < right
            return Claim(statement.group(), statement.start(), statement.end(), holds)
    if not options:
        return None
    token, value = options[-1]
    return Claim(token.text, token.start, token.end, value == solution.value)


def _value_of(text: str) -> Fraction | None:
    numbers = [t for t in tokenize(text) if t.kind == "number" and t.value is not None]
    return numbers[0].value if len(numbers) == 1 else None


def _order_claim(solution: Solution, tokens: list[Token], text: str) -> Claim | None:
    """The last run of the options, each named once, in the order the answer lists them."""
    options = [(token, token.value) for token in tokens if token.kind == "number" and token.value in solution.given]
    size = len(solution.ordered)
    for start in range(len(options) - size, -1, -1):
        window = options[start:start + size]
        values = tuple(value for _, value in window)
        if len(set(values)) == size:
            first, last = window[0][0], window[-1][0]
            between = text[first.start:last.end]
            holds = values == solution.ordered or (values == solution.ordered[::-1] and ">" in between)
            return Claim(between, first.start, last.end, holds)
    return None


_HELD_CHARS = set("0123456789.,/⁄+-−×*·÷^=≈()%{}\\ \t½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞√∛")
_LATEX_TAIL = re.compile(r"\\[a-z]*\{?[\d{}]*$")


def result_span_start(text_so_far: str) -> int | None:
    """Where a numeric claim that may still be growing begins in a partial answer, or None.

    A streaming layer may send ``text_so_far[:offset]`` and hold back the rest until more tokens arrive:
    the tail that is a run of digits, operators, "=", spaces and LaTeX pieces ("... so 9/12 + 10/1") could
    still turn into a different number or equation. Once a word or line break follows, the claim is
    complete and ``check_answer`` can judge it.
    """
    end = len(text_so_far)
    start = end
    while start > 0 and text_so_far[start - 1] in _HELD_CHARS:
        start -= 1
    if (latex := _LATEX_TAIL.search(text_so_far)) and latex.start() < start:
        start = latex.start()
    tail = text_so_far[start:]
    if not re.search(r"[\d=≈\\½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞√∛]", tail):
        return None
    while start < end and text_so_far[start] in " \t.,":
        start += 1
    return start
