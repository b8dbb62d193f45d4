"""Checks that only make sense against the real servers (run by `make test-services`).

Run without the service environment they fail, never skip: a missing server must turn CI red.
"""
import asyncio
import os
import time
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.test import override_settings

from annotation.tests.training_factories import tiny_base_model  # noqa: F401 (a fixture)
from tests.processes import celery_worker, stale_pending_answer
from learning.models import Course
from tutor.models import Message
from tutor.tests.wsclient import ask_frame, connect_as, receive_until

pytestmark = [pytest.mark.service, pytest.mark.django_db(transaction=True)]


def test_database_is_postgresql():
    assert settings.DATABASE_URL, "the service tier needs DATABASE_URL (see `make test-services`)"
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("select 1")
        assert cursor.fetchone() == (1,)


async def test_channel_layer_is_redis_and_delivers():
    layer = get_channel_layer()
    assert type(layer).__name__ == "RedisChannelLayer", "the service tier needs REDIS_URL"
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "probe", "n": 7})
    assert (await asyncio.wait_for(layer.receive(channel), 5))["n"] == 7


async def test_same_client_msg_id_from_two_sockets_at_once_makes_one_question(personas, fake_engine):
    first, second = await connect_as(personas.student1), await connect_as(personas.student1)
    frame = ask_frame(personas.course_a.id, client_msg_id=str(uuid.uuid4()))
    await asyncio.gather(first.send_json_to(frame), second.send_json_to(frame))
    acks = [await first.receive_json_from(), await second.receive_json_from()]

    assert {ack["message_id"] for ack in acks} == {acks[0]["message_id"]}
    assert sorted(ack["duplicate"] for ack in acks) == [False, True]
    owner = first if not acks[0]["duplicate"] else second
    await receive_until(owner, "answer")
    count = await database_sync_to_async(Message.objects.filter(client_msg_id=frame["client_msg_id"]).count)()
    assert count == 1
    await first.disconnect()
    await second.disconnect()


async def test_many_students_at_once_get_their_own_answers(personas, fake_engine):
    # Delivery is what this tests: unchecked answers stream as they come rather than being held for abstention.
    await database_sync_to_async(Course.objects.filter(id=personas.course_a.id).update)(abstain_below=None)
    students = [personas.student1, personas.student2] * 5
    sockets = [await connect_as(student) for student in students]
    frames = [ask_frame(personas.course_a.id, f"question number {i}") for i in range(len(sockets))]
    await asyncio.gather(*(s.send_json_to(f) for s, f in zip(sockets, frames)))
    results = await asyncio.gather(*(receive_until(s, "answer") for s in sockets))
    for i, frames_received in enumerate(results):
        assert f"question number {i}" in frames_received[-1]["text"]
    for s in sockets:
        await s.disconnect()


async def test_a_receive_cancelled_at_any_moment_ends():
    """A consumer that stops (a refused handshake, a closed socket) cancels its pending receive. One cancelled
    while it was still opening its Redis connection used to go on popping for ever, and the test run's event loop
    waited on it (tutor/channel_layer.py). Each try uses a new layer, so that the cancel can land mid-connect."""
    from channels.layers import channel_layers

    for delay in (0, 0.0002, 0.0005, 0.0007, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.01, 0.1):
        layer = channel_layers.make_backend("default")
        receiving = asyncio.create_task(layer.receive(await layer.new_channel()))
        await asyncio.sleep(delay)
        receiving.cancel()
        done, _ = await asyncio.wait([receiving], timeout=30)
        assert done and receiving.cancelled(), f"a receive cancelled after {delay} s did not end"
        await layer.close_pools()


def test_real_celery_worker_on_the_redis_broker_runs_a_task(personas):
    from tutor.celery import app

    assert settings.CELERY_BROKER_URL.startswith("redis://"), "the service tier needs CELERY_BROKER_URL on Redis"
    answer = stale_pending_answer(personas.student1, personas.course_a)

    with celery_worker():
        app.send_task("tutor.answers_fail_stale")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and Message.objects.get(id=answer.id).status == "pending":
            time.sleep(0.2)
    assert Message.objects.get(id=answer.id).status == "failed"


