"""The account itself, the first section of an export and the last thing an erase removes: the user row,
their sessions and the admin's log lines about the account (they name it). Never the password hash."""
from __future__ import annotations

import re
from datetime import datetime

from django.apps import apps
from django.contrib.auth import get_user_model

from learning.privacy.anonymising import identifiers_pattern
from learning.privacy.registry import Part, PrivacySection, Student, Tally

ACCOUNT_LEVEL = -1  # below every app: erased after all of them


class AccountPart(Part):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    is_active: bool
    date_joined: datetime
    last_login: datetime | None


def account_export(student: Student) -> AccountPart:
    return AccountPart(id=student.pk, username=student.get_username(), first_name=getattr(student, "first_name", ""),
                       last_name=getattr(student, "last_name", ""), email=getattr(student, "email", "") or "",
                       is_active=student.is_active, date_joined=student.date_joined, last_login=student.last_login)


def account_erase(student: Student, tally: Tally) -> None:
    _sessions_erase(student, tally)
    if apps.is_installed("django.contrib.admin"):
        from django.contrib.admin.models import LogEntry
        from django.contrib.contenttypes.models import ContentType

        user_type = ContentType.objects.get_for_model(get_user_model())
        tally.delete(LogEntry.objects.filter(content_type=user_type, object_id=str(student.pk)))
    tally.delete(get_user_model().objects.filter(pk=student.pk))


def _sessions_erase(student: Student, tally: Tally) -> None:
    """The student's signed-in sessions: the session table stores the user id only inside the encoded data."""
    if not apps.is_installed("django.contrib.sessions"):
        return
    from django.contrib.sessions.models import Session

    theirs = [session.pk for session in Session.objects.iterator(chunk_size=2000)
              if session.get_decoded().get("_auth_user_id") == str(student.pk)]
    if theirs:
        tally.delete(Session.objects.filter(pk__in=theirs))


def student_pattern(student: Student) -> re.Pattern | None:
    """What identifies the student in text they wrote: their username, names and email (and its local part)."""
    email = getattr(student, "email", "") or ""
    first, last = getattr(student, "first_name", ""), getattr(student, "last_name", "")
    return identifiers_pattern([student.get_username(), first, last, f"{first} {last}", email, email.split("@")[0]])


ACCOUNT_SECTION = PrivacySection(key="account", level=ACCOUNT_LEVEL, part=AccountPart, export=account_export,
                                 erase=account_erase)
