"""Safeguarding alerts: a student's question that signals risk is stored as an alert in the question's own
transaction, the student gets the school's help text instead of a tutor answer, and the course's teachers and
safeguarding contacts are emailed by a Celery task that retries.

Never lost: the alert row exists before anyone is told; ``notified_at`` is set only after the email backend
accepted the message; the task retries with backoff, and the beat task ``tutor.safeguarding_alerts_resend``
queues again any alert still not notified, so an outage of the broker or the mail server delays an alert but
does not drop it. A repeated send (a retry racing the sweep) is possible and preferred to a lost one.
"""
from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from learning.models import Course, Enrollment
from learning.passage_search import shared_encoder
from tutor.celery import task_enqueue
from tutor.models import Message, SafeguardingAlert
from tutor.safeguarding.detector import ExampleSimilarity, Signal, detect

logger = logging.getLogger(__name__)
ALERT_ROLES = (Enrollment.Role.TEACHER, Enrollment.Role.SAFEGUARDING)
NOTIFY_TASK = "tutor.safeguarding_alert_notify"
_similarity_lock = threading.Lock()
_similarity: list = []  # [] not built yet; [None] no encoder; [ExampleSimilarity]


class AlertNotDelivered(RuntimeError):
    """The alert could not be handed to the email backend; the task retries."""


def safeguarding_signal(text: str) -> Signal | None:
    """The risk signal in a student's ``text``: phrases of ``TUTOR_SAFEGUARDING_LANGUAGES``, and the MiniLM
    similarity check where retrieval uses the encoder (``LEARNING_RETRIEVAL=hybrid``)."""
    return detect(text, languages=settings.TUTOR_SAFEGUARDING_LANGUAGES, nearest=_example_similarity())


def _example_similarity() -> ExampleSimilarity | None:
    if settings.LEARNING_RETRIEVAL != "hybrid":
        return None
    with _similarity_lock:
        if not _similarity:
            encoder = shared_encoder()  # loaded on first use, as retrieval loads it; None when unavailable
            _similarity.append(ExampleSimilarity(encoder) if encoder is not None else None)
        return _similarity[0]


def help_text_for(course: Course) -> str:
    return course.safeguarding_help_text.strip() or settings.TUTOR_SAFEGUARDING_HELP_TEXT


def safeguarding_alert_record(*, question: Message, course: Course, signal: Signal) -> SafeguardingAlert:
    """Store the alert (call inside the question's transaction); its notification is queued after commit."""
    alert = SafeguardingAlert.objects.create(
        student_id=question.sender_id, course=course, question=question, kind=signal.kind,
        signal=f"{signal.source}: {signal.evidence}"[:300], text=question.text,
    )
    transaction.on_commit(lambda: _enqueue_notify(alert.id))
    return alert


def _enqueue_notify(alert_id: int) -> None:
    try:
        task_enqueue(NOTIFY_TASK, alert_id)
    except Exception:  # the broker is down: the resend sweep queues it again
        logger.exception("could not queue the notification of safeguarding alert %s", alert_id)


def alert_recipients(*, course_id: int) -> list[str]:
    """The email addresses of the course's active teachers and safeguarding contacts."""
    users = get_user_model().objects.filter(
        is_active=True, enrollments__course_id=course_id, enrollments__role__in=ALERT_ROLES).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def safeguarding_alert_notify(*, alert_id: int) -> bool:
    """Email the alert to its course's teachers and safeguarding contacts; True when sent now, False when it
    had been sent already. Every try is counted; a failure is recorded and raised as AlertNotDelivered."""
    alert = SafeguardingAlert.objects.select_related("course", "student").get(id=alert_id)
    if alert.notified_at is not None:
        return False
    SafeguardingAlert.objects.filter(id=alert_id).update(notify_attempts=F("notify_attempts") + 1)
    recipients = alert_recipients(course_id=alert.course_id)
    try:
        if not recipients:
            raise AlertNotDelivered("no teacher or safeguarding contact of the course has an email address")
        # One email to every recipient, and the project keeps no language per user: the school's (LANGUAGE_CODE).
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = _subject(alert), _body(alert)
        send_mail(subject, body, None, recipients, fail_silently=False)
    except Exception as exc:
        SafeguardingAlert.objects.filter(id=alert_id).update(last_error=repr(exc)[:500])
        raise AlertNotDelivered(str(exc)) from exc
    return SafeguardingAlert.objects.filter(id=alert_id, notified_at=None).update(
        notified_at=timezone.now(), notified_to=", ".join(recipients), last_error="") == 1


def _subject(alert: SafeguardingAlert) -> str:
    return _("Safeguarding alert (%(kind)s) in %(course)s") % {"kind": alert.get_kind_display(),
                                                                "course": alert.course.title}


def _body(alert: SafeguardingAlert) -> str:
    # The student's words stay behind the admin's sign-in; the email says who, where and what kind.
    page = reverse("admin:tutor_safeguardingalert_change", args=[alert.id])
    return _("A message from the student %(student)s in %(course)s may signal %(kind)s (%(when)s UTC).\n\n"
             "Read it and acknowledge it on the alerts page: %(page)s\n\n"
             "The student was shown the school's help text instead of a tutor answer.") % {
        "student": alert.student.get_username(), "course": alert.course.title,
        "kind": str(alert.get_kind_display()).lower(), "when": f"{alert.created_at:%Y-%m-%d %H:%M}", "page": page}


def safeguarding_alerts_resend(*, older_than_s: float) -> int:
    """Queue again every alert still not notified after ``older_than_s`` (its task gave up, or was never
    queued). Returns how many."""
    cutoff = timezone.now() - timedelta(seconds=older_than_s)
    ids = list(SafeguardingAlert.objects.filter(notified_at=None, created_at__lt=cutoff).values_list("id", flat=True))
    for alert_id in ids:
        _enqueue_notify(alert_id)
    return len(ids)


def safeguarding_alerts_acknowledge(*, alerts: QuerySet[SafeguardingAlert], user) -> int:
    """Mark these alerts (already limited to what ``user`` may see) acknowledged by ``user``; an alert is
    acknowledged once, by compare-and-swap. Returns how many changed."""
    return alerts.filter(acknowledged_at=None).update(acknowledged_at=timezone.now(), acknowledged_by=user)
