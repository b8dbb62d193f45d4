from celery import shared_task

from annotation.refitting import router_refit, router_refit_due


@shared_task(name="annotation.router_refit", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def router_refit_task(force: bool = False) -> int | None:
    version = router_refit(force=force)
    return version.id if version else None


@shared_task(name="annotation.router_refit_if_due")
def router_refit_if_due() -> int | None:
    """After each verdict, and on a schedule: refit once enough new verdicts have arrived."""
    if not router_refit_due():
        return None
    version = router_refit()
    return version.id if version else None
