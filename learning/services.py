from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from learning.content.importing import ImportReport, course_content_import
from learning.models import Course, Enrollment

__all__ = ["ImportReport", "course_content_import", "course_upsert", "enrollment_ensure"]


@transaction.atomic
def course_upsert(*, slug: str, title: str, description: str) -> Course:
    course, _ = Course.objects.update_or_create(slug=slug, defaults={"title": title, "description": description})
    return course


def enrollment_ensure(*, user: AbstractBaseUser, course: Course, role: str) -> Enrollment:
    enrollment, _ = Enrollment.objects.get_or_create(user=user, course=course, role=role)
    return enrollment
