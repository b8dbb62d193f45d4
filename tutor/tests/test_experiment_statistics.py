"""The pure parts of experiments: assignment, the fixed-horizon analysis and the per-student metrics."""
from collections import Counter
from datetime import datetime, timedelta

import pytest

from tutor.experiments.assignment import arm_index
from tutor.experiments.metrics import (
    CORRECTIONS_PER_100, MASTERY_PER_HOUR, NEXT_ITEM, QUESTIONS_PER_SESSION, Activity, PracticeAttempt, Question,
    next_item_outcomes, sessions, student_values,
)
from tutor.experiments.statistics import (
    Summary, decision, difference, minimum_detectable_effect, planned_size, summarise, t_quantile,
)

T0 = datetime(2025, 3, 1, 9, 0)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_assignment_is_stable_and_roughly_even():
    first = [arm_index(experiment_id=7, student_id=s, arms=2) for s in range(2000)]
    assert first == [arm_index(experiment_id=7, student_id=s, arms=2) for s in range(2000)]
    counts = Counter(first)
    assert 900 < counts[0] < 1100


def test_assignment_depends_on_the_experiment():
    one = [arm_index(experiment_id=1, student_id=s, arms=2) for s in range(200)]
    two = [arm_index(experiment_id=2, student_id=s, arms=2) for s in range(200)]
    assert one != two


def test_t_quantile_matches_scipy():
    from scipy.stats import t

    for df in (4, 5, 10, 30, 200, 5000):
        assert t_quantile(0.975, df) == pytest.approx(t.ppf(0.975, df), abs=1e-3)


def test_summary_and_welch_interval_match_a_hand_computation():
    control, treatment = summarise([0.0, 1.0, 0.0, 1.0]), summarise([1.0, 1.0, 0.0, 1.0, 1.0])
    assert control == Summary(4, 0.5, pytest.approx(0.57735, abs=1e-5))
    diff = difference(control, treatment)
    from scipy.stats import ttest_ind

    ci = ttest_ind([1.0, 1.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0], equal_var=False).confidence_interval(0.95)
    assert diff.estimate == pytest.approx(0.3)
    assert (diff.low, diff.high) == (pytest.approx(ci.low, abs=0.02), pytest.approx(ci.high, abs=0.02))


def test_no_interval_below_two_students_per_arm():
    diff = difference(summarise([1.0]), summarise([0.0, 1.0]))
    assert diff.low is None and not diff.excludes_zero
    assert not decision(summarise([1.0]), summarise([0.0, 1.0]), diff, planned_per_arm=10).final


def test_an_interval_before_the_planned_size_is_provisional():
    control, treatment = summarise([0.0] * 5 + [0.1] * 5), summarise([1.0] * 5 + [0.9] * 5)
    diff = difference(control, treatment)
    early = decision(control, treatment, diff, planned_per_arm=100)
    assert diff.excludes_zero and early.differs and not early.final and "Provisional" in early.note
    assert decision(control, treatment, diff, planned_per_arm=10).final


def test_planned_size_and_minimum_detectable_effect_agree():
    n = planned_size(0.05, 0.3)
    assert n == 566  # 2 * ((1.96 + 0.8416) * 0.3 / 0.05) ** 2, rounded up
    assert minimum_detectable_effect(0.3, n) == pytest.approx(0.05, abs=1e-3)


def attempt(served: float, skill: str, correct: bool, predicted: float | None = 0.5) -> PracticeAttempt:
    return PracticeAttempt(at(served), at(served + 1), frozenset({skill}), correct, predicted)


def test_the_next_item_is_the_first_of_the_skill_served_after_the_question():
    helped = attempt(0, "fractions", False)  # open while the student asked: not the next item
    other_skill = attempt(3, "decimals", True)
    next_one = attempt(4, "fractions", True, predicted=0.6)
    later = attempt(6, "fractions", True)
    questions = [Question(at(0.5), frozenset({"fractions"})), Question(at(0.7), frozenset({"fractions"}))]
    assert next_item_outcomes(questions, [helped, other_skill, next_one, later]) == [next_one]
    values = student_values(Activity(questions, [helped, other_skill, next_one, later], 2, 0, None, None))
    assert values[NEXT_ITEM] == pytest.approx(0.4)


def test_a_question_with_no_skill_or_no_later_attempt_has_no_outcome():
    questions = [Question(at(10), frozenset()), Question(at(10), frozenset({"fractions"}))]
    assert next_item_outcomes(questions, [attempt(0, "fractions", True)]) == []
    assert student_values(Activity(questions, [], 0, 0, None, None))[NEXT_ITEM] is None


def test_sessions_split_at_long_gaps():
    assert sessions([at(0), at(20), at(45), at(200)]) == [(at(0), at(45)), (at(200), at(200))]


def test_secondary_metrics_on_a_small_fixture():
    questions = [Question(at(0), frozenset()), Question(at(10), frozenset()), Question(at(100), frozenset())]
    attempts = [attempt(5, "f", True), attempt(29, "f", True)]  # session one: minute 0 to 30
    values = student_values(Activity(questions, attempts, answers=4, corrected_answers=1, mastery_start=0.4,
                                     mastery_end=0.6))
    assert values[QUESTIONS_PER_SESSION] == pytest.approx(1.5)  # three questions, two sessions
    assert values[CORRECTIONS_PER_100] == pytest.approx(25.0)
    assert values[MASTERY_PER_HOUR] == pytest.approx(0.2 / 0.5)  # 30 minutes active in all


def test_no_mastery_rate_over_a_few_minutes():
    values = student_values(Activity([Question(at(0), frozenset())], [attempt(1, "f", True)], 1, 0, 0.4, 0.6))
    assert values[MASTERY_PER_HOUR] is None
