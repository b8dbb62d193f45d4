from celery import shared_task
from django.conf import settings

from tutor.services import answers_fail_stale


@shared_task(name="tutor.answers_fail_stale")
def answers_fail_stale_task() -> int:
    # Twice the generation timeout: anything older can no longer be in progress anywhere.
    return answers_fail_stale(older_than_s=2 * settings.TUTOR_GENERATION_TIMEOUT_S + 30)
