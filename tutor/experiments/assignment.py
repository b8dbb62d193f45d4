"""Which arm a student is in: a seeded hash of the experiment's id and the student's id (pure).

The same pair always gives the same arm, in every process and after a restart, with no state; the service
records it on the student's first exposure all the same, so that the report reads who was in which arm from
the database, and an arm added later never moves a student who was already assigned.
"""
from __future__ import annotations

import hashlib

# Changing the seed reshuffles every experiment's assignment: never change it while an experiment runs.
ASSIGNMENT_SEED = "tutor-experiments-v1"


def arm_index(*, experiment_id: int, student_id: int, arms: int) -> int:
    """The arm (0 .. arms - 1) of ``student_id`` in ``experiment_id``, each arm equally likely."""
    if arms < 1:
        raise ValueError("an experiment needs at least one arm")
    digest = hashlib.sha256(f"{ASSIGNMENT_SEED}:{experiment_id}:{student_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % arms
