"""Student-knowledge model and adaptive item selection (pure: no Django import).

The Django side needs only these names:

* ``KnowledgeModel``: ``predict(state, item_id)``, ``update(state, item_id, correct)``,
  ``with_new_items({item_id: (skills, hint)})``, ``to_dict()`` / ``from_dict()``;
* ``StudentState`` (``to_dict()`` / ``from_dict()``: {"skills": {skill: {"mu", "var", "attempts"}},
  "last_item": ...}) and ``GENERAL``, the key of the general ability among the skills;
* ``calibrate(attempts, item_skills, hints)`` for the background job;
* ``ItemBank.from_model(model)``, ``Prerequisites.compile(bank, {skill: [prerequisites]})``,
  ``select_diagnose(bank, state)``, ``select_practice(bank, state, prerequisites, target=0.7)`` and
  ``mastery_by_skill(bank, state)``.

See model.py and selection.py for the maths, ``bench.knowledge.benchmark`` for the benchmark.
"""
from learning.knowledge.model import (
    GENERAL, ColdStart, ItemParams, KnowledgeModel, SkillEstimate, SkillParams, StudentState, hint_difficulty,
)
from learning.knowledge.calibration import calibrate
from learning.knowledge.selection import (
    Choice, ItemBank, Prerequisites, items_of_skill, mastery_by_skill, select_diagnose, select_practice,
)

__all__ = [
    "GENERAL", "Choice", "ColdStart", "ItemBank", "ItemParams", "KnowledgeModel", "Prerequisites", "SkillEstimate",
    "SkillParams", "StudentState", "calibrate", "hint_difficulty", "items_of_skill", "mastery_by_skill",
    "select_diagnose",
    "select_practice",
]
