"""Prices changed by percentages or fractions, the price before a change, the percentage change between two
prices, and simple interest (pure).

"A jacket costs $80 and it's 25% off. What's the sale price?" -> 80 - 25% of 80;
"Our meal cost $15 and we want to leave a 20% tip. What's the total we pay?" -> 15 + 20% of 15;
"A bike costs $120. The price is cut by 1/3, and then there's another 10% off the new price." -> two changes;
"In a sale a TV costs £400 after 20% was taken off. What was the price before the sale?" -> 400 ÷ (1 - 20%);
"A shirt was reduced from $40 to $34. What was the percentage discount?" -> (40 - 34) ÷ 40;
"A savings account pays 4% interest a year. How much interest do you get on $650 after one year?" -> 4% of 650.
A second change counts only when the story says it applies to the new price; any clause of another shape
leaves the story unread.
"""
from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction

from learning.solving.answer_form import honoured
from learning.solving.numbers import literal_value, number_text
from learning.solving.percentages import changed_amount
from learning.solving.solution import Solution
from learning.solving.word_problems.story import (PRONOUN, SUBJECT, WORD, Quantity, quantity, quantity_in, same_thing,
                                                  worked)
from learning.solving.wording import Instructions

_RATE = r"(?P<rate>\d+(?:\.\d+)?%|\d+/\d+)"
_PRICE = (rf"(?:(?:the (?:price|cost) of )?(?P<owner>{SUBJECT}|{PRONOUN}) )?(?:(?:normally|usually) )?(?:costs|cost|"
          rf"is priced at|was priced at|is|was|sells for|used to cost|comes to|came to)")
_BASE = rf"(?:in a sale,? )?{_PRICE} {quantity('price')}"
_DOWN = r"(?:reduced|decreased|cut|discounted|marked down|lowered|dropped|went down|goes down|fell|falls)"
_UP = r"(?:increased|raised|went up|goes up|rose|rises|put up|marked up)"
_THEN = r"(?:then |and then |after that,? )?"
_IT = r"(?:(?:the|its|the new|the sale) price|it|the cost|the bill)"
_CHANGES = [  # (pattern, sign)
    (rf"{_THEN}(?:in a sale,? )?(?:{_IT} )?(?:is |was |has been |gets |got )?(?:{_DOWN}) by {_RATE}"
     rf"(?: in (?:a|the) sale)?(?P<new> of the (?:new|sale|reduced) price)?", "-"),
    (rf"{_THEN}(?:{_IT} )?(?:is |was |has been |gets |got )?(?:{_UP}) by {_RATE}(?P<new> of the new price)?", "+"),
    (rf"{_THEN}(?:in (?:a|the) sale,? )?(?:it's |it is |is |was |there's |there is |(?:it's |it is |is )?on sale (?:for|at|with) |(?:the shop|they|the store) (?:has|gives|offers) |with |"
     rf"(?:she|he|they|you|we|i) (?:get|gets|got) )?(?:an? )?(?P<another>another )?{_RATE} "
     rf"(?:off|discount)(?P<new> (?:off )?the (?:new|sale|reduced) price)?(?: in (?:a|the) sale)?", "-"),
    (rf"{_THEN}\+ {_RATE} (?:tax|vat|sales tax|service|service charge)", "+"),
    (rf"{_THEN}(?:there is |there's )?(?:an? )?{_RATE} (?:tax|vat|sales tax|service charge) (?:is )?"
     rf"(?:added|on top|to pay)", "+"),
    (rf"{_THEN}(?:tax|vat|sales tax|a service charge|a tip) of {_RATE} (?:is |was )?(?:added|on top)", "+"),
    (rf"{_THEN}(?:{PRONOUN}|{SUBJECT}) (?:want to |wants to |decide to |decides to |decided to |will )?"
     rf"(?:leave|leaves|left|add|adds|added|give|gives|gave|pay|pays|paid) an? {_RATE} (?:tip|service charge)", "+"),
]
_FINAL_QUESTION = (r"what(?:'s| is| was| will be) the (?:new|sale|final|reduced|increased|total|discounted) "
                   r"(?:price|cost|bill|amount)(?: now| in the sale)?"
                   rf"|what(?:'s| is| was) the total(?: cost| bill)?(?: (?:{PRONOUN}|{SUBJECT}) (?:pay|pays|paid))?"
                   rf"|how much (?:does|do|will|would|did|should) (?:{PRONOUN}|{SUBJECT}) (?:pay|have to pay)"
                   r"(?: for it)?(?: now| in the sale| in total| altogether)?"
                   r"|how much (?:does|will|would) it cost (?:now|in the sale|in total|altogether)"
                   r"|how much is it now|what does it cost (?:now|in the sale)|how much is the (?:total )?bill"
                   r"|what(?:'s| is) the (?:price|cost) (?:after|with|including) (?:the )?(?:discount|tax|vat|tip|"
                   r"increase|rise|reduction|service charge)"
                   rf"|how much (?:is|does) (?:a|an|the|one|each) (?P<one>{WORD}) (?:cost )?(?:now|in the sale)")
