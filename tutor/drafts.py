"""Draft approval: an answer scored below the course's threshold is held for its teachers before the student
reads it (tutor.models.DraftPolicy, Draft).

- Holding: the answer is generated hidden (tutor.answering), scored, and, below ``hold_below``, stored with a
  Draft in HELD; the student gets a ``held`` frame, the course's teachers a ``drafts_changed`` frame, and the
  timeout release is queued with a countdown (``tutor.draft_release_due``; the beat sweep
  ``tutor.drafts_release_overdue`` is the safety net for a lost task).
- Deciding: a teacher approves, edits or rejects it (annotation's review services call ``draft_decide`` inside
  the transaction that resolves the review task); the student's sockets get a ``released`` frame.
- The wait ends: the draft is sent labelled as not yet checked, or stays held, as the policy said when it was
  held. The review task stays open either way.

Every change is a compare-and-swap from HELD, so a decision and the release, or two teachers' decisions, race
safely: exactly one wins, and the loser changes nothing. Pushes go out after commit.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from tutor.celery import task_enqueue_later
from tutor.edit_distance import approved_as_is, levenshtein
from tutor.groups import group_frame_send, student_group, teachers_group
from tutor.languages import SOURCE_LANGUAGE, in_source_language
from tutor.models import Draft, DraftPolicy, Message
from tutor.protocol import DraftView, drafts_changed_frame, released_frame

logger = logging.getLogger(__name__)
Status = Draft.Status

HELD_TEXT = _("Your teacher is checking this answer. It will appear here as soon as they have.")
UNCHECKED_LABEL = _("Not yet checked by your teacher")
REJECTED_TEXT = _("Your teacher decided not to send this answer. Ask them about it, or ask the question in "
                  "another way.")
OUTCOMES = {Status.APPROVED: "approved", Status.EDITED: "edited", Status.REJECTED: "rejected",
            Status.RELEASED: "unchecked"}


@dataclass(frozen=True)
class DraftRule:
    """What the course's policy says for one student's answer: hold below ``hold_below``, wait ``wait_s``,
    then ``on_timeout`` (DraftPolicy.OnTimeout)."""

    hold_below: float
    wait_s: float
    on_timeout: str


def draft_rules_for(*, course_id: int, student_ids: Sequence[int]) -> dict[int, DraftRule | None]:
    """The course's draft rule for each of these students, by student id, where it applies to them (chosen
    students, members of chosen groups, or everyone when none are chosen); None: their answers are never held.
    Read for a batch at once: one query when the course has no draft approval, three or four when it has."""
    policy = DraftPolicy.objects.filter(course_id=course_id).first()
    if policy is None:
        return {student_id: None for student_id in student_ids}
    rule = DraftRule(policy.hold_below, policy.wait_minutes * 60.0, policy.on_timeout)
    chosen = set(policy.students.values_list("id", flat=True))
    groups = list(policy.groups.values_list("id", flat=True))
    members = set(get_user_model().objects.filter(groups__in=groups, id__in=student_ids)
                  .values_list("id", flat=True)) if groups else set()
    everyone = not chosen and not groups
    return {student_id: rule if everyone or student_id in chosen or student_id in members else None
            for student_id in student_ids}


def draft_hold(*, answer_id: int, course_id: int, confidence: float, rule: DraftRule) -> Draft:
    """Record a stored answer as held (inside the store's transaction). After commit: the teachers' pages hear
    of it and the release is queued for when the wait ends."""
    draft = Draft.objects.create(answer_id=answer_id, course_id=course_id, confidence=confidence,
                                 release_at=timezone.now() + timedelta(seconds=rule.wait_s),
                                 on_timeout=rule.on_timeout)
    transaction.on_commit(lambda: _teachers_hear(course_id, answer_id, Status.HELD))
    transaction.on_commit(lambda: _release_later(draft.id, rule.wait_s))
    return draft


def draft_decide(*, answer_id: int, teacher, status: str, text: str = "") -> Draft | None:
    """A teacher's decision on a held draft: APPROVED (as written), EDITED (``text`` is sent instead) or
    REJECTED (the student reads a short message). Runs in the caller's transaction (annotation's review
    services). Returns None, changing nothing, when the answer has no draft that is still held: another
    teacher decided first, or the wait ended and it was sent."""
    draft = Draft.objects.select_related("answer").filter(answer_id=answer_id).first()
    if draft is None or status not in Draft.DECIDED:
        return None
    shown = {Status.APPROVED: draft.answer.text, Status.EDITED: text, Status.REJECTED: ""}[status]
    distance = None if status == Status.REJECTED else levenshtein(draft.answer.text, shown)
    now = timezone.now()
    if Draft.objects.filter(id=draft.id, status=Status.HELD).update(
            status=status, resolved_at=now, decided_by=teacher, edit_distance=distance,
            approved_as_is=distance is not None and approved_as_is(distance)) != 1:
        return None
    if status != Status.APPROVED:
        # Stands in for the draft in history and in later prompts, as a correction does.
        Message.objects.filter(id=answer_id).update(corrected_text=shown or in_source_language(REJECTED_TEXT),
                                                    corrected_at=now)
    draft.refresh_from_db()
    transaction.on_commit(lambda: _announce(draft))
    return draft


def draft_release_due(*, draft_id: int, now: datetime | None = None) -> str:
    """The wait of a held draft has ended: send it labelled "unchecked" ("released"), or mark it overdue and
    keep it held ("kept"), as its policy said. "" when it is not due or no longer held (a teacher decided)."""
    now = now or timezone.now()
    due = Draft.objects.filter(id=draft_id, status=Status.HELD, timed_out_at=None, release_at__lte=now)
    draft = due.first()
    if draft is None:
        return ""
    with transaction.atomic():
        if draft.on_timeout == DraftPolicy.OnTimeout.KEEP:
            return "kept" if due.update(timed_out_at=now) == 1 else ""
        if due.update(status=Status.RELEASED, timed_out_at=now, resolved_at=now) != 1:
            return ""
        draft.refresh_from_db()
        transaction.on_commit(lambda: _announce(draft))
    return "released"


def drafts_release_overdue(*, now: datetime | None = None) -> int:
    """The beat's sweep: release (or mark overdue) every held draft past its wait whose queued release was lost.
    Returns how many changed."""
    now = now or timezone.now()
    overdue = Draft.objects.filter(status=Status.HELD, timed_out_at=None, release_at__lte=now)
    return sum(bool(draft_release_due(draft_id=draft_id, now=now))
               for draft_id in overdue.values_list("id", flat=True)[:1000])


def draft_view(message: Message) -> DraftView | None:
    """How ``message`` shows to its student, when it is a draft (None: it is not one)."""
    draft = _draft_of(message)
    if draft is None:
        return None
    if draft.status == Status.HELD:
        return DraftView("held", str(HELD_TEXT))
    label = str(UNCHECKED_LABEL) if draft.status == Status.RELEASED else None
    text = str(REJECTED_TEXT) if draft.status == Status.REJECTED else message.corrected_text or message.text
    return DraftView(OUTCOMES[draft.status], text, label)



def _draft_of(message: Message) -> Draft | None:
    try:
        return message.draft
    except Draft.DoesNotExist:
        return None


def _announce(draft: Draft) -> None:
    """After commit: the student's sockets get what replaces the held notice; the teachers' pages drop it."""
    answer = Message.objects.select_related("conversation").get(id=draft.answer_id)
    with translation.override(SOURCE_LANGUAGE):  # each student's socket translates it (tutor.consumers)
        view = draft_view(answer)
    frame = released_frame(answer_id=answer.id, conversation_id=answer.conversation_id, outcome=view.outcome,
                           text=view.text, label=view.label)
    group_frame_send(student_group(answer.conversation.student_id), frame)
    _teachers_hear(draft.course_id, answer.id, draft.status)


def _teachers_hear(course_id: int, answer_id: int, status: str) -> None:
    group_frame_send(teachers_group(course_id),
                     drafts_changed_frame(course_id=course_id, answer_id=answer_id, status=status))


def _release_later(draft_id: int, wait_s: float) -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # an eager task would run now, countdown or not: the beat's sweep releases it instead
    try:
        task_enqueue_later("tutor.draft_release_due", draft_id, countdown=wait_s)
    except Exception:  # the broker is down: the beat's sweep releases it (drafts_release_overdue)
        logger.exception("could not queue the release of draft %s", draft_id)
