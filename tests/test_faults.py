"""Faults against the real servers (service tier): a web server or an inference worker killed mid-answer, Redis
restarted, the database cut off. Real processes, real PostgreSQL and Redis; nothing is mocked."""
import asyncio
import json
import os
import signal
import time
import uuid

import pytest
from django.conf import settings
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.processes import (
    TcpRelay, asgi_server, celery_worker, handoff_holder_pid, handoff_stream_delete, inference_worker, process_env,
    redis_restart, stale_pending_answer,
)
from tutor.models import Message
from tutor.services import api_token_issue

pytestmark = [pytest.mark.service, pytest.mark.django_db(transaction=True)]
LONG_QUESTION = "Explain, step by step and with an example, how to add two fractions with different denominators"


def ask(course_id: int, text: str = LONG_QUESTION, conversation=None) -> str:
    return json.dumps({"type": "ask", "course": course_id, "conversation": conversation, "text": text,
                       "client_msg_id": str(uuid.uuid4())})


async def frames_until(ws, kind: str, timeout: float = 30) -> list[dict]:
    frames = []
    while not frames or frames[-1]["type"] != kind:
        frames.append(json.loads(await asyncio.wait_for(ws.recv(), timeout)))
        assert frames[-1]["type"] != "error" or kind == "error", frames[-1]
    return frames


def bearer(token: str) -> dict:
    return {"additional_headers": {"Authorization": f"Bearer {token}"}}


def test_a_web_server_killed_mid_answer_loses_nothing(personas):
    """The student's server dies after the first token; the client reconnects to the other server, resyncs
    with history, and receives the rest of the answer, which the inference worker finished and stored."""
    token = api_token_issue(user=personas.student1)
    env = process_env(TUTOR_FAKE_ENGINE_DELAY_S="0.05")
    with inference_worker(env), asgi_server(env) as first, asgi_server(env) as second:
        async def scenario():
            async with connect(first.ws_url, **bearer(token)) as ws:
                await ws.send(ask(personas.course_a.id))
                ack, token_frame = json.loads(await ws.recv()), json.loads(await asyncio.wait_for(ws.recv(), 30))
                assert (ack["type"], token_frame["type"]) == ("ack", "token")
                first.kill()
                with pytest.raises(ConnectionClosed):
                    await asyncio.wait_for(ws.recv(), 10)
            async with connect(second.ws_url, **bearer(token)) as ws:
                await ws.send(json.dumps({"type": "history", "conversation": ack["conversation"], "after": None}))
                history = json.loads(await ws.recv())
                answer = next(m for m in history["messages"] if m["message_id"] == ack["message_id"])
                if answer["status"] == "pending":
                    answer = (await frames_until(ws, "answer"))[-1]
                return ack, answer

        ack, answer = asyncio.run(scenario())
    stored = Message.objects.filter(conversation_id=ack["conversation"]).order_by("id")
    assert [(m.role, m.status) for m in stored] == [("student", "complete"), ("tutor", "complete")]
    assert stored[1].text == answer["text"] and LONG_QUESTION in answer["text"]


RECLAIM_S = 3.0


def test_an_inference_worker_killed_mid_answer_is_replaced_and_the_answer_completes_once(personas):
    """Two inference workers; the one generating the answer is SIGKILLed after the first token. The other takes
    the answer over once its claim lapses (TUTOR_RECLAIM_S), streams it again from a restart frame, and stores
    it: the student's socket receives it, and one answer row exists."""
    token = api_token_issue(user=personas.student1)
    handoff_stream_delete()
    env = process_env(TUTOR_FAKE_ENGINE_DELAY_S="0.1", TUTOR_RECLAIM_S=str(RECLAIM_S))
    with inference_worker(env) as one, inference_worker(env) as two, asgi_server(env) as server:
        async def scenario():
            async with connect(server.ws_url, **bearer(token)) as ws:
                await ws.send(ask(personas.course_a.id))
                ack = json.loads(await ws.recv())
                assert json.loads(await asyncio.wait_for(ws.recv(), 30))["type"] == "token"
                holder = handoff_holder_pid(ack["message_id"])
                assert holder in (one.pid, two.pid)
                os.kill(holder, signal.SIGKILL)
                killed_at = time.monotonic()
                # The claim lapses at most RECLAIM_S after its last renewal; the survivor looks every tenth of it.
                await frames_until(ws, "restart", timeout=RECLAIM_S * 1.1 + 5)
                reclaimed_after_s = time.monotonic() - killed_at
                frames = await frames_until(ws, "answer", timeout=30)
                return ack, holder, frames, reclaimed_after_s, time.monotonic() - killed_at

        ack, holder, frames, reclaimed_after_s, completed_after_s = asyncio.run(scenario())
        survivor = two if holder == one.pid else one
        assert survivor.poll() is None
    print(f"\nTUTOR_RECLAIM_S={RECLAIM_S}: the answer was taken over {reclaimed_after_s:.1f} s and completed "
          f"{completed_after_s:.1f} s after its worker was killed")
    assert "".join(f["text"] for f in frames if f["type"] == "token") == frames[-1]["text"]
    stored = Message.objects.filter(conversation_id=ack["conversation"]).order_by("id")
    assert [(m.role, m.status) for m in stored] == [("student", "complete"), ("tutor", "complete")]
    assert stored[1].text == frames[-1]["text"] and LONG_QUESTION in frames[-1]["text"]


