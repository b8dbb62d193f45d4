"""Which course role an LTI launch's roles claim gives. Pure: no Django.

Only context (membership) roles count: an institution role says what someone is at the school, not in this
course. A role is written in full (``http://purl.imsglobal.org/vocab/lis/v2/membership#Learner``) or, as older
platforms send it, by its bare name (``Learner``). A teaching assistant teaches; a mentor, an observer or a
content developer gets no role here, and a launch with only such roles is refused.
"""
from __future__ import annotations

from enum import Enum

CONTEXT_PREFIX = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


class CourseRole(str, Enum):
    LEARNER = "learner"
    INSTRUCTOR = "instructor"


ROLE_NAMES = {
    "Learner": CourseRole.LEARNER,
    "Instructor": CourseRole.INSTRUCTOR,
    "Instructor#TeachingAssistant": CourseRole.INSTRUCTOR,
    "TeachingAssistant": CourseRole.INSTRUCTOR,
}


def course_roles(claim: object) -> set[CourseRole] | None:
    """The course roles a roles claim gives; None when the claim is missing, empty or not a list of strings,
    an empty set when it names only roles this tool does not map."""
    if not isinstance(claim, list) or not claim or not all(isinstance(role, str) for role in claim):
        return None
    found = set()
    for role in claim:
        name = role.removeprefix(CONTEXT_PREFIX) if role.startswith(CONTEXT_PREFIX) else role
        if name in ROLE_NAMES and (role.startswith(CONTEXT_PREFIX) or "/" not in role):
            found.add(ROLE_NAMES[name])
    return found
