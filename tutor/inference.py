"""The inference worker: answers generated on the host that holds the model (``manage.py inference_worker``).

Web servers store the question and its pending answer, then send the answer's id to
``settings.TUTOR_INFERENCE_CHANNEL``; any worker listening on that channel takes it, reads what the answer needs
from the database, generates it with its own engine (batching every answer it is working on), stores it and
streams its frames to the answer's group, so they reach the student on whichever server their socket is.
"""
from __future__ import annotations

import logging

from channels.consumer import AsyncConsumer

from tutor.dbcall import db_sync_to_async
from tutor.answering import answer_generate, run_detached
from tutor.errors import database_unreachable
from tutor.selectors import pending_ask

logger = logging.getLogger(__name__)


class InferenceConsumer(AsyncConsumer):
    async def answer_generate(self, message: dict) -> None:
        """Start the answer and return at once, so this worker takes the next one while it generates."""
        try:
            ask = await db_sync_to_async(pending_ask)(answer_id=int(message["answer_id"]))
        except Exception as exc:
            if not database_unreachable(exc):
                raise
            # The answer stays pending; the stale-answer sweep fails it once the database is back.
            logger.warning("database unreachable; answer %s not started: %r", message["answer_id"], exc)
            return
        if ask is None:  # answered already (a repeated delivery) or failed by the stale-answer sweep
            logger.info("answer %s is no longer pending; nothing to do", message["answer_id"])
            return
        run_detached(answer_generate(ask=ask, client_msg_id=str(message.get("client_msg_id") or "")))