def test_rabbitmq_works_as_the_broker_instead_of_redis(personas):
    """The alternative broker: a worker and a sender on RabbitMQ (AMQP), by configuration alone."""
    from tutor.celery import app

    amqp_url = os.environ.get("TUTOR_TEST_AMQP_URL")
    assert amqp_url, "the service tier needs TUTOR_TEST_AMQP_URL (RabbitMQ; see `make test-services`)"
    answer = stale_pending_answer(personas.student1, personas.course_a)
    # An explicit connection: Celery prefers the CELERY_BROKER_URL environment variable (Redis here) to any
    # broker an app is given.
    with celery_worker(env={"CELERY_BROKER_URL": amqp_url}), app.connection_for_write(amqp_url) as amqp:
        assert amqp.transport.driver_type == "amqp"
        app.send_task("tutor.answers_fail_stale", connection=amqp)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and Message.objects.get(id=answer.id).status == "pending":
            time.sleep(0.2)
    assert Message.objects.get(id=answer.id).status == "failed"


# --- practice under concurrency, on PostgreSQL ---------------------------------------------------------------


async def test_the_same_item_submitted_from_two_sockets_at_once_is_graded_once(personas):
    from learning.models import Attempt, KnowledgeState
    from learning.tests.factories import practice_content

    await database_sync_to_async(practice_content)(personas.course_a)
    first, second = await connect_as(personas.student1), await connect_as(personas.student1)
    await first.send_json_to({"type": "next_item", "course": personas.course_a.id, "mode": "diagnose"})
    item = await first.receive_json_from()
    submit = {"type": "submit", "item_id": item["item_id"], "response": "1"}
    await asyncio.gather(first.send_json_to(submit), second.send_json_to(submit))
    replies = [await first.receive_json_from(), await second.receive_json_from()]
    assert sorted(r["type"] for r in replies) == ["error", "graded"]
    assert [r["code"] for r in replies if r["type"] == "error"] == ["item_already_answered"]
    assert await database_sync_to_async(Attempt.objects.count)() == 1
    state = await database_sync_to_async(KnowledgeState.objects.get)(student=personas.student1)
    assert state.version == 1
    await first.disconnect()
    await second.disconnect()


def test_answers_racing_on_one_knowledge_state_all_count(personas):
    """Eight answers by one student on eight threads: every one lands in the state (compare-and-swap retries)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    from learning.models import KnowledgeState, ServedItem
    from learning.practice import practice_answer_submit
    from learning.tests.factories import practice_content

    items = list(practice_content(personas.course_a).values())[:8]
    servings = [ServedItem.objects.create(student=personas.student1, item=item, mode="practice") for item in items]

    def answer(serving):
        try:
            return practice_answer_submit(student=personas.student1, item_id=serving.item_id, response="1")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(answer, servings))
    assert len(results) == 8
    state = KnowledgeState.objects.get(student=personas.student1, course=personas.course_a)
    assert state.version == 8
    assert state.state["skills"]["*"]["attempts"] == 8  # the general ability sees every answer
    assert sum(e["attempts"] for k, e in state.state["skills"].items() if k != "*") == 8  # one skill per item


def test_a_second_ask_waits_at_the_enrolment_lock_and_counts_the_first_question(personas):
    """The daily question limit holds when two asks of one student run side by side: the first holds its
    transaction open after the check; the second must wait at the lock (seen in pg_stat_activity), not count
    the first's uncommitted question as absent, and is refused once the first commits."""
    import threading

    from django.db import connections, transaction

    from tutor.ask_limits import question_allowed_check
    from tutor.errors import TutorError
    from tutor.models import Conversation
    from tutor.services import question_ask

    Course.objects.filter(id=personas.course_a.id).update(daily_question_limit=1)
    course = Course.objects.get(id=personas.course_a.id)
    checked, commit = threading.Event(), threading.Event()
    second_result: list = []

    def first_ask():
        try:
            with transaction.atomic():
                question_allowed_check(student=personas.student1, course=course)
                conversation = Conversation.objects.create(student=personas.student1, course=course, title="q")
                Message.objects.create(conversation=conversation, role=Message.Role.STUDENT,
                                       sender=personas.student1, text="q", client_msg_id=uuid.uuid4())
                checked.set()
                commit.wait(60)
        finally:
            connections.close_all()

    def second_ask():
        try:
            second_result.append(question_ask(student=personas.student1, course_id=course.id, conversation_id=None,
                                              text="What is 2x = 4?", client_msg_id=uuid.uuid4()))
        except TutorError as exc:
            second_result.append(exc)
        finally:
            connections.close_all()

    first, second = threading.Thread(target=first_ask), threading.Thread(target=second_ask)
    first.start()
    assert checked.wait(30)
    second.start()
    deadline = time.monotonic() + 30
    while second.is_alive() and not _a_backend_waits_for_a_lock() and time.monotonic() < deadline:
        time.sleep(0.05)
    commit.set()
    first.join(30)
    second.join(30)
    assert isinstance(second_result[0], TutorError) and second_result[0].code == "daily_limit_reached"
    assert Message.objects.filter(sender=personas.student1).count() == 1


