"""Generating one answer, detached from the socket that asked.

The answer is generated and persisted even if the asking socket (or its whole server) goes away, so a client
that reconnects recovers it with a ``history`` frame. Every frame of an answer goes to the answer's group on the
channel layer: the asking socket joins it before generation starts, and a socket that resyncs with ``history``
joins the groups of the answers still pending there, so it receives the rest of the stream.

Where the answer is generated is configuration: in this process (the embedded layout), or, when
``TUTOR_INFERENCE_CHANNEL`` is set, by an inference worker (``manage.py inference_worker``) that receives the
answer's id through a Redis stream (tutor/handoff.py) and does everything below on its own host.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable

from channels.layers import get_channel_layer
from django.conf import settings

from tutor import errors
from tutor.dbcall import db_sync_to_async
from tutor.drafts import HELD_TEXT, DraftRule
from tutor.engine import get_engine
from tutor.engine.types import Completion, EngineError, EngineOverloaded
from tutor.grounded import GroundedAnswer, grounded_answer
from tutor.groups import answer_group, frame_event
from tutor.models import AskResult
from tutor.prompting import AnswerPlan, answer_plan_for
from tutor.handoff import answer_hand_off
from tutor.languages import in_source_language
from tutor.protocol import answer_frame, error_frame, held_frame, restart_frame, token_frame
from tutor.scoring import FinishedAnswer, Scoring, answer_score
from tutor.services import AnswerCompletion, answer_fail, answers_complete, finished_answer

logger = logging.getLogger(__name__)
_running: set[asyncio.Task] = set()
StoreAnswer = Callable[[AnswerCompletion], Awaitable["float | None"]]  # the stored confidence, or None
ScoreAnswer = Callable[[FinishedAnswer], Awaitable[Scoring]]


async def answer_store(answer: AnswerCompletion) -> float | None:
    """Store one answer in its own transaction (an inference worker stores its answers in batches instead)."""
    return (await db_sync_to_async(answers_complete)(answers=[answer]))[0]


async def answer_score_held(answer: FinishedAnswer) -> Scoring:
    """Score one answer held back for the scorer (an inference worker scores them in batches instead)."""
    return await db_sync_to_async(answer_score)(answer)


def answer_start(*, ask: AskResult, client_msg_id: str) -> asyncio.Task:
    """Generate ``ask``'s answer here or on an inference worker; its frames go to ``answer_group``."""
    if settings.TUTOR_INFERENCE_CHANNEL:
        work = _hand_to_inference_worker(ask.answer.id, client_msg_id)
    else:
        work = answer_generate(ask=ask, client_msg_id=client_msg_id)
    return run_detached(work)


def run_detached(work) -> asyncio.Task:
    task = asyncio.get_running_loop().create_task(work)
    _running.add(task)  # keep a strong reference: the consumer may be gone before the answer is
    task.add_done_callback(_running.discard)
    return task


async def _hand_to_inference_worker(answer_id: int, client_msg_id: str) -> None:
    try:
        await answer_hand_off(answer_id=answer_id, client_msg_id=client_msg_id)
    except Exception as exc:  # the backlog is full or Redis is down: say so now, not after a timeout
        logger.warning("could not hand answer %s to an inference worker: %r", answer_id, exc)
        await _fail(answer_id, client_msg_id, EngineOverloaded.code, EngineOverloaded.detail)


