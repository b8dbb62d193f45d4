"""Channel-layer group names, and the event that carries a server frame to every socket in a group.

A socket joins ``answer_group`` for each answer it follows and ``student_group`` for as long as it is open; a
teacher's drafts page joins ``teachers_group`` of each course they teach;
``TutorConsumer.tutor_frame`` receives ``frame_event`` and sends its frame on unchanged.
"""
from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def answer_group(answer_id: int) -> str:
    """Every frame of one answer (tokens, the answer, its error), wherever it is generated."""
    return f"answer.{answer_id}"


def student_group(student_id: int) -> str:
    """Frames for every socket a student has open, on any server (teachers' corrections)."""
    return f"student.{student_id}"


def teachers_group(course_id: int) -> str:
    """Frames for every socket a course's teachers have open on the admin's drafts page (tutor.teacher_socket)."""
    return f"teachers.{course_id}"


def group_frame_send(group: str, frame: dict[str, Any]) -> None:
    """Send ``frame`` to every socket in ``group``, from synchronous code. Best effort: what matters is already
    in the database, and a socket that is not open reads it from there when it comes back."""
    try:
        async_to_sync(get_channel_layer().group_send)(group, frame_event(frame))
    except Exception:  # the channel layer being down must not undo what was stored
        logger.exception("could not push a %s frame to %s", frame.get("type"), group)


def frame_event(frame: dict[str, Any]) -> dict[str, Any]:
    return {"type": "tutor.frame", "frame": frame}
