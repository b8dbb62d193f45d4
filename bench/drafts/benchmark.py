"""Draft approval in the seeded demo, with simulated teachers: how long a teacher's decision takes to reach the
student's socket, and how often the teachers approve a draft as is.

In a throwaway database, ``manage.py tutor_demo`` seeds the demo (its courses, notes, students and teachers),
a second simulated teacher joins each course, and each course holds every answer (hold below 1). For each
question of the router's fixture (``fixtures/router_qa.jsonl``), the course's student asks over the real
WebSocket stack (ASGI application, channel layer, the answering task, the router); the answer comes back as a
``held`` frame; one of the course's teachers, picked at random, decides through the same service the drafts
page calls; the clock stops when the ``released`` frame arrives on the student's socket.

What is measured is the system's part of the wait: ``decision_to_socket_ms`` runs from the teacher's click to
the frame on the student's socket; a real teacher's reading time comes on top and is not simulated.
The approve-as-is rate is a property of the simulation, not of teachers: a simulated teacher approves a draft
that the fixture's gold answer grades right (``annotation.router.qa``), making a one- or two-character touch-up
in a share of them (``typo_rate``, as teachers fix a full stop), and edits a wrong one to the gold answer or,
in ``reject_rate`` of them, rejects it. So the rate mostly measures how many of the engine's answers are right
under that grading; with the fake engine, that is the share the solver and the quoted notes answer.
"""
from __future__ import annotations

import asyncio
import random
import statistics
import time
import uuid
from collections import Counter
from dataclasses import dataclass

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.core.management import call_command

from annotation.models import ReviewTask
from annotation.router.qa import QAQuestion, answer_is_correct
from annotation.selectors import draft_decision_stats
from annotation.services import draft_approve, draft_edit, draft_reject
from bench.privacy.benchmark import throwaway_database
from learning.models import Course, Enrollment
from tutor.asgi import application
from tutor.models import Draft, DraftPolicy
from tutor.services import api_token_issue

REPLY_TIMEOUT_S = 300.0  # a first answer on the embedded model, on a busy two-core machine


@dataclass(frozen=True)
class Decision:
    action: str  # approve, edit or reject
    text: str = ""


def simulated_decision(rng: random.Random, question: QAQuestion, draft: str, *, typo_rate: float,
                       reject_rate: float) -> Decision:
    """What the simulated teacher does with ``draft`` (see the module docstring)."""
    if answer_is_correct(question, draft):
        if rng.random() < typo_rate:
            return Decision("edit", draft.rstrip(".!") + ("!" if rng.random() < 0.5 else ".."))
        return Decision("approve")
    if rng.random() < reject_rate:
        return Decision("reject", "Not what the notes say.")
    return Decision("edit", f"The answer is {question.gold[0]}.")


def run_draft_bench(*, questions: list[QAQuestion], limit: int = 40, seed: int = 0, typo_rate: float = 0.15,
                    reject_rate: float = 0.2) -> dict:
    """Runs in a throwaway database; returns the report (``manage.py draft_bench`` prints it as JSON)."""
    with throwaway_database():
        call_command("tutor_demo", verbosity=0, stdout=_Silent())
        courses = _seed_teachers()
        rng = random.Random(seed)
        picked = [q for q in questions if q.course in courses]
        picked = rng.sample(picked, min(limit, len(picked)))
        runs = asyncio.run(_ask_all(picked, courses, rng, typo_rate, reject_rate))
        admin = get_user_model().objects.filter(is_superuser=True).first()
        stats = draft_decision_stats(user=admin)
    return _report(runs, stats, seed=seed, typo_rate=typo_rate, reject_rate=reject_rate)


class _Silent:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


@dataclass(frozen=True)
class _Course:
    course_id: int
    student_token: str
    teachers: tuple


def _seed_teachers() -> dict[str, _Course]:
    """Each demo course holds every answer, and gets a second (simulated) teacher beside the demo's own."""
    courses = {}
    for course in Course.objects.order_by("id"):
        DraftPolicy.objects.create(course=course, hold_below=1.0, wait_minutes=60)
        extra = get_user_model().objects.create_user(f"sim-teacher-{course.slug}", is_staff=True)
        Enrollment.objects.create(user=extra, course=course, role=Enrollment.Role.TEACHER)
        teachers = get_user_model().objects.filter(enrollments__course=course, enrollments__role="teacher")
        student = get_user_model().objects.filter(enrollments__course=course, enrollments__role="student").first()
        courses[course.slug] = _Course(course.id, api_token_issue(user=student), tuple(teachers.order_by("id")))
    return courses


