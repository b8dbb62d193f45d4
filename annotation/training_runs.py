"""Training runs: requesting one, and running it from claim to the gate's decision (services).

A run is claimed by compare-and-swap, so a task delivered twice runs once: the second delivery finds the run
held by a live worker (and retries later), or finished (and stops). A worker that died (killed, or silent
for ANNOTATION_TRAINING_LEASE_S) loses its claim, and the next delivery resumes from the run's last
checkpoint. The adapter is registered and linked to the run in one transaction, so a run makes at most one
model version whatever is retried.
"""
from __future__ import annotations

import asyncio
import logging
import os
import resource
import shutil
import socket
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from annotation.models import TrainingExample, TrainingRun
from annotation.training.evaluation import (
    Answer, RetryPolicy, answer_all, evaluation_budget_s, grade_all, scores_by_kind,
)
from annotation.training.gate import GateDecision, GatePolicy, answer_key_conflicts, conflict_refusal, gate_decide
from annotation.training.config import LoraHyperparameters, Progress, TrainingAborted
from annotation.training_data import RunData, eval_request, run_data_collect
from learning.models import Course
from tutor.model_registry import (
    active_adapter_for, adapter_ref, model_version_activate, model_version_register, model_version_reject,
)
from tutor.celery import task_enqueue
from tutor.models import ModelVersion
from tutor.teacher_answers import write_teacher_answers

logger = logging.getLogger(__name__)
Status = TrainingRun.Status


class RunBusy(Exception):
    """Another live worker holds the run; try again after ``retry_in_s``."""

    def __init__(self, retry_in_s: float):
        super().__init__(f"the run is held by another worker; retry in {retry_in_s:.0f} s")
        self.retry_in_s = retry_in_s


class TrainingDataError(Exception):
    """The course has nothing to train on; retrying will not help."""


def hyperparameters_from_settings() -> LoraHyperparameters:
    return LoraHyperparameters(
        rank=settings.ANNOTATION_LORA_RANK, alpha=settings.ANNOTATION_LORA_ALPHA,
        dropout=settings.ANNOTATION_LORA_DROPOUT, learning_rate=settings.ANNOTATION_LORA_LEARNING_RATE,
        epochs=settings.ANNOTATION_LORA_EPOCHS, batch_size=settings.ANNOTATION_LORA_BATCH_SIZE,
        max_answer_tokens=settings.ANNOTATION_LORA_MAX_ANSWER_TOKENS,
        checkpoint_every=settings.ANNOTATION_LORA_CHECKPOINT_EVERY, seed=settings.ANNOTATION_LORA_SEED,
    )


# --- requesting ----------------------------------------------------------------------------------------------


def training_run_request(*, course: Course, trigger: str, requested_by=None) -> tuple[TrainingRun, bool]:
    """Queue a run for ``course`` unless one is queued or running; returns (the live run, whether it is new)."""
    hyper = asdict(hyperparameters_from_settings())  # tuples are stored as JSON lists
    try:
        with transaction.atomic():
            run = TrainingRun.objects.create(course=course, trigger=trigger, requested_by=requested_by,
                                             hyperparameters=hyper)
    except IntegrityError:
        return TrainingRun.objects.get(course=course, status__in=TrainingRun.LIVE), False
    transaction.on_commit(lambda: task_enqueue("annotation.training_run", run.id))
    return run, True


def new_corrections_count(*, course: Course) -> int:
    """Corrections made since the course's last run that finished with a decision."""
    last = course.training_runs.filter(status__in=[Status.PROMOTED, Status.REJECTED]).order_by("-created_at").first()
    corrections = TrainingExample.objects.filter(course=course, kind=TrainingExample.Kind.CORRECTION)
    return corrections.filter(created_at__gt=last.created_at).count() if last else corrections.count()


def training_start_if_due(*, course: Course, trigger: str, minimum: int) -> TrainingRun | None:
    if new_corrections_count(course=course) < minimum:
        return None
    run, created = training_run_request(course=course, trigger=trigger)
    return run if created else None


# --- claiming ------------------------------------------------------------------------------------------------


