"""Answers per second through ONE inference worker (fake engine), on PostgreSQL and Redis
(``manage.py services_bench --mode worker``).

A throwaway database gets the benchmark course and its students; one inference worker starts; a warm-up batch
is handed over and finished (connections opened, the course's passage index built); then ``answers`` pending
asks are written and handed over at once, the way web servers hand them over, and the clock runs from the
first hand-off until no answer of the batch is pending. No socket listens: each answer's frames still go to its
group on the channel layer, and what a listening socket would add is the web servers' work, not the worker's.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

from bench.chat.chat_bench import QUESTIONS
from bench.chat.server import REPO, cpu_seconds, peak_rss_mib
from bench.chat.services_load import database_drop, layout_env, layout_prepare, process_start

STUDENTS = 50
POLL_S = 0.02


def run_worker_throughput(*, answers: int, warmup: int, database_url: str, redis_url: str,
                          max_seconds: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="tutor-worker-bench-") as tmp, ExitStack() as stack:
        env = layout_env(Path(tmp), f"{database_url.rstrip('/')}/tutor_worker_bench_{uuid.uuid4().hex[:8]}",
                         redis_url)
        stack.callback(database_drop, env)
        layout_prepare(env, STUDENTS, Path(tmp) / "tokens.json")
        worker = process_start(stack, [sys.executable, "manage.py", "inference_worker"], env)
        warm = _batch_in_subprocess(env, warmup, max_seconds)
        cpu_before = cpu_seconds(worker.pid)
        measured = _batch_in_subprocess(env, answers, max_seconds)
        worker_cpu_s = cpu_seconds(worker.pid) - cpu_before
        if worker.poll() is not None:
            raise RuntimeError(f"the inference worker exited with code {worker.returncode}")
        worker_peak_rss = peak_rss_mib(worker.pid)
    return {"answers": answers, "answers_per_s": measured["answers_per_s"], "elapsed_s": measured["elapsed_s"],
            "hand_off_s": measured["hand_off_s"], "statuses": measured["statuses"], "warmup": warm,
            "worker_peak_rss_mib": worker_peak_rss,
            # What an answer costs the worker whatever else shares the CPU (answers/s depends on that).
            "worker_cpu_ms_per_answer": round(worker_cpu_s * 1000 / answers, 2)}


def _batch_in_subprocess(env: dict[str, str], count: int, max_seconds: float) -> dict:
    """``answers_batch_measure`` in a process on the benchmark's database and Redis: its JSON result."""
    code = f"from bench.chat.worker_throughput import answers_batch_measure; answers_batch_measure({count}, {max_seconds})"
    done = subprocess.run([sys.executable, str(REPO / "manage.py"), "shell", "-c", code], env=env, cwd=REPO,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"the measuring process failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def answers_batch_measure(count: int, max_seconds: float) -> None:
    """Write ``count`` pending asks of the benchmark's students, hand them all over at once, wait until none is
    pending; prints the timings as JSON (run inside ``manage.py shell`` on the benchmark's settings)."""
    import asyncio

    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from learning.models import Course
    from tutor.models import Message
    from tutor.services import question_ask

    course = Course.objects.order_by("id").first()
    students = list(get_user_model().objects.filter(username__startswith="bench").order_by("id"))
    asks = [question_ask(student=students[i % len(students)], course_id=course.id, conversation_id=None,
                         text=f"{QUESTIONS[i % len(QUESTIONS)]} ({uuid.uuid4().hex[:6]})", client_msg_id=uuid.uuid4())
            for i in range(count)]
    ids = [ask.answer.id for ask in asks]
    started = time.perf_counter()
    asyncio.run(_hand_over(asks))
    handed = time.perf_counter()
    pending = Message.objects.filter(id__in=ids, status=Message.Status.PENDING)
    while pending.exists():
        if time.perf_counter() - started > max_seconds:
            raise RuntimeError(f"{pending.count()} of {count} answers still pending after {max_seconds} s")
        time.sleep(POLL_S)
    elapsed = time.perf_counter() - started
    statuses = dict(Message.objects.filter(id__in=ids).values_list("status").annotate(n=Count("id")))
    print(json.dumps({"answers_per_s": round(count / elapsed, 1), "elapsed_s": round(elapsed, 3),
                      "hand_off_s": round(handed - started, 3), "statuses": statuses}))


async def _hand_over(asks) -> None:
    import asyncio

    from tutor.handoff import answer_hand_off

    # Side by side, as many web servers' sockets hand their answers over.
    await asyncio.gather(*(answer_hand_off(answer_id=ask.answer.id, client_msg_id=str(ask.question.client_msg_id))
                           for ask in asks))
