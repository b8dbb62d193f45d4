"""What a course's AI settings allow a student's question, checked before it is stored (``question_ask``).

- **The tutor switched off** (``Course.tutor_enabled``): the question is refused with ``tutor_disabled`` and
  nothing is stored. Practice items and their grading are code, not the tutor: they still work.
- **The daily question limit** (``Course.daily_question_limit``, per student, per course, per school day from
  midnight in ``TIME_ZONE``): the question that would go past it is refused with ``daily_limit_reached``, the
  limit and when it resets, and nothing is stored. The count is of the questions stored today, read under a
  lock on the student's enrolment row, in the transaction that stores the question: two sockets of one student
  asking at once queue at the lock, and the second counts the first's question, so the limit is never passed.
  (On SQLite every call runs on one thread and takes the write lock up front, so there is no race either.)

A question that raises a safeguarding alert is never refused by either: its answer is the school's help text,
not the tutor's, and a student in distress must get it (it still counts towards the day's questions).
"""
from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import ngettext

from learning.models import Course, Enrollment
from tutor import errors
from tutor.errors import TutorError
from tutor.school_day import next_day_start
from tutor.selectors import questions_today


def question_allowed_check(*, student: AbstractBaseUser, course: Course) -> None:
    """Raise TutorError when the course's settings refuse another question from ``student`` now. Must run in
    the transaction that stores the question: the lock it takes is what makes the count hold."""
    if not course.tutor_enabled:
        raise TutorError(*errors.TUTOR_DISABLED)
    limit = course.daily_question_limit
    if limit is None:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("question_allowed_check must run inside the transaction that stores the question")
    _lock_enrolment(student, course)
    if questions_today(student=student, course_id=course.id) >= limit:
        raise daily_limit_error(limit)


def daily_limit_error(limit: int) -> TutorError:
    resets_at = next_day_start()
    detail = ngettext(
        "You have asked the %(limit)d question a day this course allows. You can ask again from %(time)s on "
        "%(date)s (%(zone)s); practice questions still work.",
        "You have asked the %(limit)d questions a day this course allows. You can ask again from %(time)s on "
        "%(date)s (%(zone)s); practice questions still work.",
        limit,
    ) % {"limit": limit, "time": date_format(resets_at, "H:i"), "date": date_format(resets_at, "j F"),
         "zone": resets_at.tzname()}
    return TutorError(errors.DAILY_LIMIT_REACHED, detail, limit=limit, resets_at=resets_at.isoformat())


def _lock_enrolment(student: AbstractBaseUser, course: Course) -> None:
    Enrollment.objects.select_for_update().filter(
        user=student, course=course, role=Enrollment.Role.STUDENT).values_list("id", flat=True).first()
