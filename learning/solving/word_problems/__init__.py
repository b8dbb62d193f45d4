"""Word problems of a few common families, each recognised only when its whole story is understood (pure).

Every family matches the whole statement and the whole question with slots that take only ordinary words,
so a story with a clause it does not expect ("twice as much", "the rest", a second whole) is declined; and
every number in the story must be one the solution uses, so no quantity is left over.
"""
from __future__ import annotations

from learning.solving.solution import Solution
from learning.solving.word_problems.averages import solve_mean
from learning.solving.word_problems.breakdown import solve_breakdown
from learning.solving.word_problems.change import change_from, without_change_from
from learning.solving.word_problems.fitting import solve_fitting
from learning.solving.word_problems.measures import solve_enlargement, solve_laps, solve_rectangle
from learning.solving.word_problems.parts import solve_parts_of_a_whole
from learning.solving.word_problems.portions import (solve_complement_fraction, solve_fraction_of_rest,
                                                     solve_part_of_amount)
from learning.solving.word_problems.prices import (solve_interest, solve_percentage_between, solve_price_before,
                                                   solve_price_change)
from learning.solving.word_problems.proportion import solve_proportion
from learning.solving.word_problems.ratios import solve_ratio_share
from learning.solving.word_problems.rates import solve_rate, solve_scale
from learning.solving.word_problems.repeated import solve_repeated_loss
from learning.solving.word_problems.scores import solve_score
from learning.solving.word_problems.sharing import solve_groups, solve_sharing
from learning.solving.word_problems.story import (in_asked_unit, in_plain_amounts, numbers_in, split_story,
                                                  without_asked_unit)
from learning.solving.word_problems.totals import solve_total_or_difference
from learning.solving.word_problems.wholes import solve_whole_from_share

_FAMILIES = (solve_sharing, solve_groups, solve_rate, solve_scale, solve_price_change, solve_part_of_amount,
             solve_complement_fraction, solve_fraction_of_rest, solve_total_or_difference, solve_repeated_loss,
             solve_breakdown, solve_price_before, solve_percentage_between, solve_interest,
             solve_proportion, solve_fitting, solve_score, solve_rectangle, solve_laps,
             solve_mean, solve_enlargement, solve_ratio_share, solve_whole_from_share)

__all__ = ["solve_parts_of_a_whole", "solve_word_problem"]


def solve_word_problem(text: str) -> Solution | None:
    """The solution of a story in one of the families, or None."""
    story = split_story(in_plain_amounts(text))
    asked = story and without_asked_unit(story[1])
    if not asked:
        return None
    (statement, _), (question, unit) = story, asked
    question, paid = without_change_from(question)
    solution = _solved_by_a_family(statement, question)
    if solution is not None and paid is not None:
        solution = change_from(solution, paid)
    if solution is None or len(solution.given) != numbers_in(text):
        return None
    return in_asked_unit(solution, unit)


def _solved_by_a_family(statement: str, question: str) -> Solution | None:
    return next((solution for family in _FAMILIES if (solution := family(statement, question)) is not None), None)
