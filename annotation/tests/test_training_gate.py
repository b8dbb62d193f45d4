"""The evaluation gate, the graders it uses, and the loss curve (pure)."""
from __future__ import annotations

import pytest

from annotation.loss_svg import loss_svg, moving_average
from annotation.training.evaluation import EvalCase, SetScore, grade, reference_match, scores_by_kind
from annotation.training.gate import GatePolicy, answer_key_conflicts, correction_set_kind, gate_decide


def cases_and_verdicts(**sets) -> tuple[list[EvalCase], list, list]:
    """``kind=(before, after)`` as strings of 1 (right), 0 (wrong) and x (failed), one character per case."""
    cases, active, candidate = [], [], []
    verdict = {"1": True, "0": False, "x": None}
    for kind, (before, after) in sets.items():
        assert len(before) == len(after)
        cases += [EvalCase(kind, f"{kind} question {i}", ("gold",), "contains", f"{kind}:{i}")
                  for i in range(len(before))]
        active += [verdict[v] for v in before]
        candidate += [verdict[v] for v in after]
    return cases, active, candidate


GOLDEN_30 = "1" * 15 + "0" * 15


def decide(conflicts=0, corrections=10, alpha=0.05, **sets):
    sets.setdefault("golden", (GOLDEN_30, GOLDEN_30))
    cases, active, candidate = cases_and_verdicts(**sets)
    return gate_decide(cases, active, candidate, conflicts=conflicts, corrections=corrections,
                       policy=GatePolicy(max_conflict_share=0.1, alpha=alpha))


def test_a_significant_gain_on_the_rewordings_that_keeps_the_golden_set_is_promoted():
    decision = decide(corrected=("0" * 10, "1" * 10), reworded=("0" * 20, "0" * 14 + "1" * 6))
    assert decision.promote and decision.judged and decision.reasons == [] and decision.warnings == []
    reworded = decision.differences["reworded"]
    assert (reworded.gains, reworded.losses, reworded.p_gain) == (6, 0, 0.015625)
    assert reworded.ci_low_points > 0 and decision.as_dict()["differences"]["golden"]["n"] == 30


def test_a_gain_that_is_not_significant_is_refused_whatever_its_points():
    decision = decide(corrected=("0" * 10, "1" * 10), reworded=("0" * 20, "0" * 16 + "1" * 4))  # +20 points
    assert not decision.promote and decision.judged
    assert "does not improve significantly on the reworded questions" in decision.reasons[0]
    assert "p = 0.0625 for a gain" in decision.reasons[0]


def test_a_significant_loss_on_the_golden_set_is_refused_and_a_small_one_is_not():
    lost = "0" * 6 + GOLDEN_30[6:]
    decision = decide(reworded=("0" * 10, "1" * 10), golden=(GOLDEN_30, lost))
    assert not decision.promote and "significantly worse on the golden set" in decision.reasons[0]
    one_lost = "0" + GOLDEN_30[1:]  # 3 points lower, but one question is no evidence
    assert decide(reworded=("0" * 10, "1" * 10), golden=(GOLDEN_30, one_lost)).promote


def test_losses_balanced_by_gains_on_the_golden_set_are_not_a_loss():
    swapped = GOLDEN_30[15:] + GOLDEN_30[:15]  # 15 lost and 15 gained
    decision = decide(reworded=("0" * 10, "1" * 10), golden=(GOLDEN_30, swapped))
    assert decision.promote and decision.differences["golden"].p_two_sided == 1.0


def test_without_rewordings_the_corrected_questions_are_the_measure():
    assert decide(corrected=("0" * 10, "1" * 9 + "0")).promote
    assert correction_set_kind(decide(corrected=("0" * 10, "1" * 10)).differences) == "corrected"


def test_a_failed_case_of_either_version_means_not_judged_with_the_cases_named():
    for before, after in (("0" * 9 + "x", "1" * 10), ("0" * 10, "1" * 9 + "x")):
        decision = decide(reworded=(before, after))
        assert not decision.promote and not decision.judged and decision.differences == {}
        assert "Not judged" in decision.reasons[0] and "reworded reworded:9" in decision.reasons[0]
    decision = decide(reworded=("0" * 10, "1" * 10), golden=("x" + GOLDEN_30[1:], "x" + GOLDEN_30[1:]))
    assert decision.failed == {"active": ["golden golden:0"], "candidate": ["golden golden:0"]}


