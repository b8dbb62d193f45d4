"""Real tutor processes for the service tier: ASGI servers and an inference worker on the test database and
Redis, a TCP relay that can cut the database off, and a Redis restart (nothing mocked)."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from email.message import Message

from django.conf import settings

from bench.chat.server import free_port, stop_process

INFERENCE_CHANNEL = "tutor-inference-service-tier"


def shared_database_url(port: int | None = None) -> str:
    """The test database's URL (optionally through another port, such as a relay's)."""
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{port or db['PORT'] or 5432}/{db['NAME']}"


def process_env(*, database_port: int | None = None, **extra: str) -> dict[str, str]:
    """The test process's environment for a tutor process, on the test database."""
    return {**os.environ, "DATABASE_URL": shared_database_url(database_port),
            "TUTOR_INFERENCE_CHANNEL": INFERENCE_CHANNEL, "TUTOR_ENGINE": "fake", "TUTOR_WARMUP": "0",
            "LEARNING_RETRIEVAL": "tfidf", "TUTOR_ASK_RATE": "100000/60", **extra}


@contextmanager
def asgi_server(env: dict[str, str]):
    port = free_port()
    env = {**env, "TUTOR_ALLOWED_ORIGINS": f"http://127.0.0.1:{port}"}  # its own page, on the port it got
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "tutor.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--lifespan", "off", "--no-access-log", "--log-level", "warning"], env=env, cwd=settings.BASE_DIR)
    try:
        wait_until_listening(port, process)
        yield Server(process, port)
    finally:
        stop_process(process)


def handoff_holder_pid(answer_id: int) -> int | None:
    """The pid of the inference worker process holding ``answer_id``'s hand-off entry (its consumer name is
    ``host-pid-suffix``), or None while no worker holds it."""
    import redis
    from django.test import override_settings

    from tutor.handoff import GROUP, handoff_stream

    client = redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)
    with override_settings(TUTOR_INFERENCE_CHANNEL=INFERENCE_CHANNEL):
        key = handoff_stream()
    entries = {entry_id: fields for entry_id, fields in client.xrange(key)}
    for pending in client.xpending_range(key, GROUP, min="-", max="+", count=100):
        if entries.get(pending["message_id"], {}).get("answer_id") == str(answer_id):
            return int(pending["consumer"].rsplit("-", 2)[1])
    return None


def handoff_stream_delete() -> None:
    import redis
    from django.test import override_settings

    from tutor.handoff import handoff_stream

    with override_settings(TUTOR_INFERENCE_CHANNEL=INFERENCE_CHANNEL):
        redis.Redis.from_url(settings.REDIS_URL).delete(handoff_stream())


@contextmanager
def inference_worker(env: dict[str, str]):
    process = subprocess.Popen([sys.executable, "manage.py", "inference_worker"], env=env, cwd=settings.BASE_DIR)
    try:
        time.sleep(1.5)  # it listens once Django is set up; a job sent earlier waits in Redis for it
        yield process
    finally:
        stop_process(process)


class Server:
    def __init__(self, process: subprocess.Popen, port: int):
        self.process, self.port = process, port
        self.ws_url = f"ws://127.0.0.1:{port}/ws/tutor/"

    def get(self, path: str, token: str | None = None) -> tuple[int, Message, dict]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.headers, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, error.headers, json.load(error)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


def wait_until_listening(port: int, process: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout_s} s")


class TcpRelay:
    """Forwards a local port to PostgreSQL; ``cut()`` closes it and every connection through it, as a database
    host that went away would; ``restore()`` listens again on the same port."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = free_port()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._lock = threading.Lock()

    def restore(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets + [self._listener], []
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def redis_restart() -> None:
    """Stop this machine's Redis (everything in it is lost, as it keeps nothing on disk) and start it again
    with the command CI uses."""
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379).shutdown(nosave=True)
    except redis.exceptions.ConnectionError:
        pass  # the connection closes as the server stops
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
            time.sleep(0.1)
        except OSError:
            break
    subprocess.run(["bash", str(settings.BASE_DIR / ".ci" / "services.sh")], check=True, capture_output=True)


@contextmanager
def celery_worker(*, queues: str = "celery", pool: str = "solo", env: dict | None = None):
    """A real Celery worker process on the configured broker, sharing the test database."""
    env = {**os.environ, "DATABASE_URL": shared_database_url(), **(env or {})}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tutor", "worker", f"--pool={pool}", "--concurrency=1",
         "--loglevel=warning", "-Q", queues, "-n", f"{queues.replace(',', '-')}-{os.getpid()}@%h",
         "--without-heartbeat", "--without-gossip", "--without-mingle"],
        env=env, cwd=settings.BASE_DIR,
    )
    try:
        yield worker
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def stale_pending_answer(student, course):
    from datetime import timedelta

    from django.utils import timezone

    from tutor.models import Conversation, Message

    conversation = Conversation.objects.create(student=student, course=course)
    question = Message.objects.create(conversation=conversation, role="student", sender=student, text="q")
    answer = Message.objects.create(conversation=conversation, role="tutor", reply_to=question, status="pending")
    Message.objects.filter(id=answer.id).update(created_at=timezone.now() - timedelta(hours=1))
    return answer
