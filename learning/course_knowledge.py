"""The knowledge model of one course, as the app uses it: calibrated parameters (or the cold start),
the bank of selectable items and the prerequisite graph, built once per content revision.

Items are known to the pure model by their stable keys and skills by theirs, so a student's state
survives re-imports. Building the bank for a large course costs tens of milliseconds, so the built
object is cached in process and rebuilt when ``Course.content_revision`` (bumped by every import) or
``Course.knowledge_revision`` (bumped by every calibration) moves, in every process, through the database.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from django.db.models import F

from learning.course_cache import CourseCache
from learning.knowledge import ItemBank, KnowledgeModel, Prerequisites, StudentState, mastery_by_skill
from learning.models import Course, Item, KnowledgeCalibration, KnowledgeState, Skill

_cache: CourseCache[CourseKnowledge] = CourseCache(revision_fields=("content_revision", "knowledge_revision"))


@dataclass(frozen=True)
class CourseKnowledge:
    course_id: int
    revision: tuple  # (content revision, knowledge revision)
    model: KnowledgeModel
    bank: ItemBank | None  # None when the course has no live item
    prerequisites: Prerequisites | None
    item_pk_by_key: dict[str, int]
    skill_names: dict[str, str]

    def mastery(self, state: StudentState) -> dict[str, float]:
        """{skill key: predicted success on a typical item of it} for every skill with items."""
        return mastery_by_skill(self.bank, state) if self.bank is not None else {}


def course_knowledge(*, course: Course) -> CourseKnowledge:
    """The course's knowledge model at its current content revision (cached per process)."""
    return _cache.get(course, lambda revisions: _build(course.pk, revisions))


def course_revision_bump(*, course_id: int) -> None:
    """The course's content changed (an import): every cache of it reloads."""
    Course.objects.filter(pk=course_id).update(content_revision=F("content_revision") + 1)


def knowledge_revision_bump(*, course_id: int) -> None:
    """The course's calibration changed: knowledge models reload, passage indexes are kept."""
    Course.objects.filter(pk=course_id).update(knowledge_revision=F("knowledge_revision") + 1)


def _build(course_id: int, revision: tuple) -> CourseKnowledge:
    items = list(Item.objects.filter(course_id=course_id).prefetch_related("skills").order_by("key"))
    skills = list(Skill.objects.filter(course_id=course_id).prefetch_related("prerequisites"))
    model = _calibrated_model(course_id)
    specs = {i.key: ([s.key for s in i.skills.all()], i.difficulty_hint or None) for i in items}
    model = model.with_new_items({key: spec for key, spec in specs.items() if spec[0] and _unknown(model, key, spec[0])})
    live = [i.key for i in items if not i.retired and i.key in model.items]
    bank = ItemBank.from_model(model, live) if live else None
    prerequisites = None
    if bank is not None:
        graph = {s.key: [p.key for p in s.prerequisites.all()] for s in skills}
        prerequisites = Prerequisites.compile(bank, graph)
    return CourseKnowledge(
        course_id, revision, model, bank, prerequisites,
        {i.key: i.pk for i in items}, {s.key: s.name for s in skills},
    )


def _unknown(model: KnowledgeModel, key: str, skills: list[str]) -> bool:
    """True when calibration has not seen the item, or saw it with other skills (then it is cold-started)."""
    return key not in model.items or set(model.items[key].skills) != set(skills)


def _calibrated_model(course_id: int) -> KnowledgeModel:
    calibration = KnowledgeCalibration.objects.filter(course_id=course_id).first()
    return KnowledgeModel.from_dict(calibration.model) if calibration else KnowledgeModel(items={})


def students_states(*, student_ids: Iterable[int], course: Course) -> dict[int, StudentState]:
    """``student_state`` for many students in one query (the prior for those with nothing stored)."""
    ids = set(student_ids)
    rows = KnowledgeState.objects.filter(student_id__in=ids, course=course).values_list("student_id", "state")
    stored = {student_id: StudentState.from_dict(state) for student_id, state in rows}
    return {student_id: stored[student_id] if student_id in stored else StudentState() for student_id in ids}


def student_state(*, student, course: Course) -> tuple[StudentState, int]:
    """The student's state in the course and its version (0 and the prior when nothing is stored)."""
    row = KnowledgeState.objects.filter(student=student, course=course).values_list("state", "version").first()
    if row is None:
        return StudentState(), 0
    return StudentState.from_dict(row[0]), row[1]
