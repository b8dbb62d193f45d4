from fractions import Fraction
from pathlib import Path

from django.conf import settings

from bench.misconceptions.benchmark import naive_wrong_values, run_benchmark

CONTENT = Path(settings.BASE_DIR) / "fixtures" / "content"


def test_naive_wrong_answers_never_include_the_right_one_and_come_from_the_prompt_alone():
    values = naive_wrong_values("What is 1/3 + 1/4?", Fraction(7, 12))
    assert Fraction(7, 12) not in values and Fraction(3) in values and Fraction(12, 7) in values


def test_the_report_has_coverage_and_the_cost_against_a_baseline_of_the_same_run():
    report = run_benchmark(CONTENT, repeats=1)
    assert 0 < report["coverage"]["share"] < 1 and report["coverage"]["by_kind"]["choice"]["wrong_answers"] > 0
    frame = report["graded_frame"]
    assert {"baseline_no_matching", "matching_warm_cache", "matching_cold_cache"} <= set(frame)
