"""The knowledge model: online update, prediction, serialisation, replay and calibration."""

import numpy as np
import pytest

from learning.knowledge.model import (
    GENERAL, AttemptLog, ItemParams, KnowledgeModel, SkillEstimate, SkillParams, StudentState, ColdStart,
    hint_difficulty, replay,
)
from learning.knowledge.calibration import calibrate, encode_attempts

ITEMS = {
    "easy-a": ItemParams(("a",), -1.0, 1.0),
    "hard-a": ItemParams(("a",), 1.0, 1.5),
    "b1": ItemParams(("b",), 0.0, 1.0),
    "ab": ItemParams(("a", "b"), 0.5, 1.2),
}
MODEL = KnowledgeModel(ITEMS, {"a": SkillParams(0.0, 0.5, 0.2), "b": SkillParams(0.3, 0.4, 0.1)},
                       SkillParams(0.0, 1.0), SkillParams(0.0, 0.5), process_noise=0.01)


def test_a_correct_answer_raises_and_an_error_lowers_the_tagged_abilities():
    start = StudentState()
    right, wrong = MODEL.update(start, "hard-a", True), MODEL.update(start, "hard-a", False)
    for skill in ("a", GENERAL):
        prior = MODEL.estimate(start, skill)
        assert right.estimates[skill].mu > prior.mu > wrong.estimates[skill].mu - 0.2  # 0.2: the practice gain
        assert right.estimates[skill].mu > wrong.estimates[skill].mu
    assert "b" not in right.estimates  # an untagged skill is untouched


def test_the_variance_shrinks_on_every_tagged_dimension_whatever_the_answer():
    for correct in (True, False):
        after = MODEL.update(StudentState(), "ab", correct)
        for skill in ("a", "b", GENERAL):
            assert after.estimates[skill].var < MODEL.estimate(StudentState(), skill).var
            assert after.estimates[skill].attempts == 1


def test_a_multi_skill_item_updates_each_tagged_skill():
    after = MODEL.update(StudentState(), "ab", True)
    assert {"a", "b", GENERAL} <= set(after.estimates)
    assert after.estimates["a"].mu > 0.0 and after.estimates["b"].mu > 0.3
    single = MODEL.update(StudentState(), "b1", True)
    assert "a" not in single.estimates


def test_prediction_tracks_ability_and_uncertainty():
    weak = StudentState({"a": SkillEstimate(-1.0, 0.1)})
    strong = StudentState({"a": SkillEstimate(1.0, 0.1)})
    assert 0 < MODEL.predict(weak, "easy-a") < MODEL.predict(strong, "easy-a") < 1
    assert MODEL.predict(strong, "easy-a") > MODEL.predict(strong, "hard-a")
    sure = StudentState({"a": SkillEstimate(2.0, 0.01), GENERAL: SkillEstimate(0.0, 0.01)})
    unsure = StudentState({"a": SkillEstimate(2.0, 5.0), GENERAL: SkillEstimate(0.0, 0.01)})
    assert abs(MODEL.predict(unsure, "easy-a") - 0.5) < abs(MODEL.predict(sure, "easy-a") - 0.5)


def test_repeated_success_converges_upward():
    state = StudentState()
    for _ in range(30):
        state = MODEL.update(state, "hard-a", True)
    assert MODEL.predict(state, "hard-a") > 0.85


def test_state_and_model_serialise_round_trip():
    state = MODEL.update(MODEL.update(StudentState(), "ab", True), "b1", False)
    assert StudentState.from_dict(state.to_dict()) == state
    assert state.to_dict()["skills"]["a"].keys() == {"mu", "var", "attempts"}
    assert state.to_dict()["last_item"] == "b1"
    again = KnowledgeModel.from_dict(MODEL.to_dict())
    assert again.predict(state, "ab") == pytest.approx(MODEL.predict(state, "ab"))
    assert ItemParams.from_dict(ITEMS["ab"].to_dict()) == ITEMS["ab"]


