"""Export and erase one student's data, and forget conversations (an erased student's, or expired ones).

Callers: ``manage.py student_data``, the user admin's actions, and tutor's retention job. Erase is one
transaction: every section's rows and the account go together, or, on any failure, nothing does. Each erase,
export and expiry writes a ``PrivacyAudit`` holding counts and a random reference, nothing about the student.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from learning.models import PrivacyAudit
from learning.privacy.document import SCHEMA_VERSION, document_model
from learning.privacy.registry import Conversations, Student, Tally, sections_bottom_up, sections_top_down


class PrivacyRefused(Exception):
    """The request cannot be carried out as asked; the message says why and what to do."""


def student_get(*, ref: str) -> Student:
    """The account named by its username or, when ``ref`` is all digits and no username matches, its id."""
    users = get_user_model().objects
    user = users.filter(**{get_user_model().USERNAME_FIELD: ref}).first()
    if user is None and ref.isdigit():
        user = users.filter(pk=int(ref)).first()
    if user is None:
        raise PrivacyRefused(f"no user with the username or id {ref!r}; expected an existing student's username "
                             "or numeric id")
    return user


def student_data_export(*, student: Student, channel: str) -> dict:
    """The student's data as the schema's JSON-ready dict; records an export audit (counts only)."""
    parts = {section.key: section.export(student) for section in sections_bottom_up()}
    document = document_model()(schema_version=SCHEMA_VERSION, exported_at=timezone.now(), **parts)
    data = document.model_dump(mode="json")
    PrivacyAudit.objects.create(action=PrivacyAudit.Action.EXPORT, channel=channel,
                                counts={"exported": _exported_counts(data)})
    return data


def _exported_counts(data: dict) -> dict:
    """How many records of each list the document holds, by "section.list": the audit's only content."""
    return {f"{key}.{name}": len(value) for key, part in data.items() if isinstance(part, dict)
            for name, value in part.items() if isinstance(value, list)}


def student_erase_refusal(*, student: Student) -> str:
    """Why this account's data may not be erased now, or "" when it may."""
    if student.is_staff or student.is_superuser:
        return (f"{student.get_username()} is a staff account; student_data erases students only (remove a staff "
                "account in the user admin)")
    reasons = [section.erase_refusal(student) for section in sections_top_down() if section.erase_refusal]
    return "; ".join(reason for reason in reasons if reason)


def student_data_erase(*, student: Student, channel: str) -> PrivacyAudit:
    """Delete or anonymise everything held about the student and the account itself, in one transaction."""
    refusal = student_erase_refusal(student=student)
    if refusal:
        raise PrivacyRefused(refusal)
    tally = Tally()
    with transaction.atomic():
        # A question being written for the student meanwhile takes a key-share lock on their row: holding the row
        # for update makes it wait for the erase and then fail, instead of making the erase fail at commit.
        list(get_user_model().objects.select_for_update().filter(pk=student.pk).values_list("pk", flat=True))
        for section in sections_top_down():
            section.erase(student, tally)
        return PrivacyAudit.objects.create(action=PrivacyAudit.Action.ERASE, channel=channel, counts=tally.as_dict())


def conversations_forget(*, conversations: Conversations, tally: Tally) -> None:
    """Every section's rows derived from these conversations, then the conversations: the caller's transaction."""
    for section in sections_top_down():
        if section.forget_conversations is not None:
            section.forget_conversations(conversations, tally)


def retention_audit(*, tally: Tally) -> PrivacyAudit:
    return PrivacyAudit.objects.create(action=PrivacyAudit.Action.RETENTION, channel=PrivacyAudit.Channel.RETENTION_JOB,
                                       counts=tally.as_dict())
