"""The evaluation gate: does a candidate version beat the active one without forgetting? (pure)

A candidate is promoted only when all of these hold:
- its corrections agree with the course's answer key: a correction that answers one of the course's
  reference questions differently from its key is a conflict, and a batch with too many is refused before
  anything else is believed;
- it is more accurate than the active version on the correction set (held-out rewordings of the corrected
  questions; the corrected questions themselves only when no rewordings exist);
- it loses at most ``golden_tolerance_points`` percentage points on the golden set, which must not be empty.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Sequence

from annotation.router.features import question_words
from annotation.training.evaluation import EvalCase, SetScore, grade


@dataclass(frozen=True)
class Conflict:
    correction_ref: str
    reference_ref: str
    question: str
    expected: tuple[str, ...]


@dataclass(frozen=True)
class GateDecision:
    promote: bool
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


QUESTION_SIMILARITY = 0.6


def answer_key_conflicts(corrections: Sequence[tuple[str, str, str]], references: Sequence[EvalCase]) -> list[Conflict]:
    """Corrections ``(ref, question, answer)`` that answer a reference question against its key."""
    conflicts = []
    for ref, question, answer in corrections:
        match = _closest_reference(question, references)
        if match is not None and not grade(match, answer):
            conflicts.append(Conflict(ref, match.ref, question, match.gold))
    return conflicts


def _closest_reference(question: str, references: Sequence[EvalCase]) -> EvalCase | None:
    words = question_words(question)
    best, best_score = None, 0.0
    for reference in references:
        other = question_words(reference.question)
        score = len(words & other) / len(words | other) if words | other else 0.0
        if score > best_score:
            best, best_score = reference, score
    return best if best_score >= QUESTION_SIMILARITY else None


def gate_decide(active: dict[str, SetScore], candidate: dict[str, SetScore], *, conflicts: int, corrections: int,
                max_conflict_share: float, golden_tolerance_points: float) -> GateDecision:
    refusal = conflict_refusal(conflicts=conflicts, corrections=corrections, max_conflict_share=max_conflict_share)
    reasons = [refusal] if refusal else []
    target = correction_set_kind(candidate)
    new, old = candidate.get(target, SetScore(0, 0)), active.get(target, SetScore(0, 0))
    if not new.total:
        reasons.append("There are no corrected questions to measure the candidate on.")
    elif new.accuracy <= old.accuracy:
        reasons.append(f"It does not improve on the {target} questions: {new.accuracy:.1f}% vs {old.accuracy:.1f}%.")
    golden_new, golden_old = candidate.get("golden", SetScore(0, 0)), active.get("golden", SetScore(0, 0))
    if not golden_new.total:
        reasons.append("The course has no golden questions (practice items or approved answers), so forgetting "
                       "cannot be measured.")
    elif golden_new.accuracy < golden_old.accuracy - golden_tolerance_points:
        reasons.append(
            f"It loses {golden_old.accuracy - golden_new.accuracy:.1f} points on the golden set "
            f"({golden_new.accuracy:.1f}% vs {golden_old.accuracy:.1f}%; at most {golden_tolerance_points:g} allowed)."
        )
    return GateDecision(promote=not reasons, reasons=reasons)


def correction_set_kind(scores: dict[str, SetScore]) -> str:
    """Held-out rewordings when there are any, else the corrected questions themselves."""
    return "reworded" if scores.get("reworded", SetScore(0, 0)).total else "corrected"


def conflict_refusal(*, conflicts: int, corrections: int, max_conflict_share: float) -> str | None:
    """Why a batch is refused for contradicting the answer key, or None (checked before any training too)."""
    if corrections and conflicts > max_conflict_share * corrections:
        return (f"{conflicts} of {corrections} corrections contradict the course's answer key "
                f"(at most {max_conflict_share:.0%} may).")
    return None