_CHANGE_QUESTION = (r"how much (?:is|was|will be) the (?P<asked>discount|saving|tip|tax|vat|increase|reduction)"
                    rf"|how much (?:does|do|will|would|did) (?:{PRONOUN}|{SUBJECT}) (?P<save>save)")


_CHANGE_ASKED = (rf"(?P<asked>how much (?:is it|does it cost|would it cost|will it cost|would it be|will it be)) "
                 rf"(?:with|after) (?:an? )?(?P<rate>\d+(?:\.\d+)?%|\d+/\d+) (?:off|discount)")


def solve_price_change(statement: str, question: str) -> Solution | None:
    """A price, then one or more changes to it, asked for the final price or the one change's amount."""
    if carried := re.fullmatch(_CHANGE_ASKED, question):  # "a game costs £30. how much is it with 20% off?"
        statement = f"{statement} and it is {carried['rate']} off"
        question = "how much is it now"
    read = _read_changes(statement)
    if read is None:
        return None
    price, changes, owner = read
    if final := re.fullmatch(_FINAL_QUESTION, question):
        if final["one"] and not same_thing(final["one"], owner or "?"):
            return None  # "how much is a hat now" of a coat's price
        return _final_price(price, changes)
    asked = re.fullmatch(_CHANGE_QUESTION, question)
    if asked is None or len(changes) != 1:
        return None
    sign, rate = changes[0]
    if bool(asked["save"] or asked["asked"] in ("discount", "saving", "reduction")) != (sign == "-"):
        return None
    return worked(f"{rate} of {_in_pence(price)}", [f"The {asked['asked'] or 'saving'} is {rate} of {price.shown()}"],
                  f"the {asked['asked'] or 'saving'}", (price.value, literal_value(rate)), price.unit)


def _read_changes(statement: str) -> tuple[Quantity, list[tuple[str, str]], str | None] | None:
    """The price, each change to it (its sign and rate), and what is priced."""
    clauses = [clause for clause in re.split(r"\. |, and |,? and (?=then )|, | and |,? but | (?=\+ \d)| (?=with an? \d)",
                                              statement) if clause]
    base = re.fullmatch(_BASE + "(?: each)?", clauses[0])
    if base is None:
        return None
    changes = []
    for clause in clauses[1:]:
        found = next(((m, sign) for pattern, sign in _CHANGES if (m := re.fullmatch(pattern, clause))), None)
        if found is None:
            return None
        match, sign = found
        groups = match.groupdict()
        if changes and not (groups.get("new") or groups.get("another") or clause.startswith(("then", "and then"))):
            return None  # a second change must say it applies to the new price
        changes.append((sign, match["rate"]))
    return (quantity_in(base, "price"), changes, base["owner"]) if changes else None


