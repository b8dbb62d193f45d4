"""The evaluation gate, the graders it uses, and the loss curve (pure)."""
from __future__ import annotations

import pytest

from annotation.loss_svg import loss_svg, moving_average
from annotation.training.evaluation import EvalCase, SetScore, grade, reference_match, scores_by_kind
from annotation.training.gate import answer_key_conflicts, correction_set_kind, gate_decide


def scores(corrected=(0, 10), reworded=(0, 20), golden=(10, 20)) -> dict[str, SetScore]:
    return {"corrected": SetScore(*corrected), "reworded": SetScore(*reworded), "golden": SetScore(*golden)}


def decide(active, candidate, conflicts=0, corrections=10):
    return gate_decide(active, candidate, conflicts=conflicts, corrections=corrections, max_conflict_share=0.1,
                       golden_tolerance_points=1.0)


def test_a_candidate_better_on_rewordings_that_keeps_the_golden_set_is_promoted():
    decision = decide(scores(), scores(corrected=(10, 10), reworded=(15, 20)))
    assert decision.promote and decision.reasons == []


def test_losing_more_than_one_point_on_the_golden_set_is_refused():
    decision = decide(scores(golden=(50, 100)), scores(reworded=(15, 20), golden=(48, 100)))
    assert not decision.promote and "loses 2.0 points on the golden set" in decision.reasons[0]
    assert decide(scores(golden=(50, 100)), scores(reworded=(15, 20), golden=(49, 100))).promote  # 1 point is allowed


def test_no_gain_on_the_held_out_rewordings_is_refused_even_if_the_trained_questions_improve():
    decision = decide(scores(reworded=(5, 20)), scores(corrected=(10, 10), reworded=(5, 20)))
    assert not decision.promote and "does not improve on the reworded questions" in decision.reasons[0]


def test_without_rewordings_the_corrected_questions_are_the_measure():
    active, candidate = scores(reworded=(0, 0)), scores(corrected=(9, 10), reworded=(0, 0))
    assert correction_set_kind(candidate) == "corrected" and decide(active, candidate).promote


def test_too_many_corrections_against_the_answer_key_are_refused():
    decision = decide(scores(), scores(corrected=(10, 10), reworded=(20, 20)), conflicts=2, corrections=10)
    assert not decision.promote and "2 of 10 corrections contradict" in decision.reasons[0]
    assert decide(scores(), scores(corrected=(10, 10), reworded=(20, 20)), conflicts=1, corrections=10).promote


def test_an_empty_golden_set_is_refused():
    decision = decide(scores(golden=(0, 0)), scores(reworded=(15, 20), golden=(0, 0)))
    assert not decision.promote and "no golden questions" in decision.reasons[0]


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
    assert SetScore(1, 3).as_dict() == {"right": 1, "total": 3, "accuracy": 33.33}


def test_the_loss_curve_draws_every_step_and_a_moving_average():
    svg = loss_svg(title="Run <1>", losses=[4.0, 3.0, 2.0, 1.0], total_steps=8)
    assert svg.startswith("<svg") and svg.count("<polyline") == 2
    assert "Run &lt;1&gt;" in svg and "last loss 1.000 at step 4 of 8" in svg
    assert "No steps yet" in loss_svg(title="Run", losses=[], total_steps=10)
    assert moving_average([2.0, 4.0, 6.0], window=2) == [2.0, 3.0, 5.0]
