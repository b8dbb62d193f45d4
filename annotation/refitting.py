"""Refitting the router from teachers' verdicts (a service, run by Celery)."""
from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from annotation.models import RouterVersion
from annotation.router.evaluation import out_of_fold_p, router_report
from annotation.router.model import NotEnoughVerdicts, fit_router
from annotation.selectors import verdict_training_rows, verdicts_after

logger = logging.getLogger(__name__)


def router_refit_due() -> bool:
    newest = RouterVersion.objects.order_by("-id").values_list("last_verdict_id", flat=True).first() or 0
    return verdicts_after(task_id=newest) >= settings.ANNOTATION_ROUTER_REFIT_EVERY


def router_refit(*, force: bool = False) -> RouterVersion | None:
    """Fit a router to every verdict so far and make it the active one.

    Does nothing (returns None) without enough verdicts of both kinds, or, unless ``force``, when no
    verdict arrived since the newest version: a task delivered twice creates one version."""
    rows, correct, last_task_id = verdict_training_rows()
    newest = RouterVersion.objects.order_by("-id").first()
    if not force and newest is not None and newest.last_verdict_id >= last_task_id:
        return None
    try:
        model = fit_router(rows, correct, min_per_class=settings.ANNOTATION_ROUTER_MIN_PER_CLASS)
    except NotEnoughVerdicts as exc:
        logger.info("router not refitted: %s", exc)
        return None
    report = router_report(out_of_fold_p(rows, correct), correct)
    with transaction.atomic():
        # Two workers refitting at once: the second finds the first's version and adds none.
        if not force and RouterVersion.objects.select_for_update().filter(last_verdict_id__gte=last_task_id).exists():
            return None
        return RouterVersion.objects.create(
            model=model.as_json(), verdicts_used=len(correct), last_verdict_id=last_task_id, metrics=report)