def test_the_service_recovers_from_a_redis_restart_without_a_restart_of_ours(personas):
    """Redis restarts (and loses everything in it): the same web server and inference worker answer again,
    and a Celery worker on the Redis broker runs tasks again, none of them restarted."""
    from tutor.celery import app

    token = api_token_issue(user=personas.student1)
    env = process_env()

    async def one_answer(server) -> dict:
        async with connect(server.ws_url, **bearer(token)) as ws:
            await ws.send(ask(personas.course_a.id, "What is 1/2 + 1/4?"))
            return (await frames_until(ws, "answer"))[-1]

    with inference_worker(env) as worker, asgi_server(env) as server, celery_worker() as jobs:
        assert "1/2 + 1/4" in asyncio.run(one_answer(server))["text"]
        redis_restart()
        answer, tries = _retry(lambda: asyncio.run(one_answer(server)), seconds=60)
        assert "1/2 + 1/4" in answer["text"]
        stale = stale_pending_answer(personas.student2, personas.course_a)
        app.send_task("tutor.answers_fail_stale")
        _retry(lambda: Message.objects.get(id=stale.id).status == "failed" or None, seconds=60)
        assert server.process.poll() is None and worker.poll() is None and jobs.poll() is None


def test_an_unreachable_database_gives_503s_and_error_frames_then_recovers(personas):
    """The database is cut off under a running server: HTTP answers 503 with Retry-After, a socket's frames get
    service_unavailable errors and the socket stays open, a new handshake is told to come back (1013); the
    server keeps running, and serves normally once the database is back."""
    token = api_token_issue(user=personas.student1)
    relay = TcpRelay(target_port=int(settings.DATABASES["default"]["PORT"] or 5432))
    relay.restore()
    with asgi_server(process_env(database_port=relay.port, TUTOR_INFERENCE_CHANNEL="")) as server:
        assert server.get("/healthz")[0] == 200

        async def during_outage():
            async with connect(server.ws_url, **bearer(token)) as ws:
                relay.cut()
                await ws.send(ask(personas.course_a.id))
                error = json.loads(await asyncio.wait_for(ws.recv(), 30))
                assert (error["type"], error["code"]) == ("error", "service_unavailable")
                async with connect(server.ws_url, **bearer(token)) as refused:
                    frame = json.loads(await asyncio.wait_for(refused.recv(), 30))
                    with pytest.raises(ConnectionClosed) as closed:
                        await asyncio.wait_for(refused.recv(), 10)
                relay.restore()
                await ws.send(ask(personas.course_a.id, "Back again?"))
                return error, frame, closed.value.rcvd.code, await frames_until(ws, "answer")

        status_codes = []
        error, frame, close_code, after = asyncio.run(during_outage())
        relay.cut()
        for path in ("/healthz", "/api/me"):
            status, headers, body = server.get(path, token)
            status_codes.append(status)
            assert headers.get("Retry-After") == "5" and body["error"]["code"] == "service_unavailable"
        relay.restore()
        assert status_codes == [503, 503]
        assert frame["code"] == "service_unavailable" and close_code == 1013
        assert "Back again?" in after[-1]["text"]
        assert server.get("/healthz")[0] == 200 and server.process.poll() is None
    relay.cut()


def _retry(attempt, seconds: float):
    """``attempt()``'s first truthy result within ``seconds``, and how many tries it took."""
    deadline, tries, last = time.monotonic() + seconds, 0, None
    while time.monotonic() < deadline:
        tries += 1
        try:
            result = attempt()
            if result:
                return result, tries
        except Exception as exc:  # still recovering
            last = exc
        time.sleep(0.5)
    raise AssertionError(f"not recovered after {seconds} s ({tries} tries); last error: {last!r}")
