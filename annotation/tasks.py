from celery import shared_task
from django.conf import settings

from annotation.models import TrainingExample, TrainingRun
from annotation.refitting import router_refit, router_refit_due
from annotation.training_runs import (
    RunBusy, TrainingDataError, training_run_execute, training_run_fail, training_run_note_error,
    training_start_if_due as start_training_if_due,
)
from learning.models import Course


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


# --- retraining ----------------------------------------------------------------------------------------------


@shared_task(name="annotation.training_run", bind=True, acks_late=True, reject_on_worker_lost=True,
             max_retries=None)
def training_run(self, run_id: int) -> str:
    """Run a training run to the gate's decision (queue ``training``).

    Acknowledged only when done, and put back when the worker is lost, so a killed worker's run is resumed
    by the next one from its checkpoint. A failure is retried with exponential back-off
    (ANNOTATION_TRAINING_MAX_RETRIES times), then recorded on the run with its reason.
    """
    try:
        run = training_run_execute(run_id=run_id)
    except RunBusy as busy:
        raise self.retry(countdown=busy.retry_in_s)
    except TrainingDataError as error:
        training_run_fail(run_id=run_id, reason=str(error))
        return "failed"
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"
        attempt = self.request.retries + 1
        if attempt > settings.ANNOTATION_TRAINING_MAX_RETRIES:
            training_run_fail(run_id=run_id, reason=f"Failed after {attempt} attempts. Last error: {reason}")
            return "failed"
        training_run_note_error(run_id=run_id, reason=f"Attempt {attempt} failed, retrying: {reason}")
        raise self.retry(countdown=training_retry_delay_s(attempt))
    return run.status if run else "nothing to do"


def training_retry_delay_s(attempt: int) -> float:
    return min(600.0, 15.0 * 2 ** (attempt - 1))


@shared_task(name="annotation.training_start_if_due")
def training_start_if_due(course_id: int) -> int | None:
    """After each correction: start a run once ANNOTATION_TRAINING_MIN_NEW_CORRECTIONS have accumulated."""
    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        return None
    run = start_training_if_due(course=course, trigger=TrainingRun.Trigger.THRESHOLD,
                minimum=settings.ANNOTATION_TRAINING_MIN_NEW_CORRECTIONS)
    return run.id if run else None


@shared_task(name="annotation.training_start_scheduled")
def training_start_scheduled() -> list[int]:
    """On the schedule: a run for every course with at least ANNOTATION_TRAINING_SCHEDULED_MIN_NEW new corrections."""
    course_ids = TrainingExample.objects.filter(kind=TrainingExample.Kind.CORRECTION).values("course_id").distinct()
    started = []
    for course in Course.objects.filter(id__in=course_ids):
        run = start_training_if_due(course=course, trigger=TrainingRun.Trigger.SCHEDULE,
                    minimum=settings.ANNOTATION_TRAINING_SCHEDULED_MIN_NEW)
        if run:
            started.append(run.id)
    return started
