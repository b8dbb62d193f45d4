"""Drive WebSocket students against a running tutor and record what each one saw (no Django here)."""
from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
import uuid
from dataclasses import dataclass, field

from websockets.asyncio.client import connect


@dataclass
class AskOutcome:
    tag: str
    sent_at: float
    conversation: int | None = None
    ack_at: float | None = None
    answer_at: float | None = None
    message_id: int | None = None
    token_times: list[float] = field(default_factory=list)  # when each token frame arrived
    answers: int = 0
    answer_text: str = ""
    error: str | None = None

    @property
    def token_frames(self) -> int:
        return len(self.token_times)

    @property
    def first_token_at(self) -> float | None:
        return self.token_times[0] if self.token_times else None


@dataclass
class SessionLog:
    asks: list[AskOutcome] = field(default_factory=list)
    foreign_frames: int = 0  # frames about a message this student never asked for
    duplicate_frames: int = 0  # frames about an answer this student already had in full

    def classify_stray(self, frame: dict) -> None:
        if frame.get("message_id") in {ask.message_id for ask in self.asks}:
            self.duplicate_frames += 1
        else:
            self.foreign_frames += 1


async def student_session(
    ws_url: str,
    token: str,
    course_id: int,
    questions: list[str],
    *,
    answer_timeout_s: float,
    linger_s: float = 0.0,
    think_s: tuple[float, float] = (0.0, 0.0),
    rng: random.Random | None = None,
    ask_until: float | None = None,
) -> SessionLog:
    """One student: asks ``questions`` in one conversation, each after the previous answer and a think time
    drawn uniformly from ``think_s`` (also before the first ask, so that students don't start in lockstep).
    With ``ask_until`` (a perf_counter time) the questions repeat in a cycle and no new one is asked after it."""
    async with open_student_socket(ws_url, token) as socket:
        return await student_asks(socket, course_id, questions, answer_timeout_s=answer_timeout_s, linger_s=linger_s,
                                  think_s=think_s, rng=rng, ask_until=ask_until)


def open_student_socket(ws_url: str, token: str):
    return connect(ws_url, additional_headers={"Authorization": f"Bearer {token}"}, max_size=2**20, open_timeout=60)


async def student_asks(socket, course_id: int, questions: list[str], *, answer_timeout_s: float, linger_s: float = 0.0,
                       think_s: tuple[float, float] = (0.0, 0.0), rng: random.Random | None = None,
                       ask_until: float | None = None) -> SessionLog:
    """``student_session``'s asks on a socket that is already open."""
    log = SessionLog()
    rng = rng or random.Random(0)
    conversation = None  # the first ask starts a conversation, the rest continue it
    for question in _question_stream(questions, ask_until):
        await asyncio.sleep(rng.uniform(*think_s))
        log.asks.append(await _ask(socket, course_id, conversation, question, log, answer_timeout_s))
        conversation = log.asks[-1].conversation or conversation
    await _linger(socket, log, linger_s)
    return log


def _question_stream(questions: list[str], ask_until: float | None):
    if ask_until is None:
        yield from questions
        return
    for index in itertools.count():
        if time.perf_counter() >= ask_until:
            return
        yield questions[index % len(questions)]


async def _ask(socket, course_id: int, conversation: int | None, question: str, log: SessionLog, timeout_s: float):
    tag = uuid.uuid4().hex[:12]
    frame = {"type": "ask", "course": course_id, "conversation": conversation, "text": f"[{tag}] {question}",
             "client_msg_id": str(uuid.uuid4())}
    outcome = AskOutcome(tag=tag, sent_at=time.perf_counter())
    await socket.send(json.dumps(frame))
    try:
        await asyncio.wait_for(_read_until_answer(socket, outcome, log), timeout_s)
    except TimeoutError:
        outcome.error = "timeout"
    return outcome


async def _read_until_answer(socket, outcome: AskOutcome, log: SessionLog) -> None:
    while outcome.answer_at is None and outcome.error is None:
        _record(json.loads(await socket.recv()), outcome, log)


def _record(frame: dict, outcome: AskOutcome, log: SessionLog) -> None:
    now = time.perf_counter()
    kind = frame["type"]
    if kind == "ack":
        outcome.ack_at, outcome.message_id, outcome.conversation = now, frame["message_id"], frame["conversation"]
    elif frame.get("message_id") != outcome.message_id:
        log.classify_stray(frame)
    elif kind == "token":
        outcome.token_times.append(now)
    elif kind == "answer":
        outcome.answer_at, outcome.answer_text = now, frame["text"]
        outcome.answers += 1
    elif kind == "error":
        outcome.error = frame["code"]


async def _linger(socket, log: SessionLog, linger_s: float) -> None:
    """Listen a little longer: a duplicated or stray answer would arrive now."""
    deadline = time.perf_counter() + linger_s
    while (left := deadline - time.perf_counter()) > 0:
        try:
            frame = json.loads(await asyncio.wait_for(socket.recv(), left))
        except TimeoutError:
            return
        log.classify_stray(frame)


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]
