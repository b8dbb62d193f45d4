"""Channel-layer group names, and the event that carries a server frame to every socket in a group.

A socket joins ``answer_group`` for each answer it follows and ``student_group`` for as long as it is open;
``TutorConsumer.tutor_frame`` receives ``frame_event`` and sends its frame on unchanged.
"""
from __future__ import annotations

from typing import Any


def answer_group(answer_id: int) -> str:
    """Every frame of one answer (tokens, the answer, its error), wherever it is generated."""
    return f"answer.{answer_id}"


def student_group(student_id: int) -> str:
    """Frames for every socket a student has open, on any server (teachers' corrections)."""
    return f"student.{student_id}"


def frame_event(frame: dict[str, Any]) -> dict[str, Any]:
    return {"type": "tutor.frame", "frame": frame}
