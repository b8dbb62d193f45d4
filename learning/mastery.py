"""A teacher's view of a course: every student's mastery of every skill (selectors)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import fmean

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Max, Q, QuerySet

from learning.course_knowledge import CourseKnowledge, course_knowledge
from learning.knowledge import SkillEstimate, StudentState
from learning.models import Attempt, Course, Enrollment, KnowledgeState, StudentMisconception
from learning.selectors import courses_in_role


@dataclass(frozen=True)
class MasteryCell:
    mastery: float  # predicted success on a typical item of the skill
    attempts: int  # attempts on items of the skill
    practised: bool  # False: the value is the prior / general ability, no practice of this skill behind it


@dataclass(frozen=True)
class StudentMastery:
    student_id: int
    username: str
    cells: tuple[MasteryCell, ...]  # in the order of MasteryTable.skills
    attempts: int
    correct: int
    last_activity: datetime | None

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.attempts if self.attempts else None


@dataclass(frozen=True)
class SkillColumn:
    key: str
    name: str
    class_mean: float | None  # None when the course has no student


@dataclass(frozen=True)
class MasteryTable:
    course: Course
    skills: tuple[SkillColumn, ...]  # every skill that has items, by key
    students: tuple[StudentMastery, ...]  # the course's students, by username
    mastery_level: float


def courses_for_teacher(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Course]:
    """The courses ``user`` teaches; every course for an active superuser."""
    return courses_in_role(user=user, role=Enrollment.Role.TEACHER)


def course_get_for_teacher(*, user: AbstractBaseUser | AnonymousUser, course_id: int) -> Course | None:
    """The course if ``user`` may see its students' mastery, else None (missing and not-yours look the same)."""
    return courses_for_teacher(user=user).filter(pk=course_id).first()


def course_mastery_table(*, course: Course) -> MasteryTable:
    """Every student of the course × every skill with items, in a constant number of queries: the
    students, their knowledge states and their attempt totals are each read in one query."""
    knowledge = course_knowledge(course=course)
    students = (
        get_user_model().objects.filter(enrollments__course=course, enrollments__role=Enrollment.Role.STUDENT)
        .order_by("username").values_list("pk", "username")
    )
    states = dict(KnowledgeState.objects.filter(course=course).values_list("student_id", "state"))
    totals = _attempt_totals(course)
    keys = sorted(knowledge.mastery(StudentState()))
    rows = tuple(
        _student_row(pk, username, knowledge, keys, states.get(pk), totals.get(pk, (0, 0, None)))
        for pk, username in students
    )
    columns = tuple(
        SkillColumn(key, knowledge.skill_names.get(key, key), _mean([row.cells[j].mastery for row in rows]))
        for j, key in enumerate(keys)
    )
    return MasteryTable(course, columns, rows, settings.LEARNING_MASTERY_LEVEL)


def _attempt_totals(course: Course) -> dict[int, tuple[int, int, datetime | None]]:
    """{student id: (attempts, correct attempts, last attempt)} over the course's items, in one grouped query."""
    grouped = (
        Attempt.objects.filter(item__course=course).order_by().values("student_id")
        .annotate(total=Count("pk"), right=Count("pk", filter=Q(correct=True)), last=Max("created_at"))
        .values_list("student_id", "total", "right", "last")
    )
    return {student_id: (total, right, last) for student_id, total, right, last in grouped}


def _student_row(pk: int, username: str, knowledge: CourseKnowledge, keys: list[str], stored: dict | None,
                 totals: tuple[int, int, datetime | None]) -> StudentMastery:
    state = StudentState.from_dict(stored) if stored is not None else StudentState()
    mastery = knowledge.mastery(state)
    cells = tuple(_cell(mastery[key], state.estimates.get(key)) for key in keys)
    return StudentMastery(pk, username, cells, *totals)


def _cell(mastery: float, estimate: SkillEstimate | None) -> MasteryCell:
    # A skill is in the state once it has been practised (states stored before attempts were counted say 0).
    if estimate is None:
        return MasteryCell(mastery, 0, False)
    return MasteryCell(mastery, estimate.attempts, True)


def _mean(values: list[float]) -> float | None:
    return fmean(values) if values else None


@dataclass(frozen=True)
class HeldMisconception:
    key: str
    text: str  # the explanation last shown for it
    times: int  # wrong answers that showed it, all students together
    students: tuple[tuple[str, int], ...]  # (username, times), the most often first


def course_common_misconceptions(*, course: Course, limit: int = 10) -> list[HeldMisconception]:
    """The course's most common misconceptions (by how many students hold them, then how often they showed),
    each with the students who hold it; two queries whatever the size. Only the course's current students."""
    rows = (StudentMisconception.objects
            .filter(course=course, student__enrollments__course=course,
                    student__enrollments__role=Enrollment.Role.STUDENT)
            .order_by("key", "-times", "student__username")
            .values_list("key", "text", "times", "student__username", "last_seen_at"))
    grouped: dict[str, list] = {}
    for key, text, times, username, seen in rows:
        grouped.setdefault(key, []).append((text, times, username, seen))
    held = [HeldMisconception(key, max(entries, key=lambda e: e[3])[0], sum(e[1] for e in entries),
                              tuple((e[2], e[1]) for e in entries))
            for key, entries in grouped.items()]
    held.sort(key=lambda h: (-len(h.students), -h.times, h.key))
    return held[:limit]