def _a_backend_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0


def test_calibration_runs_on_a_real_worker(personas):

    from learning.models import Attempt, KnowledgeCalibration, ServedItem
    from learning.tests.factories import practice_content
    from tutor.celery import app

    items = list(practice_content(personas.course_a).values())
    for n in range(60):
        item = items[n % len(items)]
        serving = ServedItem.objects.create(student=[personas.student1, personas.student2][n % 2], item=item,
                                            mode="diagnose")
        Attempt.objects.create(student=serving.student, item=item, serving=serving, response="1", correct=n % 3 > 0)
    with celery_worker():
        app.send_task("learning.calibrate_due_courses")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not KnowledgeCalibration.objects.exists():
            time.sleep(0.3)
    calibration = KnowledgeCalibration.objects.get(course=personas.course_a)
    assert calibration.attempts_used == 60 and calibration.students_used == 2


def test_teachers_verdicts_refit_the_router_on_a_real_worker(personas):
    """Verdicts queue the refit after commit; a real worker fits the router and the next answer uses it."""
    from annotation.models import RouterVersion
    from annotation.routing import answer_route
    from annotation.services import review_approve, review_reject
    from annotation.tests.factories import CONFIDENT, UNSURE, answered_question

    with override_settings(ANNOTATION_ROUTER_REFIT_EVERY=20, ANNOTATION_ROUTER_MIN_PER_CLASS=5,
                           ANNOTATION_FLAG_BELOW=1.0, ANNOTATION_REVIEWS_PER_TEACHER_PER_DAY=1000):
        with celery_worker():
            for n in range(20):
                right = n % 2 == 0
                answer = answered_question(student=personas.student1, course=personas.course_a,
                                           question=f"Which gas, part {n}?", features=CONFIDENT if right else UNSURE,
                                           answer="Carbon dioxide." if right else "Oxygen, maybe.")
                task_id = answer_route(answer_id=answer.id, random_draw=0.99).task_id
                if right:
                    review_approve(task_id=task_id, teacher=personas.teacher1)
                else:
                    review_reject(task_id=task_id, teacher=personas.teacher1, reason="wrong gas")
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and not RouterVersion.objects.exists():
                time.sleep(0.3)
        version = RouterVersion.objects.get()
        assert version.verdicts_used == 20 and version.metrics["auroc"] is not None
        answer = answered_question(student=personas.student2, course=personas.course_a, question="Which gas now?",
                                   answer="Carbon dioxide.", features=CONFIDENT)
        answer_route(answer_id=answer.id, random_draw=0.99)
        assert answer.router_score.router_version_id == version.id