def worker_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def training_run_claim(*, run_id: int, owner: str) -> TrainingRun | None:
    """The run, now held by ``owner``; None when it is already finished; RunBusy when a live worker holds it."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.ANNOTATION_TRAINING_LEASE_S)
    silent = Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True)
    claimable = Q(status=Status.QUEUED) | Q(status=Status.RUNNING) & (silent | Q(owner=owner))
    run = TrainingRun.objects.filter(pk=run_id).first()
    if run is None or run.status not in TrainingRun.LIVE:
        return None
    if run.status == Status.RUNNING and _owner_is_dead(run.owner):
        claimable |= Q(status=Status.RUNNING, owner=run.owner)
    claimed = TrainingRun.objects.filter(claimable, pk=run_id).update(
        status=Status.RUNNING, owner=owner, heartbeat_at=now, attempts=F("attempts") + 1,
        started_at=Coalesce("started_at", now),
    )
    if claimed:
        return TrainingRun.objects.select_related("course", "model_version").get(pk=run_id)
    run.refresh_from_db()
    if run.status not in TrainingRun.LIVE:
        return None
    waited = (now - run.heartbeat_at).total_seconds() if run.heartbeat_at else 0.0
    raise RunBusy(max(5.0, settings.ANNOTATION_TRAINING_LEASE_S - waited))


def _owner_is_dead(owner: str) -> bool:
    """A holder on this host whose process is gone (a SIGKILLed worker) need not wait out its lease."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return _is_zombie(int(pid))  # killed, but not yet reaped by its parent


