from typing import Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from learning.course_knowledge import CourseKnowledge, course_knowledge, students_states
from learning.knowledge import StudentState
from learning.models import Course, Enrollment, ServedItem


def courses_for_user(*, user: AbstractBaseUser, role: str) -> QuerySet[Course]:
    return Course.objects.filter(enrollments__user=user, enrollments__role=role).distinct()


def courses_in_role(*, user: AbstractBaseUser | AnonymousUser, role: str) -> QuerySet[Course]:
    """The courses where an active ``user`` has ``role`` (teacher or author); every course for an active
    superuser. Students use ``course_get_for_student``: administrators do not practise."""
    if not user.is_authenticated or not user.is_active:
        return Course.objects.none()
    if user.is_superuser:
        return Course.objects.all()
    # (user, course, role) is unique: the join yields each course once.
    return Course.objects.filter(enrollments__user=user, enrollments__role=role)


def course_get_for_student(*, user: AbstractBaseUser, course_id: int) -> Course | None:
    """The course if ``user`` is enrolled in it as a student, else None (missing and not-yours look the same)."""
    # (user, course, role) is unique, so the join yields at most one row: no DISTINCT needed.
    return Course.objects.filter(id=course_id, enrollments__user=user, enrollments__role=Enrollment.Role.STUDENT).first()


def student_weak_skills(*, student: AbstractBaseUser, course: Course, limit: int) -> list[tuple[str, float]]:
    """The student's least-mastered skills that they have practised and not mastered, weakest first, as
    (skill name, predicted success on a typical item)."""
    if limit <= 0:
        return []
    return students_weak_skills(student_ids=[student.pk], course=course, limit=limit)[student.pk]


def students_weak_skills(*, student_ids: Sequence[int], course: Course,
                         limit: int) -> dict[int, list[tuple[str, float]]]:
    """``student_weak_skills`` for many students of one course, with the course's knowledge read once and every
    student's state in one query."""
    if limit <= 0:
        return {student_id: [] for student_id in student_ids}
    knowledge = course_knowledge(course=course)
    states = students_states(student_ids=student_ids, course=course)
    return {student_id: _weakest(knowledge, state, limit) for student_id, state in states.items()}


def _weakest(knowledge: CourseKnowledge, state: StudentState, limit: int) -> list[tuple[str, float]]:
    mastery = knowledge.mastery(state)
    practised = [(k, m) for k, m in mastery.items() if k in state.estimates and m < settings.LEARNING_MASTERY_LEVEL]
    practised.sort(key=lambda pair: pair[1])
    return [(knowledge.skill_names.get(k, k), m) for k, m in practised[:limit]]


def diagnose_answers_count(*, student: AbstractBaseUser, course: Course) -> int:
    """How many diagnose items the student has answered in the course."""
    return ServedItem.objects.filter(student=student, item__course=course, mode=ServedItem.Mode.DIAGNOSE,
                                     answered_at__isnull=False).count()
