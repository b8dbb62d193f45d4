from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from learning.models import Course, Enrollment


def courses_for_user(*, user: AbstractBaseUser, role: str) -> QuerySet[Course]:
    return Course.objects.filter(enrollments__user=user, enrollments__role=role).distinct()


def course_get_for_student(*, user: AbstractBaseUser, course_id: int) -> Course | None:
    """The course if ``user`` is enrolled in it as a student, else None (missing and not-yours look the same)."""
    # (user, course, role) is unique, so the join yields at most one row: no DISTINCT needed.
    return Course.objects.filter(id=course_id, enrollments__user=user, enrollments__role=Enrollment.Role.STUDENT).first()
