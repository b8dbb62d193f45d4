import math

import numpy as np
import pytest

from annotation.router.evaluation import out_of_fold_p, router_report
from annotation.router.features import FEATURE_NAMES, AnswerEvidence, answer_features, question_key
from annotation.router.metrics import (
    brier_score, catch_rate, expected_calibration_error, random_catch_rate, reliability_bins, wrong_answer_auroc,
)
from annotation.router.model import PRIOR, NotEnoughVerdicts, RouterModel, fit_router


CHECK_FLAGS = ("checked_by_solver", "solver_contradicted", "checked_by_source")


def synthetic_verdicts(n: int, seed: int = 0) -> tuple[list[dict], list[bool]]:
    """Answers whose rightness depends on two features, as a logistic model with known log-odds."""
    rng = np.random.default_rng(seed)
    rows, correct = [], []
    for _ in range(n):
        row = {name: float(rng.normal()) for name in FEATURE_NAMES}
        row.update(dict.fromkeys(CHECK_FLAGS, 0.0))  # no check applies: the fitted score alone decides
        log_odds = 2.0 * row["mean_logprob"] + 1.5 * row["passage_support"] - 0.5
        rows.append(row)
        correct.append(bool(rng.random() < 1 / (1 + math.exp(-log_odds))))
    return rows, correct


def test_fitted_router_ranks_and_is_calibrated_on_new_answers():
    rows, correct = synthetic_verdicts(600)
    model = fit_router(rows, correct)
    test_rows, test_correct = synthetic_verdicts(2000, seed=1)
    p = model.p_correct_many(test_rows)
    assert wrong_answer_auroc(p, test_correct) > 0.8
    assert expected_calibration_error(reliability_bins(p, test_correct)) < 0.06


def test_many_verdicts_switch_to_isotonic_calibration():
    rows, correct = synthetic_verdicts(1200)
    model = fit_router(rows, correct)
    assert model.calibration["method"] == "isotonic"
    p = model.p_correct_many(rows[:50])
    assert ((0 <= p) & (p <= 1)).all()


def test_router_survives_json_exactly():
    rows, correct = synthetic_verdicts(300)
    model = fit_router(rows, correct)
    again = RouterModel.from_json(model.as_json())
    assert np.allclose(again.p_correct_many(rows), model.p_correct_many(rows))


def test_one_sided_verdicts_are_not_enough():
    rows, _ = synthetic_verdicts(50)
    with pytest.raises(NotEnoughVerdicts, match="0 wrong"):
        fit_router(rows, [True] * 50)


def test_prior_prefers_sure_supported_answers_over_unsure_arithmetic():
    sure = answer_features(AnswerEvidence(
        "Which gas do plants take in?", "Plants take in carbon dioxide through stomata.",
        {"mean_logprob": -0.1, "n_tokens": 9}, ("Plants take in carbon dioxide through their stomata.",), (0.6,)))
    unsure = answer_features(AnswerEvidence(
        "What is 3 2/5 - 1 7/8?", "I think it is maybe 2 1/3.", {"mean_logprob": -1.8, "n_tokens": 9}))
    assert PRIOR.p_correct(sure) > 0.7 > 0.3 > PRIOR.p_correct(unsure)


def test_features_measure_support_hedging_and_cut_answers():
    features = answer_features(AnswerEvidence(
        "What is 1/2 + 1/4?", "I think 1/2 + 1/4 = 5/9", {"mean_logprob": -1.0, "n_tokens": 64},
        ("To add fractions use a common denominator.",), (0.3,), cut_short=True))
    assert set(features) == set(FEATURE_NAMES)
    assert features["hedges"] == 1 and features["cut_short"] == 1
    assert features["new_numbers"] == pytest.approx(math.log(2))  # 5/9 is new; 1/2 and 1/4 are the question's
    assert features["numbers_in_question"] == pytest.approx(math.log(3))
    assert features["top_passage_score"] == 0.3


def test_missing_engine_features_get_pessimistic_defaults():
    features = answer_features(AnswerEvidence("q", "a", {"mean_logprob": float("nan")}))
    assert features["mean_logprob"] == -5.0 and features["log_tokens"] == 0


def test_reworded_questions_share_a_key():
    assert question_key("What is 1/2 + 1/4??") == question_key("what is 1/4 + 1/2")
    assert question_key("How do plants make food?") == question_key("how do PLANTS make food")
    assert question_key("How do plants make food?") != question_key("How do animals make food?")


def test_catch_rates_against_random():
    correct = [False] * 20 + [True] * 80
    perfect = [0.1] * 20 + [0.9] * 80
    assert catch_rate(perfect, correct, 0.2) == 1.0
    assert random_catch_rate(correct, 0.2) == pytest.approx(0.2)
    assert catch_rate([0.5] * 100, correct, 0.2) == 1.0  # ties go in answer order: a constant score is no oracle
    assert catch_rate([0.5] * 100, list(reversed(correct)), 0.2) == 0.0
    assert wrong_answer_auroc(perfect, correct) == 1.0
    assert wrong_answer_auroc([0.5] * 100, [True] * 100) is None


def test_reliability_and_brier():
    bins = reliability_bins([0.05, 0.15, 0.95, 0.95], [False, True, True, True])
    assert [b.count for b in bins] == [1, 1, 0, 0, 0, 0, 0, 0, 0, 2]
    assert bins[9].observed == 1.0 and bins[2].mean_predicted is None
    assert expected_calibration_error(bins) == pytest.approx((0.05 + 0.85 + 2 * 0.05) / 4)
    assert brier_score([1.0, 0.0], [True, True]) == 0.5


def test_out_of_fold_scores_never_see_their_own_verdict():
    rows, correct = synthetic_verdicts(400)
    p = out_of_fold_p(rows, correct)
    report = router_report(p, correct)
    assert 0.7 < report["auroc"] < 0.95 and len(report["reliability"]) == 10
    # A fold too small to fit falls back to the prior instead of failing.
    small = out_of_fold_p(rows[:12], [True] * 11 + [False])
    assert np.allclose(small, PRIOR.p_correct_many(rows[:12]))


def test_claim_support_asks_whether_the_notes_closest_to_the_question_say_it():
    notes = ("The thylakoids sit in a fluid called the stroma. Oxygen is given off as a by-product.",)
    question = "What is the fluid around the thylakoids called?"
    right = answer_features(AnswerEvidence(question, "It is called the stroma.", {}, notes, (0.5,)))
    wrong = answer_features(AnswerEvidence(question, "It is called the cytoplasm.", {}, notes, (0.5,)))
    assert right["claim_support"] == 1.0 and wrong["claim_support"] == 0.0


def test_repetition_notices_an_answer_going_in_circles():
    looping = answer_features(AnswerEvidence("q", "called addition operation called addition operation " * 3))
    assert looping["repetition"] > 0.5
    assert answer_features(AnswerEvidence("q", "Plants take in carbon dioxide."))["repetition"] == 0.0