async def answer_generate(*, ask: AskResult, client_msg_id: str, store: StoreAnswer = answer_store,
                          score: ScoreAnswer = answer_score_held, restarted: bool = False,
                          plan: AnswerPlan | None = None) -> None:
    """Generate, store and stream ``ask``'s answer. ``restarted``: a stream of it may have begun elsewhere (a
    worker that died), so the student is told first to drop what they have. ``plan``: already made (an
    inference worker plans a batch of answers at once); None: made here. Raises only when the answer could not
    be stored (the database is down): it is then still pending."""
    answer_id = ask.answer.id
    if restarted:
        await _send(answer_id, restart_frame(answer_id=answer_id))
    try:
        plan = plan or await db_sync_to_async(answer_plan_for)(ask)
        if plan.off_topic:  # the course answers questions on its topic only: nothing is generated
            await _fail(answer_id, client_msg_id, *errors.OFF_TOPIC)
            return
        if plan.draft is None:
            answer, scoring = await _grounded(ask, plan, lambda text: _send_token(answer_id, text), score)
            hold = None
        else:
            answer, scoring, hold = await _maybe_held(ask, plan, score)
    except EngineError as exc:
        await _fail(answer_id, client_msg_id, exc.code, exc.detail)
        return
    except Exception:
        logger.exception("answer %s failed", answer_id)
        await _fail(answer_id, client_msg_id, EngineError.code, EngineError.detail)
        return
    context = _stored_context(plan, answer)
    stored = await store(AnswerCompletion(ask=ask, completion=answer.completion, context=context,
                                          sources=answer.sources, abstained=answer.abstained, scoring=scoring,
                                          hold=hold))
    if stored is None:
        # No longer pending: another worker that was handed the same answer stored its own and sent its frame,
        # or the stale sweep failed it. Either way the stored answer is the one the student keeps.
        logger.info("answer %s was no longer pending; this generation is dropped", answer_id)
        return
    if hold is not None:
        await _send(answer_id, held_frame(answer_id=answer_id, text=in_source_language(HELD_TEXT)))
        return
    await _send(answer_id, answer_frame(answer_id=answer_id, text=answer.text, confidence=stored,
                                        sources=answer.sources, truncated=answer.truncated,
                                        abstained=answer.abstained))


async def _maybe_held(ask: AskResult, plan: AnswerPlan, score: ScoreAnswer
                      ) -> tuple[GroundedAnswer, Scoring, DraftRule | None]:
    """Draft approval applies: the answer is generated hidden and scored; below the course's threshold it is
    held for the teachers (the rule comes back) and the student never sees a token of it, above it the
    student gets it whole. An answer the tutor abstained from is already the honest "not sure": never held."""
    hidden: list[str] = []

    async def keep(text: str) -> None:
        hidden.append(text)

    answer, scoring = await _grounded(ask, plan, keep, score)
    if scoring is None:
        judged = finished_answer(ask=ask, completion=answer.completion,
                                 context={**_stored_context(plan, answer), "abstained": False}, sources=answer.sources)
        scoring = await score(judged)
    if not answer.abstained and scoring.confidence < plan.draft.hold_below:
        return answer, scoring, plan.draft
    await _send_token(ask.answer.id, "".join(hidden))
    return answer, scoring, None


def _stored_context(plan: AnswerPlan, answer: GroundedAnswer) -> dict:
    return {**plan.context, "redactions": answer.redactions, "check": answer.check,
            **({"held_text": answer.held_text} if answer.abstained else {})}


async def _grounded(ask: AskResult, plan: AnswerPlan, emit, score: ScoreAnswer
                   ) -> tuple[GroundedAnswer, Scoring | None]:
    """Generate the answer, its visible text passed to ``emit``; an answer held back for the scorer
    comes with the scorer's verdict, so the stored answer is scored once."""
    verdicts: list[Scoring] = []

    async def judge(completion: Completion) -> float:
        held = finished_answer(ask=ask, completion=completion, context=plan.context)
        verdicts.append(await score(held))
        return verdicts[-1].confidence

    answer = await grounded_answer(get_engine(), plan.request, plan.grounding, plan.style, plan.forbidden,
                                   emit, judge=judge,
                                   abstain_below=plan.abstain_below)
    return answer, (verdicts[-1] if verdicts else None)


async def _send_token(answer_id: int, text: str) -> None:
    if text:
        await _send(answer_id, token_frame(answer_id=answer_id, text=text))


async def _fail(answer_id: int, client_msg_id: str, code: str, detail: str) -> None:
    try:
        await db_sync_to_async(answer_fail)(answer_id=answer_id, code=code)
    except Exception:  # the database is down too: the stale-answer sweep fails it later
        logger.exception("could not record answer %s as failed", answer_id)
    # Worded as the code writes it, like the held notice: each student's socket translates it (tutor.consumers).
    await _send(answer_id, error_frame(code, in_source_language(detail), client_msg_id, message_id=answer_id))


async def _send(answer_id: int, frame: dict) -> None:
    try:
        await get_channel_layer().group_send(answer_group(answer_id), frame_event(frame))
    except Exception as exc:
        # A live frame lost (full channel, channel layer restarting) never loses the answer: it is in the
        # database, and a client that reconnects gets it with `history`.
        logger.warning("dropped a %s frame of answer %s: %r", frame["type"], answer_id, exc)
