import pytest

from annotation.router.flagging import (
    DEFAULT_LEARN_MARGIN, DailyBudget, DayCounts, flag_decision, flag_threshold, learn_margin, task_priority,
)

BUDGET = DailyBudget(reviews=10, random_share=0.1)  # 9 likely-wrong slots, 1 random sample
NOTHING_YET = DayCounts(low_confidence=0, random_sample=0, replaceable_p=None)


def test_budget_splits_into_likely_wrong_and_random_slots():
    assert (BUDGET.low_confidence_cap, BUDGET.sample_cap) == (9, 1)
    assert DailyBudget(0, 0.1).sample_cap == 0


def test_threshold_flags_the_budgets_share_of_recent_answers():
    recent = [i / 100 for i in range(100)]
    # 9 slots a day, 90 answers a day: the least likely 10 % are flagged.
    assert flag_threshold(recent, 90.0, BUDGET, default=0.5, min_history=50) == pytest.approx(0.099, abs=0.01)
    assert flag_threshold(recent[:10], 90.0, BUDGET, default=0.5, min_history=50) == 0.5
    assert flag_threshold(recent, 5.0, BUDGET, default=0.5, min_history=50) == 0.99  # budget exceeds traffic


def test_likely_wrong_answers_are_flagged_until_the_budget_is_spent():
    assert flag_decision(p_correct=0.2, threshold=0.4, budget=BUDGET, today=NOTHING_YET, random_draw=0.9).flag \
        == "low_confidence"
    full = DayCounts(low_confidence=9, random_sample=0, replaceable_p=None)
    assert flag_decision(p_correct=0.2, threshold=0.4, budget=BUDGET, today=full, random_draw=0.9).flag == ""


def test_a_worse_answer_replaces_the_least_bad_open_task_when_full():
    full = DayCounts(low_confidence=9, random_sample=0, replaceable_p=0.35)
    worse = flag_decision(p_correct=0.1, threshold=0.4, budget=BUDGET, today=full, random_draw=0.9)
    assert worse.flag == "low_confidence" and worse.replaces_task
    better = flag_decision(p_correct=0.38, threshold=0.4, budget=BUDGET, today=full, random_draw=0.9)
    assert better.flag == ""


def test_confident_answers_are_sampled_at_the_random_share_within_their_cap():
    decide = lambda draw, sampled: flag_decision(  # noqa: E731
        p_correct=0.9, threshold=0.4, budget=BUDGET, today=DayCounts(0, sampled, None), random_draw=draw).flag
    assert decide(0.05, 0) == "random_sample"
    assert decide(0.5, 0) == ""
    assert decide(0.05, 1) == ""


def test_no_teachers_means_nothing_is_flagged():
    assert flag_decision(p_correct=0.0, threshold=0.5, budget=DailyBudget(0, 0.1), today=NOTHING_YET,
                         random_draw=0.0).flag == ""


def test_priority_puts_likely_wrong_and_often_asked_first():
    assert task_priority(p_correct=0.1, askers=1) > task_priority(p_correct=0.3, askers=1)
    assert task_priority(p_correct=0.3, askers=5) > task_priority(p_correct=0.3, askers=1)


SPLIT = DailyBudget(reviews=11, random_share=0.1, learn_share=0.5)  # 2 random, then 9: 5 fix and 4 learn


def test_the_rest_of_the_budget_splits_into_fix_and_learn_with_the_odd_slot_fixing():
    assert (SPLIT.sample_cap, SPLIT.low_confidence_cap, SPLIT.learn_cap) == (2, 5, 4)
    assert (BUDGET.low_confidence_cap, BUDGET.learn_cap) == (9, 0)  # no learn share: all fix, as before
    assert (DailyBudget(1, 0.0, 0.5).low_confidence_cap, DailyBudget(1, 0.0, 0.5).learn_cap) == (1, 0)
    assert (DailyBudget(0, 0.1, 0.5).low_confidence_cap, DailyBudget(0, 0.1, 0.5).learn_cap) == (0, 0)


def test_the_learn_margin_picks_the_learn_parts_share_of_recent_answers():
    recent = [i / 100 for i in range(100)]  # distances to 0.5: 0, 0.01 (twice), ... 0.5
    # 4 learn slots, 40 answers a day: the closest 10 % to the boundary, within about 0.05.
    assert learn_margin(recent, 40.0, SPLIT, min_history=50) == pytest.approx(0.05, abs=0.01)
    assert learn_margin(recent[:10], 40.0, SPLIT, min_history=50) == DEFAULT_LEARN_MARGIN
    assert learn_margin(recent, 40.0, BUDGET, min_history=50) == 0.0  # no learn slots


def test_an_answer_near_the_boundary_takes_a_learn_slot_once_per_question_while_slots_last():
    decide = lambda p, today=NOTHING_YET, taken=False: flag_decision(  # noqa: E731
        p_correct=p, threshold=0.3, budget=SPLIT, today=today, random_draw=0.9, margin=0.05,
        question_taken=taken).flag
    assert decide(0.52) == "learn"
    assert decide(0.6) == "" and decide(0.2) == "low_confidence"
    assert decide(0.52, taken=True) == ""  # a near-copy of a task of the day
    assert decide(0.52, today=DayCounts(0, 0, None, learn=4)) == ""  # learn slots spent
    # A likely-wrong answer the full fix part cannot take still teaches, if near the boundary.
    fix_full = DayCounts(low_confidence=5, random_sample=0, replaceable_p=None)
    assert flag_decision(p_correct=0.48, threshold=0.6, budget=SPLIT, today=fix_full, random_draw=0.9,
                         margin=0.05).flag == "learn"