def _is_zombie(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return any(line.startswith("State:") and "Z" in line.split()[1] for line in status.splitlines())


def _still_mine(run_id: int, owner: str, **fields) -> None:
    if not TrainingRun.objects.filter(pk=run_id, owner=owner, status=Status.RUNNING).update(
            heartbeat_at=timezone.now(), **fields):
        raise TrainingAborted("Another worker took this run over.")


# --- running -------------------------------------------------------------------------------------------------


def training_run_execute(*, run_id: int, owner: str | None = None) -> TrainingRun | None:
    """Run (or resume) a run to its decision; None when there was nothing left to do."""
    owner = owner or worker_identity()
    run = training_run_claim(run_id=run_id, owner=owner)
    if run is None:
        return None
    _lower_priority()
    data = _frozen_data(run, owner)
    conflicts = answer_key_conflicts(data.corrections, data.references)
    refusal = conflict_refusal(conflicts=len(conflicts), corrections=len(data.corrections),
                               max_conflict_share=settings.ANNOTATION_GATE_MAX_CONFLICT_SHARE)
    if refusal and run.model_version_id is None:
        return _refuse_untrained(run, owner, refusal, conflicts)
    if run.model_version_id is None:
        _train_and_register(run, data, owner)
        run.refresh_from_db()
    return _judge(run, data, owner, conflicts)


def training_run_fail(*, run_id: int, reason: str) -> bool:
    """Record why the run failed for good (after its retries)."""
    return TrainingRun.objects.filter(pk=run_id, status__in=TrainingRun.LIVE).update(
        status=Status.FAILED, error=reason[:4000], finished_at=timezone.now()
    ) == 1


def training_run_note_error(*, run_id: int, reason: str) -> None:
    TrainingRun.objects.filter(pk=run_id).update(error=reason[:4000])


def _frozen_data(run: TrainingRun, owner: str) -> RunData:
    frozen = run.data.get("example_ids")
    data = run_data_collect(course=run.course, example_ids=frozen)
    if not data.summary["corrections"]:
        raise TrainingDataError("The course has no teacher corrections to train on.")
    if frozen is None:
        _still_mine(run.id, owner, data=data.summary)
    return data


def _train_and_register(run: TrainingRun, data: RunData, owner: str) -> None:
    # The one seam to the LoRA loop: it needs torch and peft, which the admin and the jobs worker that import
    # this module must not load (tests/test_lean_processes.py).
    from annotation.training import lora

    hyper = LoraHyperparameters(**{**run.hyperparameters, "target_modules": tuple(run.hyperparameters["target_modules"])})
    model, tokenizer, base_name, device = _training_model()
    started = time.monotonic()
    outcome = _train(run, data, hyper, model, tokenizer, owner, lora.train_lora)
    seconds = time.monotonic() - started
    folder = _publish_adapter(run, outcome.model, lora.save_adapter, data.teacher_answers)
    with transaction.atomic():
        version = model_version_register(course=run.course, folder=folder, base_model=base_name)
        _still_mine(run.id, owner, model_version=version, report={**run.report, "training": {
            "device": device, "seconds": round(seconds, 1), "steps": outcome.steps,
            "resumed_from_step": outcome.resumed_from_step, "tokens_seen": outcome.tokens_seen,
            "tokens_per_s": round(outcome.tokens_seen / max(seconds, 1e-9), 1),
            "peak_memory_mb": _peak_memory_mb(device),
        }})


def _train(run, data, hyper, model, tokenizer, owner, train_lora):
    return train_lora(model, tokenizer, data.train, hyper, checkpoint_dir=checkpoint_dir(run),
                      on_progress=lambda progress: _record_progress(run.id, owner, progress))


def _record_progress(run_id: int, owner: str, progress: Progress) -> None:
    """Every step: progress for admin, and the heartbeat that keeps the run this worker's."""
    _still_mine(run_id, owner, step=progress.step, total_steps=progress.total_steps,
                examples_seen=progress.examples_seen, tokens_seen=progress.tokens_seen,
                losses=[round(loss, 5) for loss in progress.losses])


def checkpoint_dir(run: TrainingRun) -> Path:
    return Path(settings.ANNOTATION_TRAINING_DIR) / f"run-{run.id}"


def _publish_adapter(run: TrainingRun, peft_model, save, teacher_answers) -> Path:
    """The adapter and its teacher answers, written aside and renamed into place (never seen half-written)."""
    target = Path(settings.TUTOR_ADAPTER_DIR) / run.course.slug / f"run-{run.id}"
    scratch = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.rmtree(scratch, ignore_errors=True)
    save(peft_model, scratch)
    write_teacher_answers(scratch, teacher_answers)
    shutil.rmtree(target, ignore_errors=True)  # left by an attempt that died before registering it
    os.replace(scratch, target)
    return target


def _training_model():
    """A private copy of the base model to train on (CUDA when present), never the serving engine's."""
    from dataclasses import replace

    import torch

    from tutor.engine import engine_config_from_settings
    from tutor.engine.loading import load_model

    if settings.ANNOTATION_TRAINING_TORCH_THREADS:
        torch.set_num_threads(settings.ANNOTATION_TRAINING_TORCH_THREADS)
    config = replace(engine_config_from_settings(), device=settings.ANNOTATION_TRAINING_DEVICE, pack_cpu_weights=False)
    loaded = load_model(config)
    device = str(next(loaded.model.parameters()).device)
    return loaded.model, loaded.tokenizer, loaded.name, device


def _lower_priority() -> None:
    """Chat answers on the same machine come first: the training process yields the CPU to them."""
    wanted = settings.ANNOTATION_TRAINING_NICE
    if wanted and os.nice(0) < wanted:
        os.nice(wanted - os.nice(0))


def _peak_memory_mb(device: str) -> float:
    if device.startswith("cuda"):
        import torch

        return round(torch.cuda.max_memory_allocated() / 2**20, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# --- judging -------------------------------------------------------------------------------------------------


def _judge(run: TrainingRun, data: RunData, owner: str, conflicts: list) -> TrainingRun:
    candidate = run.model_version
    active = active_adapter_for(course_id=run.course_id)
    started = time.monotonic()
    before = _ask(run, data, active, owner)
    after = _ask(run, data, adapter_ref(candidate), owner)
    verdicts_before, verdicts_after = grade_all(data.cases, before), grade_all(data.cases, after)
    decision = gate_decide(data.cases, verdicts_before, verdicts_after, conflicts=len(conflicts),
                           corrections=len(data.corrections), policy=gate_policy_from_settings())
    report = {**run.report, "evaluation": {
        "seconds": round(time.monotonic() - started, 1),
        "active": {"version": active.name if active else "base model", **_scores(data, verdicts_before, before)},
        "candidate": {"version": candidate.name, **_scores(data, verdicts_after, after)},
        "conflicts": [asdict(c) for c in conflicts], "gate": decision.as_dict(),
        "changed": _changed_cases(data, verdicts_before, verdicts_after),
        "cases": _case_records(data, (before, verdicts_before), (after, verdicts_after)),
    }}
    return _decide(run, owner, candidate, decision, report)


def gate_policy_from_settings() -> GatePolicy:
    return GatePolicy(max_conflict_share=settings.ANNOTATION_GATE_MAX_CONFLICT_SHARE,
                      alpha=settings.ANNOTATION_GATE_ALPHA, min_golden=settings.ANNOTATION_GATE_MIN_GOLDEN)


def _refuse_untrained(run: TrainingRun, owner: str, refusal: str, conflicts: list) -> TrainingRun:
    """A batch that contradicts the course's answer key is refused before any compute is spent on it."""
    report = {**run.report, "evaluation": {
        "conflicts": [asdict(c) for c in conflicts], "gate": {"promote": False, "reasons": [refusal]},
    }}
    logger.info("Training run %s refused before training: %s", run.id, refusal)
    return _finish(run, owner, Status.REJECTED, report)


def _ask(run: TrainingRun, data: RunData, adapter, owner: str) -> list[Answer]:
    """Every case's answer from one version, within its own budget; the run's heartbeat goes on meanwhile."""
    from tutor.engine import get_engine

    requests = [eval_request(course=run.course, question=case.question, adapter=adapter) for case in data.cases]
    deadline = time.monotonic() + evaluation_budget_s(len(requests), base_s=settings.ANNOTATION_EVAL_TIMEOUT_BASE_S,
                                                      per_case_s=settings.ANNOTATION_EVAL_TIMEOUT_PER_CASE_S)
    retry = RetryPolicy(tries=settings.ANNOTATION_EVAL_TRIES, first_delay_s=settings.ANNOTATION_EVAL_RETRY_DELAY_S)
    answers: list[Answer] = []
    for start in range(0, len(requests), EVAL_CHUNK):
        chunk = requests[start:start + EVAL_CHUNK]
        answers += asyncio.run(answer_all(get_engine(), chunk, EVAL_CONCURRENCY, deadline=deadline, retry=retry))
        _still_mine(run.id, owner)  # a long evaluation must not look like a dead worker
    return answers


EVAL_CONCURRENCY = 16
EVAL_CHUNK = 4 * EVAL_CONCURRENCY


def _scores(data: RunData, verdicts: list[bool | None], answers: list[Answer]) -> dict:
    return {
        "scores": {kind: score.as_dict() for kind, score in scores_by_kind(data.cases, verdicts).items()},
        "failed": [{"kind": case.kind, "ref": case.ref, "question": case.question[:200], "error": answer.error,
                    "tries": answer.tries} for case, answer in zip(data.cases, answers) if answer.failed],
        "retried": sum(1 for answer in answers if answer.tries > 1),
    }


def _case_records(data: RunData, before: tuple[list, list], after: tuple[list, list]) -> list[dict]:
    """Every case with both versions' answers and verdicts (right, wrong or failed), for the report."""
    def side(answer: Answer, verdict: bool | None) -> dict:
        outcome = "failed" if verdict is None else "right" if verdict else "wrong"
        return {"answer": answer.text[:ANSWER_CHARS_KEPT], "verdict": outcome, "error": answer.error or None}

    return [{"kind": case.kind, "ref": case.ref, "question": case.question[:500], "gold": list(case.gold),
             "check": case.check, "before": side(*old), "after": side(*new)}
            for case, old, new in zip(data.cases, zip(*before), zip(*after))]


ANSWER_CHARS_KEPT = 600


def _changed_cases(data: RunData, before: list, after: list, limit: int = 40) -> list[dict]:
    changed = [{"kind": c.kind, "question": c.question[:200], "now_right": a}
               for c, b, a in zip(data.cases, before, after) if a != b and a is not None and b is not None]
    return changed[:limit]


def _decide(run: TrainingRun, owner: str, candidate: ModelVersion, decision: GateDecision,
            report: dict) -> TrainingRun:
    with transaction.atomic():
        if decision.promote:
            model_version_activate(version_id=candidate.id)
            status = Status.PROMOTED
        elif decision.judged:
            model_version_reject(version_id=candidate.id)
            status = Status.REJECTED
        else:  # neither better nor worse as far as anyone knows: the version stays a candidate
            status = Status.NOT_JUDGED
        run = _finish(run, owner, status, report)
    shutil.rmtree(checkpoint_dir(run), ignore_errors=True)  # the adapter is published; checkpoints are spent
    logger.info("Training run %s: %s", run.id, run.status)
    return run


def _finish(run: TrainingRun, owner: str, status: str, report: dict) -> TrainingRun:
    _still_mine(run.id, owner, status=status, report=report, finished_at=timezone.now(), error="")
    run.refresh_from_db()
    return run
