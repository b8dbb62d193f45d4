"""Learning's section of a student's data: enrolments, practice (items served and attempts), misconceptions
their answers showed, and what the knowledge model holds about them, with the mastery it predicts."""
from __future__ import annotations

from datetime import datetime

from pydantic import JsonValue

from learning.course_knowledge import course_knowledge
from learning.knowledge import StudentState
from learning.models import Attempt, Enrollment, KnowledgeState, ServedItem, StudentMisconception
from learning.privacy.registry import Part, PrivacySection, Student, Tally

LEARNING_LEVEL = 0


class EnrolmentPart(Part):
    course: str
    role: str
    created_at: datetime


class ServingPart(Part):
    id: int
    course: str
    item: str
    mode: str
    served_at: datetime
    answered_at: datetime | None
    skipped_at: datetime | None


class AttemptPart(Part):
    id: int
    course: str
    item: str
    serving: int | None
    response: str
    correct: bool
    misconception: JsonValue
    created_at: datetime


class MisconceptionPart(Part):
    course: str
    key: str
    text: str
    times: int
    first_seen_at: datetime
    last_seen_at: datetime


class KnowledgePart(Part):
    course: str
    state: dict[str, JsonValue]
    version: int
    updated_at: datetime
    mastery: dict[str, float]  # skill key: predicted success on a typical item of it


class LearningPart(Part):
    enrolments: list[EnrolmentPart]
    servings: list[ServingPart]
    attempts: list[AttemptPart]
    misconceptions: list[MisconceptionPart]
    knowledge: list[KnowledgePart]


def learning_export(student: Student) -> LearningPart:
    return LearningPart(
        enrolments=[EnrolmentPart(course=e.course.slug, role=e.role, created_at=e.created_at)
                    for e in Enrollment.objects.filter(user=student).select_related("course").order_by("id")],
        servings=[ServingPart(id=s.pk, course=s.item.course.slug, item=s.item.key, mode=s.mode, served_at=s.served_at,
                              answered_at=s.answered_at, skipped_at=s.skipped_at)
                  for s in ServedItem.objects.filter(student=student).select_related("item__course").order_by("id")],
        attempts=[AttemptPart(id=a.pk, course=a.item.course.slug, item=a.item.key, serving=a.serving_id,
                              response=a.response, correct=a.correct, misconception=a.misconception,
                              created_at=a.created_at)
                  for a in Attempt.objects.filter(student=student).select_related("item__course").order_by("id")],
        misconceptions=[MisconceptionPart(course=m.course.slug, key=m.key, text=m.text, times=m.times,
                                          first_seen_at=m.first_seen_at, last_seen_at=m.last_seen_at)
                        for m in StudentMisconception.objects.filter(student=student).select_related("course")
                        .order_by("id")],
        knowledge=[_knowledge(k) for k in KnowledgeState.objects.filter(student=student).select_related("course")
                   .order_by("id")],
    )


def _knowledge(stored: KnowledgeState) -> KnowledgePart:
    mastery = course_knowledge(course=stored.course).mastery(StudentState.from_dict(stored.state))
    return KnowledgePart(course=stored.course.slug, state=stored.state, version=stored.version,
                         updated_at=stored.updated_at, mastery={key: float(value) for key, value in mastery.items()})


def learning_erase(student: Student, tally: Tally) -> None:
    for model in (Attempt, ServedItem, StudentMisconception, KnowledgeState):
        tally.delete(model.objects.filter(student=student))
    tally.delete(Enrollment.objects.filter(user=student))


LEARNING_SECTION = PrivacySection(key="learning", level=LEARNING_LEVEL, part=LearningPart, export=learning_export,
                                  erase=learning_erase)
