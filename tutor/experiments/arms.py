"""What an experiment's arms may set, and why a set of arms is refused (pure).

Each factor has its own settings; a blank setting is the course's own (a control arm). A factor listed in
``NOT_WIRED`` would change nothing, so an experiment of it is refused rather than run silently doing nothing
(none is today).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

ANSWER_STYLE, GROUNDING, PRACTICE_FLOW, ADAPTER = "answer_style", "grounding", "practice_flow", "adapter"
SETTINGS = {
    ANSWER_STYLE: ("", "explain", "hints"),
    GROUNDING: ("", "on", "off"),
    PRACTICE_FLOW: ("", "diagnose_first", "practice_only"),
    ADAPTER: ("",),  # an adapter arm names a model version instead
}
NOT_WIRED: dict[str, str] = {}
MIN_ARMS, MAX_ARMS = 2, 4


@dataclass(frozen=True)
class ArmSpec:
    name: str
    setting: str
    model_version: int | None = None  # the id of an adapter arm's model version
    version_of_the_course: bool = True  # False: the model version belongs to another course


def factor_error(factor: str) -> str | None:
    return NOT_WIRED.get(factor)


def practice_mode(setting: str, *, requested: str, diagnosed: int, diagnose_first: int) -> str:
    """The practice mode a practice-flow arm serves for a ``requested`` one: ``diagnose_first`` serves diagnose
    items until the student has answered ``diagnose_first`` of them, ``practice_only`` never diagnoses, and the
    blank (control) setting serves what was asked."""
    if setting == "diagnose_first" and requested == "practice" and diagnosed < diagnose_first:
        return "diagnose"
    if setting == "practice_only" and requested == "diagnose":
        return "practice"
    return requested


def arm_errors(factor: str, arms: Sequence[ArmSpec]) -> list[str]:
    """Why these arms cannot run (empty: they can): each arm sets the factor's own settings, no two alike."""
    if not MIN_ARMS <= len(arms) <= MAX_ARMS:
        return [f"An experiment has {MIN_ARMS} to {MAX_ARMS} arms; this one has {len(arms)}."]
    errors = [error for arm in arms if (error := _arm_error(factor, arm))]
    if len({(arm.setting, arm.model_version) for arm in arms}) < len(arms):
        errors.append("Two arms set the same thing: each arm must differ from the others in the factor.")
    return errors


def _arm_error(factor: str, arm: ArmSpec) -> str | None:
    allowed = SETTINGS.get(factor, ())
    if arm.setting not in allowed:
        named = ", ".join(s for s in allowed if s) or "nothing (blank)"
        return f'Arm "{arm.name}": the setting "{arm.setting}" is not one of this factor\'s: {named}.'
    if arm.model_version is not None and factor != ADAPTER:
        return f'Arm "{arm.name}": only adapter experiments name a model version.'
    if not arm.version_of_the_course:
        return f'Arm "{arm.name}": the model version belongs to another course.'
    return None