def test_author_hints_cold_start_an_item():
    assert hint_difficulty("Hard") == 1.0 and hint_difficulty("easy") == -1.0 and hint_difficulty(0.4) == 0.4
    assert hint_difficulty(None) is None
    with pytest.raises(ValueError):
        hint_difficulty("impossible")
    model = MODEL.with_new_items({"new": (["a"], "hard"), "new-easy": (["a"], "easy"), "plain": (["b"], None)})
    assert model.predict(StudentState(), "new") < model.predict(StudentState(), "new-easy")
    assert model.items["plain"].difficulty == ColdStart().difficulty


def test_an_unknown_item_is_a_key_error():
    with pytest.raises(KeyError):
        MODEL.predict(StudentState(), "nope")


def test_the_vectorised_replay_equals_attempt_by_attempt_updates():
    rng = np.random.default_rng(3)
    ids = list(ITEMS)
    attempts = [(f"s{s}", ids[rng.integers(4)], int(rng.random() < 0.6)) for s in range(5) for _ in range(12)]
    rng.shuffle(attempts)  # interleaved students; order within a student is kept by encode_attempts
    log, students, items = encode_attempts(attempts)
    item_code = {i: n for n, i in enumerate(ids)}
    log = AttemptLog(log.student, np.array([item_code[items[c]] for c in log.item]), log.correct)
    vectorised = replay(MODEL.to_arrays(ids), log)
    states, sequential = {}, []
    for student, item, correct in zip(log.student, log.item, log.correct):
        state = states.get(student, StudentState())
        sequential.append(MODEL.predict(state, ids[item]))
        states[student] = MODEL.update(state, ids[item], bool(correct))
    np.testing.assert_allclose(vectorised, sequential, rtol=1e-12)


def _irt_attempts(rng, n_students=300):
    """Responses drawn from the model's own form, with known difficulties and no learning; each
    student meets the items in a random order (a fixed order would confound practice and item)."""
    items = {f"i{n}": (("x",) if n % 3 else ("x", "y"), rng.normal(0, 1)) for n in range(40)}
    attempts = []
    for s in range(n_students):
        general, skill = rng.normal(0, 0.8), {"x": rng.normal(0, 0.4), "y": rng.normal(0, 0.4)}
        for item in rng.permutation(list(items)):
            skills, b = items[item]
            logit = general + np.mean([skill[k] for k in skills]) - b
            attempts.append((f"s{s}", item, int(rng.random() < 1 / (1 + np.exp(-logit)))))
    return items, attempts


def test_calibration_recovers_known_difficulties():
    items, attempts = _irt_attempts(np.random.default_rng(1))
    model = calibrate(attempts, {i: s for i, (s, _) in items.items()}, tune=False)
    true = np.array([-b for _, b in items.values()])
    fitted = []
    for item_id in items:  # the logit for an average student: what the data identifies
        params = model.items[item_id]
        ability = np.mean([model.skill_params(k).mu for k in params.skills])
        fitted.append(params.discrimination * ability - params.difficulty)
    fitted = np.array(fitted)
    assert np.corrcoef(true, fitted)[0, 1] > 0.97
    assert np.mean(np.abs(fitted - true)) < 0.25
    slopes = np.array([p.discrimination for p in model.items.values()])
    assert slopes.std() / slopes.mean() < 0.2  # all true discriminations are equal


def test_calibration_uses_hints_for_items_never_attempted():
    items, attempts = _irt_attempts(np.random.default_rng(2), n_students=80)
    skills = {**{i: s for i, (s, _) in items.items()}, "unseen-hard": ("x",), "unseen-easy": ("x",)}
    hints = {**{i: b for i, (_, b) in items.items()}, "unseen-hard": "hard", "unseen-easy": "easy"}
    model = calibrate(attempts, skills, hints, tune=False)
    assert model.items["unseen-hard"].difficulty > model.items["unseen-easy"].difficulty + 1.0
    assert model.cold_start.hint_slope == pytest.approx(1.0, abs=0.3)  # hints here are true difficulties
    later = model.with_new_items({"later": (("x",), "hard")})
    assert later.items["later"].difficulty == pytest.approx(model.items["unseen-hard"].difficulty, abs=0.3)


def test_tuning_picks_priors_from_the_online_log_loss():
    items, attempts = _irt_attempts(np.random.default_rng(4), n_students=120)
    model = calibrate(attempts, {i: s for i, (s, _) in items.items()}, tune=True)
    assert 0.05 < model.general.var < 5 and 0.0 <= model.process_noise <= 0.1

