"""The router's checks: the exact solver's verdict on an answer, the course-notes sentence it cites, and the
rule that confidence follows the check."""
import numpy as np
import pytest

from annotation.router.arithmetic import arithmetic_agreement, solver_status, solver_verdict
from annotation.router.features import FEATURE_NAMES, AnswerEvidence, answer_features, feature_vector
from annotation.router.model import CONTRADICTED_CEILING, PRIOR, VERIFIED_FLOOR, RouterModel

SUM = "What is 1/3 + 1/4?"
WORKED = "1/3 + 1/4 = 4/12 + 3/12 = 7/12."
SURE = {"mean_logprob": -0.1, "min_logprob": -0.5, "mean_entropy": 0.3, "n_tokens": 20}
UNSURE = {"mean_logprob": -2.5, "min_logprob": -9.0, "mean_entropy": 3.5, "n_tokens": 20}
CHECKS = ("checked_by_solver", "solver_contradicted", "checked_by_source")


@pytest.mark.parametrize("question, answer, status, agreement", [
    (SUM, WORKED, "agrees", 1.0),
    (SUM, "The answer is 7/12, or about 0.58.", "agrees", 1.0),
    (SUM, "It is 2/7.", "contradicts", -1.0),
    (SUM, "1/3 + 1/4 = 4/12 + 3/12 = 8/12.", "contradicts", -1.0),  # a wrong step is a wrong answer
    (SUM, "First find a common denominator.", "no_result", -1.0),
    ("What is 3/4 of 2/3 of 36?", "3/4 of 2/3 of 36 is 18.", "agrees", 1.0),
    ("Why do leaves look green?", "Chlorophyll reflects green light.", None, 0.0),
])
def test_the_exact_solver_judges_the_answer(question, answer, status, agreement):
    assert solver_status(question, answer) == status
    assert arithmetic_agreement(question, answer) == agreement


@pytest.mark.parametrize("status, record, verdict", [
    ("agrees", {}, "verified"),
    ("contradicts", {}, "contradicted"),
    ("no_result", {}, "unchecked"),
    (None, {}, "unchecked"),
    # A solver record decides: the working it shows first is exact, whatever the text check reads.
    ("no_result", {"kind": "solver", "status": "agrees", "regenerated": False, "fallback": False}, "verified"),
    ("no_result", {"kind": "solver", "status": "no_result"}, "verified"),
    ("agrees", {"kind": "solver", "status": "contradicts", "regenerated": True, "fallback": True}, "verified"),
    ("agrees", {"kind": "solver", "status": "contradicts", "regenerated": True, "fallback": False}, "contradicted"),
    # Another kind of record says nothing about a calculation: the text check decides.
    ("contradicts", {"kind": "none", "status": "released"}, "contradicted"),
    (None, {"kind": "source", "status": "unchecked"}, "unchecked"),
])
def test_the_solver_verdict_follows_the_check_record_else_the_text(status, record, verdict):
    assert solver_verdict(status, record) == verdict


def test_check_features_come_from_the_record_or_the_text():
    unrepaired = {"kind": "solver", "status": "contradicts", "regenerated": True, "fallback": False}
    cases = {
        "verified in the text": (AnswerEvidence(SUM, WORKED), 1.0, 0.0),
        "contradicted in the text": (AnswerEvidence(SUM, "It is 2/7."), 0.0, 1.0),
        "a hint without a result": (AnswerEvidence(SUM, "Start with a common denominator: 1/3 = 4/12.",
                                                   check={"kind": "solver", "status": "no_result"}), 1.0, 0.0),
        "contradicted, not repaired": (AnswerEvidence(SUM, WORKED, check=unrepaired), 0.0, 1.0),
        "no calculation": (AnswerEvidence("Why do leaves look green?", "Chlorophyll reflects green."), 0.0, 0.0),
    }
    for name, (evidence, verified, contradicted) in cases.items():
        features = answer_features(evidence)
        assert (features["checked_by_solver"], features["solver_contradicted"]) == (verified, contradicted), name


