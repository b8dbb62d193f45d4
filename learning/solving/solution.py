"""What the solver hands back: the exact result, the forms a student may write it in, and the working."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from learning.solving.numbers import accepted_forms, decimal_text, fraction_text, mixed_text


@dataclass(frozen=True)
class Solution:
    """An exactly solved question.

    ``value`` is the exact result when it is a number (for an equation, the unknown's value; for "which is
    bigger", the bigger one); None for a derivative or an ordering, whose result is ``result_text``.
    ``given`` are the numbers the question states, which a tutor restating them is not answering with;
    ``ordered`` is the expected order for an ordering question.
    """

    kind: str  # arithmetic, simplify, convert, compare, order, gcd, lcm, power, root, units, equation, derivative,
    # percentage, missing_number (word problems are arithmetic)
    value: Fraction | None
    result_text: str
    accepted_forms: tuple[str, ...]
    steps: tuple[str, ...]
    final_answer: str
    given: tuple[Fraction, ...] = ()
    ordered: tuple[Fraction, ...] = ()
    variable: str = "x"
    result_only: bool = False  # the student asked for the result alone ("reply with just the answer")

    def prompt_text(self) -> str:
        """The verified working as lines for a tutor's prompt."""
        return "\n".join([*self.steps, self.final_answer])


def numeric_solution(kind: str, value: Fraction, steps: list[str], statement: str, given: tuple[Fraction, ...],
                     decimal: bool = False, extra_forms: tuple[str, ...] = ()) -> Solution:
    """A solution whose result is a number; ``statement`` is what was calculated ("3/4 + 5/6")."""
    forms = accepted_forms(value)
    main = decimal_text(value) if decimal and value.denominator != 1 else fraction_text(value)
    shown = [main] if decimal else [form for form in (main, mixed_text(value)) if form]
    final = f"{statement} = {' = '.join(shown)}" if statement else f"The answer is {' = '.join(shown)}"
    return Solution(kind=kind, value=value, result_text=main, accepted_forms=tuple(dict.fromkeys(
        (main, *extra_forms, *forms))), steps=tuple(steps), final_answer=final + ".", given=given)
