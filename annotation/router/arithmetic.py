"""Checking a tutor's calculation in code (pure), with the project's one exact solver (``learning.solving``):
when the question is a calculation it can do, the answer's stated equations and result are judged against the
exact solution. Cheap, and a small model's arithmetic is where it is most often wrong.

An answer the grounded tutor wrote from the solver's verified working carries a check record
(``{"kind": "solver", "status", "regenerated", "fallback"}``) saying how its explanation fared; that record,
not a second reading of the text, decides whether what it shows was verified: the working it shows first is
exact by construction, and a hint may show steps without a result, which a text check would misread.
"""
from __future__ import annotations

from typing import Literal, Mapping

from learning.solving import check_answer, solve

Status = Literal["agrees", "contradicts", "no_result"]
Verdict = Literal["verified", "contradicted", "unchecked"]


def solver_status(question: str, answer: str) -> Status | None:
    """How the answer fares against the exact solution of the question; None when the solver cannot do it."""
    solution = solve(question)
    return None if solution is None else check_answer(solution, answer).status


def agreement(status: Status | None) -> float:
    """+1 when the answer agrees with the exact solution, -1 when it contradicts it or states no result,
    0 when the question is no calculation the solver does."""
    if status is None:
        return 0.0
    return 1.0 if status == "agrees" else -1.0


def arithmetic_agreement(question: str, answer: str) -> float:
    return agreement(solver_status(question, answer))


def solver_verdict(status: Status | None, record: Mapping) -> Verdict:
    """Whether the result an answer shows was verified by the solver, contradicted by it, or neither.

    ``record`` is the answer's check record (empty for an older answer, or one written without the solver):
    a solver record is verified unless its explanation still contradicted the solution and was not replaced;
    without one, ``status`` (the answer's text checked against the solution) decides."""
    if record.get("kind") == "solver":
        unrepaired = record.get("status") == "contradicts" and not record.get("fallback")
        return "contradicted" if unrepaired else "verified"
    if status == "agrees":
        return "verified"
    return "contradicted" if status == "contradicts" else "unchecked"
