"""Exact solving of school calculations, and checking a tutor's answer against the exact result (pure: no
Django). ``solve`` grounds the tutor before it writes; ``check_answer`` verifies what it wrote."""
from learning.solving.checking import Check, Claim, check_answer, result_span_start
from learning.solving.solution import Solution
from learning.solving.solver import solve

__all__ = ["Check", "Claim", "Solution", "check_answer", "result_span_start", "solve"]
