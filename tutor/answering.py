"""Generating one answer, detached from the socket that asked.

The answer is generated and persisted even if the asking socket closes, so a
client that reconnects recovers it with a ``history`` frame. Frames reach the
socket through the channel layer, addressed to its reply channel.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from channels.db import database_sync_to_async
from channels.exceptions import ChannelFull
from channels.layers import get_channel_layer

from tutor.engine import get_engine
from tutor.engine.types import Completion, EngineError, TokenDelta
from annotation.routing import answer_route
from learning.answer_guard import StreamRedactor
from tutor.prompting import answer_plan_for
from tutor.protocol import error_frame
from tutor.services import AskResult, answer_complete, answer_fail

logger = logging.getLogger(__name__)
_running: set[asyncio.Task] = set()


def answer_start(*, ask: AskResult, reply_channel: str, client_msg_id: str) -> asyncio.Task:
    task = asyncio.get_running_loop().create_task(
        answer_generate(ask=ask, reply_channel=reply_channel, client_msg_id=client_msg_id)
    )
    _running.add(task)  # keep a strong reference: the consumer may be gone before the answer is
    task.add_done_callback(_running.discard)
    return task


async def answer_generate(*, ask: AskResult, reply_channel: str, client_msg_id: str) -> None:
    answer_id = ask.answer.id
    try:
        completion, context = await _stream_tokens(ask, reply_channel)
    except EngineError as exc:
        await _fail(answer_id, reply_channel, client_msg_id, exc.code, exc.detail)
        return
    except Exception:
        logger.exception("answer %s failed", answer_id)
        await _fail(answer_id, reply_channel, client_msg_id, EngineError.code, EngineError.detail)
        return
    confidence = await database_sync_to_async(_complete_and_route)(answer_id, completion, context)
    await _send(reply_channel, _answer_frame(answer_id, completion, confidence))


def _complete_and_route(answer_id: int, completion: Completion, context: dict) -> float:
    """Store the answer, then let the router score it (and flag it for teachers): the confidence the
    student sees is the router's. A router failure costs the calibrated score, never the answer."""
    if not answer_complete(answer_id=answer_id, completion=completion, context=context):
        return completion.confidence
    try:
        return answer_route(answer_id=answer_id).p_correct
    except Exception:
        logger.exception("routing answer %s failed; it keeps the engine's confidence", answer_id)
        return completion.confidence


async def _stream_tokens(ask: AskResult, reply_channel: str) -> tuple[Completion, dict]:
    """Stream the answer's tokens to the socket, with an open practice item's answer taken out."""
    answer_id = ask.answer.id
    plan = await database_sync_to_async(answer_plan_for)(ask)
    redactor = StreamRedactor(plan.forbidden)
    completion = None
    async for event in get_engine().stream(plan.request):
        if isinstance(event, TokenDelta):
            await _send_token(reply_channel, answer_id, redactor.feed(event.text))
        else:
            completion = event
    if completion is None:
        raise EngineError("The engine ended without an answer.")
    await _send_token(reply_channel, answer_id, redactor.finish())
    completion = replace(completion, text=redactor.redact(completion.text))
    return completion, {**plan.context, "redactions": redactor.redactions}


async def _send_token(reply_channel: str, answer_id: int, text: str) -> None:
    if text:
        await _send(reply_channel, {"type": "token", "message_id": answer_id, "text": text})


def _answer_frame(answer_id: int, completion: Completion, confidence: float) -> dict:
    return {"type": "answer", "message_id": answer_id, "text": completion.text, "confidence": round(confidence, 4)}


async def _fail(answer_id: int, reply_channel: str, client_msg_id: str, code: str, detail: str) -> None:
    await database_sync_to_async(answer_fail)(answer_id=answer_id, code=code)
    await _send(reply_channel, error_frame(code, detail, client_msg_id, message_id=answer_id))


async def _send(reply_channel: str, frame: dict) -> None:
    try:
        await get_channel_layer().send(reply_channel, {"type": "tutor.frame", "frame": frame})
    except ChannelFull:
        # A socket that stopped reading loses live frames, never the answer: it is in the database.
        logger.warning("reply channel full; dropped a %s frame", frame["type"])
