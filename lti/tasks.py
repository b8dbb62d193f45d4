"""Celery tasks: thin wrappers over the services. Celery beat runs the sweeps (tutor.settings)."""
from celery import shared_task

from lti.grades import score_send, scores_refresh, scores_send_due
from lti.roster import rosters_sync
from lti.services import login_nonces_purge


@shared_task(name="lti.login_nonces_purge")
def login_nonces_purge_task() -> int:
    return login_nonces_purge()


@shared_task(name="lti.score_send")
def score_send_task(score_id: int) -> str:
    """The send right after a graded item; a failure leaves the row to ``scores_send_due``'s retries."""
    return score_send(score_id=score_id)


@shared_task(name="lti.scores_send_due")
def scores_send_due_task() -> dict:
    return scores_send_due()


@shared_task(name="lti.scores_refresh")
def scores_refresh_task() -> int:
    changed = scores_refresh()
    scores_send_due()
    return changed


@shared_task(name="lti.rosters_sync")
def rosters_sync_task() -> dict:
    return rosters_sync()
