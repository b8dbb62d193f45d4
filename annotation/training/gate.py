"""The evaluation gate: does a candidate version beat the active one without forgetting? (pure)

Both versions answer the same cases, so they are compared pair by pair (``annotation.training.paired``): a
one-sided exact McNemar test on the cases one version got right and the other wrong, at the significance level
``alpha``. A candidate is promoted only when all of these hold:
- its corrections agree with the course's answer key: a correction that answers one of the course's
  reference questions differently from its key is a conflict, and a batch with too many is refused before
  anything else is believed;
- it is significantly better than the active version on the correction set (held-out rewordings of the
  corrected questions; the corrected questions themselves only when no rewordings exist);
- it is not significantly worse on the golden set, which must not be empty.

The gate judges only what was measured: when any case of either version failed to generate, it does not judge
at all (``judged`` is False) and says which cases failed. A golden set smaller than ``min_golden`` is judged,
with a warning that states the smallest loss it could have detected.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Sequence

from annotation.router.features import question_words
from annotation.training.evaluation import EvalCase, grade
from annotation.training.paired import PairedDifference, paired_difference, smallest_detectable_loss


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
    judged: bool = True  # False: cases failed to generate, so the versions were not compared
    warnings: list[str] = field(default_factory=list)
    differences: dict[str, PairedDifference] = field(default_factory=dict)  # by kind of case
    failed: dict[str, list[str]] = field(default_factory=dict)  # the refs of failed cases, by version
    alpha: float = 0.05

    def as_dict(self) -> dict:
        return {**asdict(self), "differences": {kind: d.as_dict() for kind, d in self.differences.items()}}


@dataclass(frozen=True)
class GatePolicy:
    max_conflict_share: float
    alpha: float = 0.05
    min_golden: int = 30
    confidence: float = 0.95

    def __post_init__(self) -> None:
        if not 0 < self.alpha < 1:
            raise ValueError("alpha (the significance level) must be between 0 and 1")
        if not 0 < self.confidence < 1:
            raise ValueError("confidence must be between 0 and 1")
        if self.min_golden < 1:
            raise ValueError("min_golden must be at least 1")


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


def gate_decide(cases: Sequence[EvalCase], active: Sequence[bool | None], candidate: Sequence[bool | None], *,
                conflicts: int, corrections: int, policy: GatePolicy) -> GateDecision:
    """``active[i]`` and ``candidate[i]``: each version's verdict on ``cases[i]`` (None: its generation failed)."""
    if not len(cases) == len(active) == len(candidate):
        raise ValueError(f"one verdict per case and version: {len(cases)} cases, {len(active)} active, "
                         f"{len(candidate)} candidate")
    refusal = conflict_refusal(conflicts=conflicts, corrections=corrections,
                               max_conflict_share=policy.max_conflict_share)
    failed = {version: [f"{c.kind} {c.ref or i}" for i, (c, v) in enumerate(zip(cases, verdicts)) if v is None]
              for version, verdicts in (("active", active), ("candidate", candidate))}
    if any(failed.values()) and not refusal:
        return GateDecision(promote=False, judged=False, reasons=[_not_judged_reason(failed)],
                            failed={version: refs for version, refs in failed.items() if refs}, alpha=policy.alpha)
    differences = {kind: paired_difference([a for c, a in zip(cases, active) if c.kind == kind],
                                           [b for c, b in zip(cases, candidate) if c.kind == kind],
                                           confidence=policy.confidence)
                   for kind in dict.fromkeys(c.kind for c in cases)}
    reasons = [refusal] if refusal else []
    target = correction_set_kind(differences)
    reasons += _improvement_refusals(target, differences.get(target), policy)
    reasons += _golden_refusals(differences.get("golden"), policy)
    return GateDecision(promote=not reasons, reasons=reasons, differences=differences, alpha=policy.alpha,
                        warnings=_golden_warnings(differences.get("golden"), policy))


def _not_judged_reason(failed: dict[str, list[str]]) -> str:
    parts = [f"{len(refs)} of the {version} version's ({', '.join(refs[:10])}{', …' if len(refs) > 10 else ''})"
             for version, refs in failed.items() if refs]
    return ("Not judged: some answers failed to generate (timed out or the engine was busy), and a failed answer "
            f"is not a wrong one: {'; '.join(parts)}. Run it again when the tutor is less busy.")


def _improvement_refusals(target: str, difference: PairedDifference | None, policy: GatePolicy) -> list[str]:
    if difference is None or not difference.n:
        return ["There are no corrected questions to measure the candidate on."]
    if difference.gains > difference.losses and difference.p_gain <= policy.alpha:
        return []
    return [f"It does not improve significantly on the {target} questions: {describe(difference)}; one-sided "
            f"exact McNemar p = {difference.p_gain:.3g} for a gain, and promotion needs p ≤ {policy.alpha:g}."]


def _golden_refusals(difference: PairedDifference | None, policy: GatePolicy) -> list[str]:
    if difference is None or not difference.n:
        return ["The course has no golden questions (practice items or approved answers), so forgetting "
                "cannot be measured."]
    if difference.losses > difference.gains and difference.p_loss <= policy.alpha:
        return [f"It is significantly worse on the golden set: {describe(difference)}; one-sided exact McNemar "
                f"p = {difference.p_loss:.3g} for a loss (≤ {policy.alpha:g})."]
    return []


def _golden_warnings(difference: PairedDifference | None, policy: GatePolicy) -> list[str]:
    if difference is None or not difference.n or difference.n >= policy.min_golden:
        return []
    smallest = smallest_detectable_loss(difference.n, policy.alpha)
    limit = ("it cannot detect a loss at all, even of every question" if smallest is None else
             f"it cannot detect a loss smaller than {smallest} questions ({100.0 * smallest / difference.n:.0f} "
             "points)")
    return [f"The golden set has only {difference.n} questions (at least {policy.min_golden} wanted): at "
            f"p ≤ {policy.alpha:g} {limit}."]


def describe(difference: PairedDifference) -> str:
    """One difference as the admin and the reports state it."""
    return (f"{difference.difference_points:+.1f} points ({difference.before_right}/{difference.n} → "
            f"{difference.after_right}/{difference.n}; {difference.confidence:.0%} CI {difference.ci_low_points:+.1f} "
            f"to {difference.ci_high_points:+.1f}), {difference.gains} gained and {difference.losses} lost")


def correction_set_kind(differences: dict) -> str:
    """Held-out rewordings when there are any, else the corrected questions themselves."""
    reworded = differences.get("reworded")
    return "reworded" if reworded is not None and reworded.n else "corrected"


def conflict_refusal(*, conflicts: int, corrections: int, max_conflict_share: float) -> str | None:
    """Why a batch is refused for contradicting the answer key, or None (checked before any training too)."""
    if corrections and conflicts > max_conflict_share * corrections:
        return (f"{conflicts} of {corrections} corrections contradict the course's answer key "
                f"(at most {max_conflict_share:.0%} may).")
    return None