def test_a_cited_sentence_backs_the_answer_only_when_the_first_sentence_says_it():
    question = "Which gas do plants take in for photosynthesis?"
    cited = ("Plants take in carbon dioxide through tiny pores called stomata.",)
    right = AnswerEvidence(question, "Plants take in carbon dioxide. It enters through the stomata.", sources=cited)
    wrong = AnswerEvidence(question, "Plants take in oxygen. Carbon dioxide is given off.", sources=cited)
    uncited = AnswerEvidence(question, "Plants take in carbon dioxide.")
    echo = AnswerEvidence(question, "Plants take in a gas for photosynthesis.", sources=cited)
    assert answer_features(right)["checked_by_source"] == 1.0
    assert answer_features(wrong)["checked_by_source"] == 0.0
    assert answer_features(uncited)["checked_by_source"] == 0.0
    assert answer_features(echo)["checked_by_source"] == 0.0  # restating the question backs no claim


def test_older_feature_records_without_the_checks_read_as_unchecked():
    old = {name: 0.5 for name in FEATURE_NAMES if name not in CHECKS}
    assert [feature_vector(old)[FEATURE_NAMES.index(name)] for name in CHECKS] == [0.0, 0.0, 0.0]
    assert fitted(-10.0).p_correct(old) < 0.001  # no bound applies to an answer no check judged


def test_the_prior_trusts_a_verified_result_and_doubts_a_contradicted_one():
    verified = answer_features(AnswerEvidence(SUM, WORKED, UNSURE))
    contradicted = answer_features(AnswerEvidence(SUM, "1/3 + 1/4 = 2/7.", SURE))
    # The prior's own score says so, before the bounds that hold for every router.
    assert _unbounded(PRIOR, verified) >= VERIFIED_FLOOR and _unbounded(PRIOR, contradicted) <= CONTRADICTED_CEILING
    assert PRIOR.p_correct(verified) >= VERIFIED_FLOOR and PRIOR.p_correct(contradicted) <= CONTRADICTED_CEILING


def _unbounded(model: RouterModel, features: dict) -> float:
    return float(model._calibrated(model._score(np.array([[features[name] for name in model.names]])))[0])


def fitted(intercept: float, names: tuple[str, ...] = FEATURE_NAMES) -> RouterModel:
    """A fitted router that scores every answer alike: it believes them all right, or all wrong."""
    return RouterModel(kind="fitted", names=names, weights=tuple(0.0 for _ in names), intercept=intercept,
                       mean=tuple(0.0 for _ in names), scale=tuple(1.0 for _ in names))


def test_no_check_leaves_the_fitted_probability_as_it_is():
    factual = answer_features(AnswerEvidence("Why do leaves look green?", "Chlorophyll reflects green light."))
    no_result = answer_features(AnswerEvidence(SUM, "First find a common denominator."))
    for features in (factual, no_result):
        assert fitted(-2.0).p_correct(features) == pytest.approx(1 / (1 + np.exp(2.0)))
        assert fitted(3.0).p_correct(features) == pytest.approx(1 / (1 + np.exp(-3.0)))


def test_a_fitted_router_cannot_doubt_a_verified_result():
    verified = answer_features(AnswerEvidence(SUM, WORKED, SURE))
    assert fitted(-10.0).p_correct(verified) == VERIFIED_FLOOR
    assert fitted(4.0).p_correct(verified) == pytest.approx(1 / (1 + np.exp(-4.0)))  # surer than the floor: kept


def test_a_fitted_router_cannot_trust_a_contradicted_result():
    contradicted = answer_features(AnswerEvidence(SUM, "It is 2/7.", SURE))
    assert fitted(10.0).p_correct(contradicted) == CONTRADICTED_CEILING
    assert fitted(-4.0).p_correct(contradicted) == pytest.approx(1 / (1 + np.exp(4.0)))  # lower still: kept


def test_the_bounds_hold_for_a_router_fitted_before_the_check_features_existed():
    older_names = tuple(name for name in FEATURE_NAMES if name not in CHECKS)
    stored = RouterModel.from_json(fitted(10.0, older_names).as_json())
    assert stored.p_correct(answer_features(AnswerEvidence(SUM, "It is 2/7."))) == CONTRADICTED_CEILING
    assert RouterModel.from_json(fitted(-10.0, older_names).as_json()).p_correct(
        answer_features(AnswerEvidence(SUM, WORKED))) == VERIFIED_FLOOR