def test_a_training_worker_killed_mid_run_resumes_from_its_checkpoint_and_makes_one_version(
        personas, tiny_base_model, tmp_path):
    """SIGKILL the process training a run: the task is put back (late ack, reject on a lost worker), the
    worker's next process takes the run over from the last checkpoint, and exactly one version results."""
    import signal

    from annotation.models import TrainingRun
    from annotation.tests.training_factories import fact_corrections, reference_items
    from annotation.training_runs import training_run_request
    from tutor.models import ModelVersion

    training_env = {
        "TUTOR_ENGINE": "transformers", "TUTOR_BASE_MODEL": str(tiny_base_model), "TUTOR_DEVICE": "cpu",
        "TUTOR_ADAPTER_DIR": str(tmp_path / "adapters"), "ANNOTATION_TRAINING_DIR": str(tmp_path / "training"),
        "ANNOTATION_TRAINING_NICE": "0", "ANNOTATION_EVAL_MAX_NEW_TOKENS": "12",
        "LEARNING_PASSAGES_IN_PROMPT": "0", "ANNOTATION_TRAINING_LEASE_S": "600",
    }
    fact_corrections(personas.course_a)
    reference_items(personas.course_a)
    # A run's hyperparameters are fixed when it is requested, from the requesting process's settings.
    hyper = override_settings(ANNOTATION_LORA_RANK=8, ANNOTATION_LORA_ALPHA=16, ANNOTATION_LORA_LEARNING_RATE=0.01,
                              ANNOTATION_LORA_EPOCHS=60, ANNOTATION_LORA_BATCH_SIZE=4, ANNOTATION_LORA_CHECKPOINT_EVERY=5)
    with celery_worker(queues="training", pool="prefork", env=training_env), hyper:
        run, _ = training_run_request(course=personas.course_a, trigger=TrainingRun.Trigger.ADMIN)
        first = _wait_for(lambda: TrainingRun.objects.filter(pk=run.pk, step__gte=12).first(), seconds=120,
                          state=lambda: TrainingRun.objects.filter(pk=run.pk).values().first())
        os.kill(int(first.owner.rpartition(":")[2]), signal.SIGKILL)
        done = _wait_for(lambda: TrainingRun.objects.filter(pk=run.pk).exclude(status__in=TrainingRun.LIVE).first(),
                         seconds=240)
    assert done.status in (TrainingRun.Status.PROMOTED, TrainingRun.Status.REJECTED), done.error
    assert done.attempts == 2 and done.owner != first.owner
    assert done.report["training"]["resumed_from_step"] >= 10  # a checkpoint every 5 steps
    assert len(done.losses) == done.total_steps
    assert ModelVersion.objects.filter(course=personas.course_a).count() == 1


def _wait_for(find, seconds: float, state=lambda: None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = find()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"nothing after {seconds} s; state: {state()}")


def _at_once(*actions) -> list:
    """Run ``actions`` in threads released together; each result, or the exception it raised."""
    import threading

    from django.db import connections

    barrier, results = threading.Barrier(len(actions)), [None] * len(actions)

    def run(index, action):
        barrier.wait()
        try:
            results[index] = action()
        except Exception as exc:  # the loser's refusal is the result
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_two_teachers_deciding_one_held_draft_at_once_exactly_one_wins(personas):
    from annotation.services import ReviewError, draft_approve, draft_edit
    from annotation.tests.test_draft_admin import held_draft
    from learning.models import Enrollment
    from tutor.models import Draft

    second = type(personas.teacher1).objects.create_user("teacher3", password="pw", is_staff=True)
    Enrollment.objects.create(user=second, course=personas.course_a, role="teacher")
    for _ in range(5):
        task = held_draft(course=personas.course_a, student=personas.student1)
        results = _at_once(lambda: draft_approve(task_id=task.id, teacher=personas.teacher1),
                           lambda: draft_edit(task_id=task.id, teacher=second, text="Three quarters."))
        refused = [r for r in results if isinstance(r, ReviewError)]
        assert len(refused) == 1 and refused[0].code in ("task_resolved", "draft_decided"), results
        draft = Draft.objects.get(answer=task.answer)
        winner = personas.teacher1 if draft.status == Draft.Status.APPROVED else second
        assert draft.decided_by == winner and draft.status in (Draft.Status.APPROVED, Draft.Status.EDITED)


def test_a_teacher_and_the_end_of_the_wait_at_once_exactly_one_wins(personas):
    from annotation.models import ReviewTask
    from annotation.services import ReviewError, draft_approve
    from annotation.tests.test_draft_admin import held_draft
    from tutor.drafts import draft_release_due
    from tutor.models import Draft

    for _ in range(5):
        task = held_draft(course=personas.course_a, student=personas.student1)
        draft = Draft.objects.get(answer=task.answer)
        results = _at_once(lambda: draft_approve(task_id=task.id, teacher=personas.teacher1),
                           lambda: draft_release_due(draft_id=draft.id, now=draft.release_at))
        draft.refresh_from_db()
        task.refresh_from_db()
        if draft.status == Draft.Status.RELEASED:  # the wait won: the teacher was refused, the task stays open
            assert isinstance(results[0], ReviewError) and results[0].code == "draft_released"
            assert results[1] == "released" and task.status == ReviewTask.Status.OPEN
        else:
            assert draft.status == Draft.Status.APPROVED and task.status == ReviewTask.Status.APPROVED
            assert results[1] == "" and not isinstance(results[0], Exception)
