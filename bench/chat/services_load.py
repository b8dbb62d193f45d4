"""The scaled layout under load: two ASGI servers and an inference worker on PostgreSQL and the Redis channel
layer, hundreds of WebSocket students on loopback (see `manage.py services_bench --help`)."""
from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, asynccontextmanager, contextmanager
from pathlib import Path

from bench.chat.chat_bench import QUESTIONS, _protocol_report
from bench.chat.chat_load import open_student_socket, student_asks
from bench.chat.server import REPO, Server, free_port, stop_process

INFERENCE_CHANNEL = "tutor-inference-bench"


def run_services_load(*, clients: int, asks: int, servers: int, think_s: tuple[float, float], seed: int,
                      database_url: str, redis_url: str, baseline_clients: int, max_seconds: float) -> dict:
    """A small run (the baseline), then the full one, on the same processes: ack latency as a ratio of the
    small run's, since machines are noisy; memory per connection from the servers' RSS with every socket open."""
    with services_layout(students=clients, servers=servers, database_url=database_url, redis_url=redis_url) as layout:
        small = _run(layout, layout.tokens[:baseline_clients], asks, think_s, seed, max_seconds)
        full = _run(layout, layout.tokens, asks, think_s, seed + 1, max_seconds)
    ratio = (full["ack_ms_p95"] / small["ack_ms_p95"]) if full["ack_ms_p95"] and small["ack_ms_p95"] else None
    return {"servers": servers, "full": full, "baseline": small,
            "ack_p95_vs_baseline": round(ratio, 2) if ratio else None}


def _run(layout: "Layout", tokens: list[str], asks: int, think_s, seed: int, max_seconds: float) -> dict:
    started = time.perf_counter()
    logs, rss_before, rss_idle = asyncio.run(
        asyncio.wait_for(_sessions(layout, tokens, asks, think_s, seed), max_seconds))
    report = _protocol_report(logs, len(tokens), asks, time.perf_counter() - started)
    report["connections_per_server"] = len(tokens) / len(layout.servers)
    report["server_rss_mib_before_connecting"] = rss_before
    report["server_rss_mib_all_connected_idle"] = rss_idle
    report["kib_per_idle_connection"] = round(
        sum(after - before for after, before in zip(rss_idle, rss_before)) * 1024 / len(tokens), 1)
    return report


async def _sessions(layout: "Layout", tokens: list[str], asks: int, think_s, seed: int):
    """Every student connects (round-robin over the servers), the servers' memory is read before and with all
    sockets open and idle (meaningful once a first run has warmed the servers up), then every student asks."""
    questions = [QUESTIONS[i % len(QUESTIONS)] for i in range(asks)]
    rss_before = layout.rss_mib()
    async with _all_connected(layout, tokens) as sockets:
        await asyncio.sleep(1.0)
        rss_idle = layout.rss_mib()
        logs = await asyncio.gather(*(
            student_asks(socket, layout.course_id, questions, answer_timeout_s=60, linger_s=1.0, think_s=think_s,
                         rng=random.Random(seed * 100_003 + i))
            for i, socket in enumerate(sockets)))
    return list(logs), rss_before, rss_idle


@asynccontextmanager
async def _all_connected(layout: "Layout", tokens: list[str]):
    gate = asyncio.Semaphore(50)  # connect in waves: a handshake storm is not what is measured here

    async def open_one(i: int, token: str):
        async with gate:
            return await open_student_socket(layout.servers[i % len(layout.servers)].ws_url, token).__aenter__()

    sockets = await asyncio.gather(*(open_one(i, t) for i, t in enumerate(tokens)))
    try:
        yield sockets
    finally:
        await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)


class Layout:
    def __init__(self, servers: list[Server], tokens: list[str], course_id: int):
        self.servers, self.tokens, self.course_id = servers, tokens, course_id

    def rss_mib(self) -> list[float]:
        return [rss_mib(server.process.pid) for server in self.servers]


@contextmanager
def services_layout(*, students: int, servers: int, database_url: str, redis_url: str):
    """A throwaway PostgreSQL database and Redis database index, ``servers`` ASGI servers and one inference
    worker (fake engine), all on loopback; everything is stopped and dropped afterwards."""
    name = f"tutor_bench_{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="tutor-services-bench-") as tmp, ExitStack() as stack:
        env = layout_env(Path(tmp), f"{database_url.rstrip('/')}/{name}", redis_url)
        stack.callback(database_drop, env)
        layout_prepare(env, students, Path(tmp) / "tokens.json")
        worker = process_start(stack, [sys.executable, "manage.py", "inference_worker"], env)
        started = [server_start(stack, env) for _ in range(servers)]
        for server in started:
            server.wait_ready(120)
        tokens = json.loads((Path(tmp) / "tokens.json").read_text())
        layout = Layout(started, tokens, started[0].course_id(tokens[0]))
        if worker.poll() is not None:
            raise RuntimeError("the inference worker exited")
        yield layout


def layout_env(run_dir: Path, database_url: str, redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "CELERY_"))}
    env.update(TUTOR_RUN_DIR=str(run_dir), DATABASE_URL=database_url, REDIS_URL=redis_url, TUTOR_EMBEDDED="0",
               SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="127.0.0.1,localhost", TUTOR_HTTPS="0",
               TUTOR_INFERENCE_CHANNEL=INFERENCE_CHANNEL, TUTOR_ENGINE="fake", TUTOR_WARMUP="0",
               TUTOR_ASK_RATE="100000/60", LEARNING_RETRIEVAL="tfidf", DB_CONN_MAX_AGE="60",
               DJANGO_SETTINGS_MODULE="tutor.settings")
    return env


def layout_prepare(env: dict[str, str], students: int, tokens: Path) -> None:
    manage = [sys.executable, str(REPO / "manage.py")]
    for command in (["database_ensure"], ["migrate", "--noinput", "-v", "0"]):
        subprocess.run([*manage, *command], env=env, check=True, cwd=REPO, stdout=subprocess.DEVNULL)
    subprocess.run([*manage, "shell", "-c", "import redis; from django.conf import settings; "
                    "redis.Redis.from_url(settings.REDIS_URL).flushdb()"], env=env, check=True, cwd=REPO)
    # Benchmark accounts share one password: created the way embedded mode allows, on this throwaway database.
    subprocess.run([*manage, "bench_seed", "--students", str(students), "--tokens", str(tokens)],
                   env={**env, "TUTOR_EMBEDDED": "1"}, check=True, cwd=REPO)


def process_start(stack: ExitStack, command: list[str], env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen(command, env=env, cwd=REPO)
    stack.callback(stop_process, process)
    return process


def server_start(stack: ExitStack, env: dict[str, str]) -> Server:
    port = free_port()
    process = process_start(stack, [sys.executable, "-m", "uvicorn", "tutor.asgi:application", "--host", "127.0.0.1",
                             "--port", str(port), "--lifespan", "off", "--no-access-log", "--log-level", "warning",
                             "--ws-max-size", "65536", "--ws-per-message-deflate", "false"], env)
    return Server(process, port)


def database_drop(env: dict[str, str]) -> None:
    code = ("import psycopg, django; django.setup(); from django.conf import settings; "
            "db = settings.DATABASES['default']; "
            "c = psycopg.connect(dbname='postgres', host=db['HOST'], port=db['PORT'] or 5432, user=db['USER'], "
            "password=db['PASSWORD'] or None, autocommit=True); "
            "c.execute('DROP DATABASE IF EXISTS \"' + db['NAME'] + '\" WITH (FORCE)')")
    subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, check=False)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")
