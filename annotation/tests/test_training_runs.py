"""Training runs on a tiny random model: request, claim, train, register, judge, promote or reject, serve."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest

from annotation.models import GoldenCase, TrainingRun
from annotation.training_runs import (
    RunBusy, training_run_claim, training_run_execute, training_run_request, training_start_if_due,
)
from tutor.engine.artifacts import folder_sha256
from tutor.engine.types import GenerationTimeout
from tutor.model_registry import active_adapter_for, adapter_path
from tutor.models import ModelVersion

from .training_factories import (  # noqa: F401 (fixtures)
    correction, fact_corrections, reference_item, reference_items, tiny_base_model, training_settings,
)

pytestmark = pytest.mark.django_db
Status = TrainingRun.Status


def run_for(course) -> TrainingRun:
    run, created = training_run_request(course=course, trigger=TrainingRun.Trigger.ADMIN)
    assert created
    return run


def test_one_live_run_per_course(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        first, created = training_run_request(course=personas.course_a, trigger=TrainingRun.Trigger.ADMIN)
        again, created_again = training_run_request(course=personas.course_a, trigger=TrainingRun.Trigger.SCHEDULE)
    assert created and not created_again and again.pk == first.pk
    assert len(queued) == 1  # one task for one run
    other, created_other = training_run_request(course=personas.course_b, trigger=TrainingRun.Trigger.ADMIN)
    assert created_other and other.pk != first.pk
    assert first.hyperparameters["rank"] >= 1


def test_a_requested_run_goes_to_the_training_task_after_commit(personas, django_capture_on_commit_callbacks):
    with mock.patch("annotation.tasks.training_run.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            run, _ = training_run_request(course=personas.course_a, trigger=TrainingRun.Trigger.ADMIN)
            delay.assert_not_called()
    delay.assert_called_once_with(run.pk)


def test_enough_new_corrections_start_a_run(personas, settings):
    settings.ANNOTATION_TRAINING_MIN_NEW_CORRECTIONS = 3
    fact_corrections(personas.course_a)[:2]
    TrainingRun.objects.all().delete()
    assert training_start_if_due(course=personas.course_a, trigger="threshold", minimum=5) is None
    run = training_start_if_due(course=personas.course_a, trigger="threshold", minimum=3)
    assert run is not None and run.trigger == "threshold" and run.status == Status.QUEUED


def test_a_run_learns_the_corrections_and_is_promoted(personas, training_settings):
    fact_corrections(personas.course_a)
    reference_items(personas.course_a)
    run = training_run_execute(run_id=run_for(personas.course_a).pk)
    assert run.status == Status.PROMOTED, run.report["evaluation"]["gate"]
    evaluation = run.report["evaluation"]
    corrected = evaluation["candidate"]["scores"]["corrected"]
    assert corrected["accuracy"] > evaluation["active"]["scores"]["corrected"]["accuracy"]
    assert evaluation["active"]["version"] == "base model"
    cases = evaluation["cases"]  # every case, with both versions' answers and verdicts
    assert len(cases) == sum(score["total"] + score["failed"] for score in evaluation["candidate"]["scores"].values())
    assert {case["after"]["verdict"] for case in cases} <= {"right", "wrong"} and all(case["after"]["answer"] for case in cases)
    assert run.step == run.total_steps == len(run.losses) > 0 and run.examples_seen > 0 and run.tokens_seen > 0
    assert run.report["training"]["tokens_per_s"] > 0 and run.report["training"]["peak_memory_mb"] > 0
    version = run.model_version
    assert version.status == ModelVersion.Status.ACTIVE and version.number == 1
    assert folder_sha256(adapter_path(version)) == version.sha256
    assert (adapter_path(version) / "adapter_model.safetensors").is_file()
    assert active_adapter_for(course_id=personas.course_a.id).key == f"mv{version.pk}"
    assert active_adapter_for(course_id=personas.course_b.id) is None


def test_the_golden_set_is_frozen_and_never_trained_on(personas, training_settings):
    fact_corrections(personas.course_a)
    items = reference_items(personas.course_a, count=40)
    run = training_run_execute(run_id=run_for(personas.course_a).pk)
    golden = list(GoldenCase.objects.filter(course=personas.course_a))
    assert 0 < len(golden) < len(items)
    assert run.data["golden"] == len(golden) and run.data["replay"] == min(20, len(items) - len(golden))
    fact_corrections(personas.course_a)
    training_run_execute(run_id=run_for(personas.course_a).pk)
    assert list(GoldenCase.objects.filter(course=personas.course_a)) == golden


def test_deliberately_wrong_corrections_are_refused(personas, training_settings):
    items = reference_items(personas.course_a)
    for item in items[:6]:  # "corrections" that contradict the answer key of the course's own questions
        correction(personas.course_a, item.prompt, "The answer is 3.", key="3")
    run = training_run_execute(run_id=run_for(personas.course_a).pk)
    assert run.status == Status.REJECTED
    reasons = " ".join(run.report["evaluation"]["gate"]["reasons"])
    assert "contradict the course's answer key" in reasons
    assert len(run.report["evaluation"]["conflicts"]) == 6
    assert run.model_version is None and not ModelVersion.objects.exists()  # refused before training
    assert active_adapter_for(course_id=personas.course_a.id) is None


def test_a_version_that_does_not_improve_is_kept_as_rejected_with_its_report(personas, training_settings):
    training_settings.ANNOTATION_LORA_EPOCHS = 1
    training_settings.ANNOTATION_LORA_LEARNING_RATE = 1e-6
    fact_corrections(personas.course_a)
    reference_items(personas.course_a)
    run = training_run_execute(run_id=run_for(personas.course_a).pk)
    assert run.status == Status.REJECTED
    assert "does not improve" in " ".join(run.report["evaluation"]["gate"]["reasons"])
    assert ModelVersion.objects.get().status == ModelVersion.Status.REJECTED


def test_a_course_without_golden_questions_is_not_promoted(personas, training_settings):
    fact_corrections(personas.course_a)
    run = training_run_execute(run_id=run_for(personas.course_a).pk)
    assert run.status == Status.REJECTED
    assert "no golden questions" in " ".join(run.report["evaluation"]["gate"]["reasons"])


def test_a_run_delivered_twice_makes_one_version(personas, training_settings):
    fact_corrections(personas.course_a)
    reference_items(personas.course_a)
    run = run_for(personas.course_a)
    assert training_run_execute(run_id=run.pk) is not None
    assert training_run_execute(run_id=run.pk) is None
    assert ModelVersion.objects.count() == 1


def test_a_live_worker_keeps_its_run_and_a_dead_one_loses_it(personas):
    run = run_for(personas.course_a)
    assert training_run_claim(run_id=run.pk, owner="elsewhere:1").status == Status.RUNNING
    with pytest.raises(RunBusy):
        training_run_claim(run_id=run.pk, owner="another:2")
    import socket

    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    TrainingRun.objects.filter(pk=run.pk).update(owner=f"{socket.gethostname()}:{finished.pid}")
    taken = training_run_claim(run_id=run.pk, owner="another:2")
    assert taken.owner == "another:2" and taken.attempts == 2


def test_a_stale_lease_is_taken_over(personas, settings):
    from datetime import timedelta

    from django.utils import timezone

    run = run_for(personas.course_a)
    training_run_claim(run_id=run.pk, owner="elsewhere:1")
    old = timezone.now() - timedelta(seconds=settings.ANNOTATION_TRAINING_LEASE_S + 1)
    TrainingRun.objects.filter(pk=run.pk).update(heartbeat_at=old)
    assert training_run_claim(run_id=run.pk, owner="another:2").owner == "another:2"


def test_a_run_resumes_from_its_checkpoint_after_its_worker_died(personas, training_settings, monkeypatch):
    import annotation.training_runs as runs

    fact_corrections(personas.course_a)
    reference_items(personas.course_a)
    run = run_for(personas.course_a)
    real = runs._record_progress

    def die_at_step_10(run_id, owner, progress):
        if progress.step == 10:
            raise KeyboardInterrupt("worker killed")
        return real(run_id, owner, progress)

    monkeypatch.setattr(runs, "_record_progress", die_at_step_10)
    with pytest.raises(KeyboardInterrupt):
        training_run_execute(run_id=run.pk, owner="dead-host:1")
    assert TrainingRun.objects.get(pk=run.pk).step == 9
    monkeypatch.setattr(runs, "_record_progress", real)
    TrainingRun.objects.filter(pk=run.pk).update(heartbeat_at=None)  # its lease ran out
    finished = training_run_execute(run_id=run.pk, owner="new-host:2")
    assert finished.report["training"]["resumed_from_step"] == 8  # the last checkpoint (every 4 steps)
    assert finished.attempts == 2 and len(finished.losses) == finished.total_steps
    assert ModelVersion.objects.count() == 1


def test_a_version_whose_files_changed_is_refused_at_activation(personas, training_settings):
    from tutor.model_registry import ModelVersionError, model_version_activate

    fact_corrections(personas.course_a)
    reference_items(personas.course_a)
    version = training_run_execute(run_id=run_for(personas.course_a).pk).model_version
    (adapter_path(version) / "adapter_config.json").write_text("{}")
    ModelVersion.objects.filter(pk=version.pk).update(status=ModelVersion.Status.RETIRED)
    with pytest.raises(ModelVersionError, match="refused"):
        model_version_activate(version_id=version.pk)
    assert active_adapter_for(course_id=personas.course_a.id) is None


class _CandidateTimesOut:
    """The serving engine, except that every answer of an adapter times out (a loaded machine, say)."""

    def __init__(self, engine):
        self.engine, self.name = engine, engine.name

    def stream(self, request):
        if request.adapter is not None:
            raise GenerationTimeout()
        return self.engine.stream(request)


def test_a_run_whose_candidate_failed_to_answer_is_not_judged(personas, training_settings, use_engine):
    from tutor.engine import get_engine

    training_settings.ANNOTATION_EVAL_TRIES, training_settings.ANNOTATION_EVAL_RETRY_DELAY_S = 2, 0.0
    use_engine(_CandidateTimesOut(get_engine()))
    fact_corrections(personas.course_a)
    reference_items(personas.course_a)
    run = training_run_execute(run_id=run_for(personas.course_a).pk)
    assert run.status == Status.NOT_JUDGED
    evaluation = run.report["evaluation"]
    assert not evaluation["gate"]["judged"] and "Not judged" in evaluation["gate"]["reasons"][0]
    assert evaluation["active"]["failed"] == []
    assert len(evaluation["candidate"]["failed"]) == run.data["corrections"] + run.data["golden"]
    assert {f["error"] for f in evaluation["candidate"]["failed"]} == {"generation_timeout"}
    assert evaluation["candidate"]["failed"][0]["tries"] == 2
    assert evaluation["candidate"]["scores"]["corrected"] == {"right": 0, "total": 0, "failed": 4, "accuracy": 0.0}
    assert run.model_version.status == ModelVersion.Status.CANDIDATE  # neither served nor rejected
    assert active_adapter_for(course_id=personas.course_a.id) is None


class _RecordsRequests:
    """The serving engine, noting each request it is asked."""

    def __init__(self, engine):
        self.engine, self.name, self.asked = engine, engine.name, []

    def stream(self, request):
        self.asked.append(request)
        return self.engine.stream(request)


def test_a_run_taken_over_while_it_evaluates_stops_without_a_decision(personas, training_settings, use_engine,
                                                                     monkeypatch):
    import annotation.training_runs as training_runs
    from annotation.training.config import TrainingAborted
    from tutor.engine import get_engine

    engine = _RecordsRequests(get_engine())
    use_engine(engine)
    real_still_mine = training_runs._still_mine

    def still_mine(run_id, owner, **fields):
        if engine.asked and not fields:  # a heartbeat once the evaluation began: another worker took the run
            TrainingRun.objects.filter(pk=run_id).update(owner="another-worker")
        real_still_mine(run_id, owner, **fields)

    monkeypatch.setattr(training_runs, "_still_mine", still_mine)
    fact_corrections(personas.course_a)
    reference_items(personas.course_a)
    run = run_for(personas.course_a)
    with pytest.raises(TrainingAborted):
        training_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.owner, run.finished_at) == (Status.RUNNING, "another-worker", None)
    assert run.model_version.status == ModelVersion.Status.CANDIDATE and "evaluation" not in run.report