async def _ask_all(questions, courses, rng, typo_rate, reject_rate) -> list[dict]:
    sockets = {}
    for slug, course in courses.items():
        sockets[slug] = WebsocketCommunicator(application, "/ws/tutor/",
                                              headers=[(b"authorization", f"Bearer {course.student_token}".encode())])
        if not (await sockets[slug].connect(REPLY_TIMEOUT_S))[0]:
            raise RuntimeError(f"the socket of course {slug}'s student was refused")
    try:
        return [await _one(sockets[q.course], courses[q.course], q, rng, typo_rate, reject_rate) for q in questions]
    finally:
        for socket in sockets.values():
            await socket.disconnect()


async def _one(socket, course: _Course, question: QAQuestion, rng, typo_rate, reject_rate) -> dict:
    start = time.perf_counter()
    await socket.send_json_to({"type": "ask", "course": course.course_id, "conversation": None,
                               "text": question.question, "client_msg_id": str(uuid.uuid4())})
    last = await _until(socket, ("held", "answer", "error"))
    held_s = time.perf_counter() - start
    if last["type"] != "held":  # the honest "not sure" (abstained) is never held; nor is an error
        outcome = "abstained" if last.get("abstained") else last.get("code", last["type"])
        return {"held": False, "outcome": outcome}
    draft_text = await database_sync_to_async(_draft_text)(last["message_id"])
    decision = simulated_decision(rng, question, draft_text, typo_rate=typo_rate, reject_rate=reject_rate)
    teacher = rng.choice(course.teachers)
    clicked = time.perf_counter()
    await database_sync_to_async(_decide)(last["message_id"], teacher, decision)
    released = await _until(socket, ("released",))
    return {"held": True, "ask_to_held_s": held_s, "decision_to_socket_s": time.perf_counter() - clicked,
            "outcome": released["outcome"]}


async def _until(socket, types: tuple[str, ...]) -> dict:
    while True:
        frame = await socket.receive_json_from(REPLY_TIMEOUT_S)
        if frame["type"] in types:
            return frame


def _draft_text(answer_id: int) -> str:
    return Draft.objects.select_related("answer").get(answer_id=answer_id).answer.text


def _decide(answer_id: int, teacher, decision: Decision) -> None:
    task_id = ReviewTask.objects.get(answer_id=answer_id).id
    if decision.action == "approve":
        draft_approve(task_id=task_id, teacher=teacher)
    elif decision.action == "edit":
        draft_edit(task_id=task_id, teacher=teacher, text=decision.text)
    else:
        draft_reject(task_id=task_id, teacher=teacher, reason=decision.text)


def _report(runs: list[dict], stats, *, seed: int, typo_rate: float, reject_rate: float) -> dict:
    held = [run for run in runs if run["held"]]
    return {
        "questions": len(runs), "held": len(held), "seed": seed,
        "not_held": dict(Counter(run["outcome"] for run in runs if not run["held"])),  # error codes by name
        "simulation": {"typo_rate": typo_rate, "reject_rate": reject_rate, "teacher_reading_time": "not simulated"},
        "ask_to_held_ms": _percentiles([run["ask_to_held_s"] for run in held]),
        "decision_to_socket_ms": _percentiles([run["decision_to_socket_s"] for run in held]),
        "outcomes": {o: sum(run["outcome"] == o for run in held) for o in ("approved", "edited", "rejected")},
        "approve_as_is": [
            {"course": row.course_title, "teacher": row.teacher or "all", "decisions": row.decisions,
             "approved_as_is": row.approved_as_is,
             "rate": round(row.approve_as_is_rate, 3) if row.approve_as_is_rate is not None else None,
             "mean_edit_distance": round(row.mean_edit_distance, 1) if row.mean_edit_distance is not None else None}
            for row in stats],
    }


def _percentiles(values: list[float]) -> dict:
    if not values:
        return {}
    cuts = statistics.quantiles(values, n=20, method="inclusive") if len(values) > 1 else [values[0]] * 19
    return {"p50": round(1000 * statistics.median(values), 1), "p95": round(1000 * cuts[18], 1),
            "max": round(1000 * max(values), 1)}
