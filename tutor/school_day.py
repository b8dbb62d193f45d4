"""The school's day: daily limits and budgets count from midnight in the school's time zone (``TIME_ZONE``, set
by ``TUTOR_TIME_ZONE``), not from midnight UTC, so that a school's "today" ends when its night begins."""
from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone


def day_start(now: datetime | None = None) -> datetime:
    """Midnight that began the school's current day."""
    local = timezone.localtime(now or timezone.now())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def next_day_start(now: datetime | None = None) -> datetime:
    """Midnight that ends the school's current day. Adding a day to a zoneinfo time is wall-clock arithmetic: a
    day with a clock change is 23 or 25 hours long, and still ends at midnight."""
    return day_start(now) + timedelta(days=1)
