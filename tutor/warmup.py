"""Loading the model and the passage indexes at start-up (web server or inference worker), not on a question."""
from __future__ import annotations

import logging
import threading

from django.conf import settings

from learning.passage_search import passage_indexes_warm
from tutor.engine import get_engine

logger = logging.getLogger(__name__)


def warm_up_engine_in_background() -> None:
    """Load the model and the courses' passage indexes on a thread at start-up, so no student waits for them."""
    def load() -> None:
        try:
            getattr(get_engine(), "start", lambda: None)()
        except Exception:  # the first question will report it as a clear error frame
            logger.exception("engine warm-up failed")
        try:
            passage_indexes_warm()
        except Exception:  # the first question of each course builds its index instead
            logger.exception("passage index warm-up failed")

    if settings.TUTOR_WARMUP:
        threading.Thread(target=load, name="engine-warmup", daemon=True).start()
