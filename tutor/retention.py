"""Retention: a conversation idle for longer than ``TUTOR_RETENTION_DAYS`` is deleted by the beat job
``tutor.conversations_expire``, with its messages and every section's rows derived from them, by the same rules
as an erase (learning.privacy: training examples made from it stay, anonymised, with the course as their only
provenance). A conversation is as old as its newest message, so a long-running one in use is kept.

A conversation holding a safeguarding alert nobody has acknowledged is kept until it is acknowledged.

Work goes in batches, each one transaction with its own audit record, so that a first run over years of chats
neither holds one huge transaction nor leaves half a batch behind.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from learning.privacy.registry import Tally
from learning.privacy.services import conversations_forget, retention_audit
from tutor.models import Conversation
from tutor.privacy import unacknowledged_alerts

BATCH = 500


def conversations_expired(*, before: datetime) -> QuerySet[Conversation]:
    """Conversations started and last written to before ``before``, holding no unacknowledged alert."""
    held = unacknowledged_alerts().values("question__conversation_id")
    return (Conversation.objects.filter(created_at__lt=before)
            .annotate(last_message_at=Max("messages__created_at"))
            .filter(Q(last_message_at__lt=before) | Q(last_message_at__isnull=True)).exclude(pk__in=held))


def conversations_expire(*, older_than_days: int, now: datetime | None = None, batch: int = BATCH) -> dict:
    """Delete what retention allows; returns the total counts ({"deleted": ..., "anonymised": ...})."""
    before = (now or timezone.now()) - timedelta(days=older_than_days)
    total = Tally()
    while True:
        with transaction.atomic():
            ids = list(conversations_expired(before=before).order_by("pk").values_list("pk", flat=True)[:batch])
            if not ids:
                return total.as_dict()
            tally = Tally()
            conversations_forget(conversations=Conversation.objects.filter(pk__in=ids), tally=tally)
            retention_audit(tally=tally)
        total.deleted.update(tally.deleted)
        total.anonymised.update(tally.anonymised)
