"""What lti does when learning says something happened (learning.signals), connected in ``LtiConfig.ready``."""
from __future__ import annotations

import logging

from django.db import transaction

from lti.grades import practice_scores_record
from lti.tasks import score_send_task

logger = logging.getLogger(__name__)


def practice_graded_receive(sender, *, student, course_id: int, **kwargs) -> None:
    """Writes the student's new scores to the outbox, then asks a worker to send them. A broker that is down
    loses nothing: the rows are written, and the beat sweep sends them."""
    for score_id in practice_scores_record(student=student, course_id=course_id):
        transaction.on_commit(lambda score_id=score_id: _enqueue(score_id))


def _enqueue(score_id: int) -> None:
    try:
        score_send_task.delay(score_id)
    except Exception:  # the broker: the row waits for the sweep
        logger.exception("score %s: could not queue its send; the next sweep sends it", score_id)
