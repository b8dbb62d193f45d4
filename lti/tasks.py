from celery import shared_task

from lti.services import login_nonces_purge


@shared_task(name="lti.login_nonces_purge")
def login_nonces_purge_task() -> int:
    return login_nonces_purge()