def _final_price(price: Quantity, changes: list[tuple[str, str]]) -> Solution | None:
    steps: list[str] = []
    amount, given = _in_pence(price), [price.value]
    solution = None
    for sign, rate in changes:
        solution = changed_amount(amount, sign, rate)
        if solution is None:
            return None
        steps += [*solution.steps, solution.final_answer]
        amount, given = solution.result_text, [*given, literal_value(rate)]
    shown = Quantity(solution.result_text, solution.value, price.unit).shown()
    forms = tuple(dict.fromkeys((*solution.accepted_forms, shown)))
    return replace(solution, kind="arithmetic", accepted_forms=forms, steps=tuple(steps[:-1]), given=tuple(given),
                   final_answer=f"{solution.final_answer[:-1]}, so the final price is {shown}.")


def _in_pence(price: Quantity) -> str:
    """The price as a working writes it: money in decimals ("24.00"), so a tip of 15% comes to 3.6, not 18/5."""
    return f"{price.text}.00" if price.unit in ("£", "$", "€") and "." not in price.text else price.text


_BEFORE = [
    rf"the (?:price|cost) after (?:an? )?{_RATE} (?P<how>discount|reduction|cut|increase|rise) (?:is|was) {quantity('price')}",
    rf"(?:in a sale,? )?{_PRICE} {quantity('price')} in (?:a|the) sale with {_RATE} (?P<how>off)",
    rf"(?:in a sale,? )?{_PRICE} {quantity('price')} after (?:an? )?{_RATE} (?:was |has been |is )?"
    rf"(?P<how>taken off|off|discount|reduction|cut|increase|rise|was added|added)",
    rf"after (?:an? )?{_RATE} (?P<how>discount|reduction|cut|increase|rise|off),? {_PRICE} {quantity('price')}",
]
_BEFORE_QUESTION = (r"what (?:was|is) the (?:original|old|full|usual|normal|first) (?:price|cost)(?: before the sale)?"
                    r"|what (?:was|is) the (?:price|cost) before"
                    r"|what (?:was|is) the (?:price|cost) before the (?:sale|discount|increase|rise|reduction)"
                    rf"|how much (?:did|does|was) (?:it|{SUBJECT}) (?:cost |costs )?before(?: the (?:sale|discount))?"
                    r"|how much was it before(?: the (?:sale|discount|increase))?")


def solve_price_before(statement: str, question: str) -> Solution | None:
    """The price before a percentage change, from the price after it: after ÷ (1 ∓ rate)."""
    match = next((m for p in _BEFORE if (m := re.fullmatch(p, statement))), None)
    if match is None or not re.fullmatch(_BEFORE_QUESTION, question):
        return None
    price, rate = quantity_in(match, "price"), match["rate"]
    up = match["how"] in ("increase", "rise", "was added", "added")
    if not 0 < literal_value(rate) < (2 if up else 1):
        return None
    hundred = "100%" if rate.endswith("%") else "1"
    sign = "+" if up else "-"
    setup = [f"After the change the price is {hundred} {sign} {rate} of the price before",
             f"So the price before is {price.shown()} ÷ ({hundred} {sign} {rate})"]
    return worked(f"{price.text} ÷ ({hundred} {sign} {rate})", setup, "the price before",
                  (price.value, literal_value(rate)), price.unit)


_BETWEEN = [
    rf"(?:the price of )?{SUBJECT} (?:price )?(?P<verb>went up|rose|increased|was increased|was raised|went down|fell|"
    rf"dropped|decreased|was reduced|was decreased|was cut|changed) from {quantity('old')} to {quantity('new')}",
    rf"{SUBJECT} (?:used to cost|used to be|was|cost) {quantity('old')}(?:,| and| but) (?:it )?"
    rf"(?:(?:now costs|is now|now is) {quantity('new')}|(?:costs|is) {quantity('new').replace('?P<new', '?P<now')} now)",
]
_BETWEEN_QUESTION = (r"what (?:is|was) the (?:% |percentage )(?P<word>increase|decrease|discount|reduction|rise|fall|"
                     r"change|drop)|by what (?:%|percentage) (?:did|has|was) (?:it|the price) (?:go up|go down|rise|"
                     r"fall|increase|decrease|change)")