def test_too_many_corrections_against_the_answer_key_are_refused():
    decision = decide(conflicts=2, corrections=10, reworded=("0" * 10, "1" * 10))
    assert not decision.promote and "2 of 10 corrections contradict" in decision.reasons[0]
    assert decide(conflicts=1, corrections=10, reworded=("0" * 10, "1" * 10)).promote


def test_an_empty_golden_set_is_refused():
    decision = decide(reworded=("0" * 10, "1" * 10), golden=("", ""))
    assert not decision.promote and "no golden questions" in decision.reasons[0]


def test_a_small_golden_set_is_judged_with_a_warning_of_what_it_cannot_detect():
    decision = decide(reworded=("0" * 10, "1" * 10), golden=("1100", "1100"))
    assert decision.promote
    assert decision.warnings == ["The golden set has only 4 questions (at least 30 wanted): at p ≤ 0.05 it cannot "
                                 "detect a loss at all, even of every question."]
    decision = decide(reworded=("0" * 10, "1" * 10), golden=("1" * 20, "1" * 20))
    assert "cannot detect a loss smaller than 5 questions (25 points)" in decision.warnings[0]


def test_verdicts_must_match_the_cases_and_the_policy_its_ranges():
    cases, active, candidate = cases_and_verdicts(golden=("11", "11"))
    with pytest.raises(ValueError, match="one verdict per case"):
        gate_decide(cases, active, candidate[:1], conflicts=0, corrections=1, policy=GatePolicy(max_conflict_share=0.1))
    with pytest.raises(ValueError, match="alpha"):
        GatePolicy(max_conflict_share=0.1, alpha=1.5)


def test_a_correction_contradicting_a_similar_reference_question_is_a_conflict():
    references = [EvalCase("reference", "What is 3/4 + 1/8?", ("7/8",), "numeric", "item:1"),
                  EvalCase("reference", "Which organelle holds chlorophyll?", ("chloroplast",), "contains", "item:2")]
    corrections = [("example:1", "What is 3/4 + 1/8 ?", "The answer is 4/12."),  # wrong
                   ("example:2", "Which organelle holds chlorophyll?", "The chloroplast holds it."),  # right
                   ("example:3", "Why is the sky blue?", "Scattering.")]  # no reference question: not checked
    conflicts = answer_key_conflicts(corrections, references)
    assert [(c.correction_ref, c.reference_ref) for c in conflicts] == [("example:1", "item:1")]


@pytest.mark.parametrize("answer, right", [
    ("Mitochondria produce the energy a cell uses.", True),
    ("The mitochondria make energy for the cell.", True),
    ("Ribosomes make proteins.", False),
])
def test_reference_answers_are_graded_by_their_content_words(answer, right):
    assert reference_match(answer, "Mitochondria produce energy for the cell.") is right


def test_reference_answers_need_their_numbers():
    assert not reference_match("Add the tops: it is 5/8.", "It is 7/8 after adding the numerators.")
    assert reference_match("Adding the numerators gives 7/8.", "It is 7/8 after adding the numerators.")


def test_cases_are_graded_and_scored_by_kind():
    cases = [EvalCase("golden", "What is 2 + 2?", ("4",), "numeric"), EvalCase("corrected", "Q", ("cell",), "contains")]
    verdicts = [grade(cases[0], "It is 4."), grade(cases[1], "No idea.")]
    assert verdicts == [True, False]
    assert scores_by_kind(cases, verdicts) == {"golden": SetScore(1, 1), "corrected": SetScore(0, 1)}
    assert SetScore(1, 3).as_dict() == {"right": 1, "total": 3, "failed": 0, "accuracy": 33.33}


def test_a_failed_case_is_counted_as_failed_not_graded():
    cases = [EvalCase("golden", f"Q{i}", ("4",), "numeric") for i in range(3)]
    assert scores_by_kind(cases, [True, None, False]) == {"golden": SetScore(1, 2, failed=1)}
    assert SetScore(1, 2, failed=1).accuracy == 50.0


def test_the_loss_curve_draws_every_step_and_a_moving_average():
    svg = loss_svg(title="Run <1>", losses=[4.0, 3.0, 2.0, 1.0], total_steps=8)
    assert svg.startswith("<svg") and svg.count("<polyline") == 2
    assert "Run &lt;1&gt;" in svg and "last loss 1.000 at step 4 of 8" in svg
    assert "No steps yet" in loss_svg(title="Run", losses=[], total_steps=10)
    assert moving_average([2.0, 4.0, 6.0], window=2) == [2.0, 3.0, 5.0]
