from celery import shared_task
from django.conf import settings

from tutor.alerts import safeguarding_alert_notify, safeguarding_alerts_resend
from tutor.drafts import draft_release_due, drafts_release_overdue
from tutor.retention import conversations_expire
from tutor.services import answers_fail_stale


@shared_task(name="tutor.answers_fail_stale")
def answers_fail_stale_task() -> int:
    # A generation that died, the time for another worker to take it over, and its own generation: anything
    # older can no longer be in progress anywhere.
    return answers_fail_stale(older_than_s=2 * settings.TUTOR_GENERATION_TIMEOUT_S + settings.TUTOR_RECLAIM_S + 30)


@shared_task(name="tutor.safeguarding_alert_notify", bind=True, max_retries=None)
def safeguarding_alert_notify_task(self, alert_id: int) -> bool:
    try:
        return safeguarding_alert_notify(alert_id=alert_id)
    except Exception as exc:
        if self.request.retries >= settings.TUTOR_SAFEGUARDING_NOTIFY_RETRIES:
            raise  # the resend sweep queues it again later: an alert is never given up on
        # Backoff 30 s, 1 min, 2 min ... capped at 30 min.
        raise self.retry(exc=exc, countdown=min(30 * 2 ** self.request.retries, 1800))


@shared_task(name="tutor.safeguarding_alerts_resend")
def safeguarding_alerts_resend_task() -> int:
    return safeguarding_alerts_resend(older_than_s=settings.TUTOR_SAFEGUARDING_RESEND_AFTER_S)


@shared_task(name="tutor.conversations_expire")
def conversations_expire_task() -> dict:
    if settings.TUTOR_RETENTION_DAYS is None:
        return {}  # retention off: conversations are kept until a student's data is erased
    return conversations_expire(older_than_days=settings.TUTOR_RETENTION_DAYS)


@shared_task(name="tutor.draft_release_due")
def draft_release_due_task(draft_id: int) -> str:
    return draft_release_due(draft_id=draft_id)


@shared_task(name="tutor.drafts_release_overdue")
def drafts_release_overdue_task() -> int:
    return drafts_release_overdue()