_UP_WORDS = {"increase", "rise", "go up"}
_DOWN_WORDS = {"decrease", "discount", "reduction", "fall", "drop", "go down"}


def solve_percentage_between(statement: str, question: str) -> Solution | None:
    """The change from one price to another as a percentage of the first."""
    match = next((m for p in _BETWEEN if (m := re.fullmatch(p, statement))), None)
    asked = re.fullmatch(_BETWEEN_QUESTION, question)
    if match is None or asked is None:
        return None
    old, new = quantity_in(match, "old"), quantity_in(match, "new" if match.groupdict().get("new") else "now")
    word = asked["word"] or re.search(r"go up|go down|rise|fall|increase|decrease|change", question).group()
    if old.unit != new.unit or old.value <= 0 or new.value == old.value:
        return None
    rising = new.value > old.value
    if word in _UP_WORDS and not rising or word in _DOWN_WORDS and rising:
        return None  # the question names the other direction
    larger, smaller = (new, old) if rising else (old, new)
    setup = [f"The change is {larger.shown()} - {smaller.shown()} = "
             f"{Quantity(number_text(larger.value - smaller.value, True), larger.value - smaller.value, old.unit).shown()}",
             f"As a share of the first price: ({larger.text} - {smaller.text}) ÷ {old.text}"]
    solution = worked(f"({larger.text} - {smaller.text}) ÷ {old.text}", setup, f"the {word}",
                      (old.value, new.value))
    return honoured(solution, Instructions(form="percent"))


_INTEREST = [
    rf"{SUBJECT} (?:pays|gives|earns|offers) {_RATE} (?P<simple>simple )?interest (?:a|per|each|every) year",
    rf"{quantity('principal')} is (?:invested|saved|put in a bank|put in a savings account) at {_RATE} "
    rf"(?P<simple>simple )?interest (?:a|per|each|every) year",
]
_YEARS = r"(?: after| in| for) (?P<years>\d+) years?"
_INTEREST_QUESTIONS = [
    rf"how much interest (?:(?:do|does|will|would) (?:{PRONOUN}|{SUBJECT}) (?:get|earn|receive)|is (?:earned|paid))"
    rf"(?: on {quantity('principal')})?{_YEARS}",
    rf"how much interest (?:do|does|will|would) {quantity('principal')} (?:earn|get|make){_YEARS}",
]


def solve_interest(statement: str, question: str) -> Solution | None:
    """Simple interest: the rate of the amount for each year (more than a year only when the story says
    "simple", since a bank would compound it)."""
    match = next((m for p in _INTEREST if (m := re.fullmatch(p, statement))), None)
    asked = next((m for p in _INTEREST_QUESTIONS if (m := re.fullmatch(p, question))), None)
    if match is None or asked is None or bool(match.groupdict().get("principal")) == bool(asked["principal"]):
        return None
    principal = quantity_in(match if match.groupdict().get("principal") else asked, "principal")
    years = int(asked["years"])
    if not principal.unit or years < 1 or years > 1 and not match["simple"]:
        return None
    rate = match["rate"]
    calculation = f"{rate} of {principal.text}" if years == 1 else f"{rate} of {principal.text} × {years}"
    setup = [f"Each year's interest is {rate} of {principal.shown()}"] + (
        [f"For {years} years: {years} times that"] if years > 1 else [])
    return worked(calculation, setup, "the interest", (literal_value(rate), principal.value, Fraction(years)),
                  principal.unit)
