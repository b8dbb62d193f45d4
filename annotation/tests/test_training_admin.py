"""The training-run page shows each difference with its interval and p-values, and failures apart; the course's
teachers see it as superusers do, with nothing to start, promote or roll back."""
from __future__ import annotations

import pytest

from annotation.models import TrainingRun
from annotation.training.evaluation import EvalCase, scores_by_kind
from annotation.training.gate import GatePolicy, gate_decide

pytestmark = pytest.mark.django_db


def run_with_report(course, before: list, after: list) -> TrainingRun:
    cases = [EvalCase("reworded", f"r{i}", ("x",), "contains", f"example:{i}") for i in range(10)]
    cases += [EvalCase("golden", f"g{i}", ("x",), "contains", f"golden:{i}") for i in range(4)]
    decision = gate_decide(cases, before, after, conflicts=0, corrections=10, policy=GatePolicy(max_conflict_share=0.1))
    failed = [{"kind": c.kind, "ref": c.ref, "question": c.question, "error": "generation_timeout", "tries": 4}
              for c, v in zip(cases, after) if v is None]
    report = {"evaluation": {
        "active": {"version": "base model", "scores": _scores(cases, before), "failed": []},
        "candidate": {"version": "algebra-v1", "scores": _scores(cases, after), "failed": failed},
        "gate": decision.as_dict(),
    }}
    status = TrainingRun.Status.PROMOTED if decision.promote else (
        TrainingRun.Status.REJECTED if decision.judged else TrainingRun.Status.NOT_JUDGED)
    return TrainingRun.objects.create(course=course, trigger="admin", status=status, report=report)


def _scores(cases, verdicts) -> dict:
    return {kind: score.as_dict() for kind, score in scores_by_kind(cases, verdicts).items()}


def page(client, personas, run, *, reader: str = "admin") -> str:
    client.force_login(getattr(personas, reader))
    response = client.get(f"/admin/annotation/trainingrun/{run.pk}/change/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_judged_run_shows_each_difference_with_its_interval_and_p_values(client, personas):
    run = run_with_report(personas.course_a, [False] * 10 + [True, True, False, False], [True] * 10 + [True] * 4)
    html = page(client, personas, run)
    assert "Evaluation gate: promoted" in html and "95% CI, Newcombe" in html
    assert "100.0 points" in html and "10 gained, 0 lost" in html and "0.001 / 1.000" in html
    assert "The golden set has only 4 questions" in html  # the warning of what it cannot detect


def test_a_run_with_failed_answers_shows_not_judged_and_the_failures_apart(client, personas):
    run = run_with_report(personas.course_a, [False] * 14, [True] * 9 + [None] + [False] * 4)
    html = page(client, personas, run)
    assert "Evaluation gate: not judged" in html and "Not judged" in html
    assert "1 failed" in html and "candidate: reworded example:9" in html and "generation_timeout after 4 tries" in html


def test_the_courses_teacher_reads_the_data_loss_curve_and_gate_table(client, personas):
    run = run_with_report(personas.course_a, [False] * 10 + [True, True, False, False], [True] * 10 + [True] * 4)
    html = page(client, personas, run, reader="teacher1")
    assert "Evaluation gate: promoted" in html and "95% CI, Newcombe" in html and "0.001 / 1.000" in html
    assert "corrections" in html and f"{run.pk}/loss.svg" in html
    assert "<form" not in html.split('id="content-main"')[1]  # nothing to post from this page
    assert client.get(f"/admin/annotation/trainingrun/{run.pk}/loss.svg").status_code == 200


def registered_version(settings, tmp_path, course):
    from tutor.model_registry import model_version_register

    settings.TUTOR_ADAPTER_DIR = tmp_path
    folder = tmp_path / course.slug / "v1"
    folder.mkdir(parents=True)
    (folder / "adapter_model.safetensors").write_bytes(b"weights")
    return model_version_register(course=course, folder=folder, base_model="tiny")


@pytest.mark.parametrize("reader, serves", [("admin", True), ("teacher1", False)])
def test_only_an_administrator_promotes_a_version_the_courses_teacher_cannot(client, personas, settings, tmp_path,
                                                                             reader, serves):
    version = registered_version(settings, tmp_path, personas.course_a)
    client.force_login(getattr(personas, reader))
    response = client.post("/admin/tutor/modelversion/", {"action": "activate", "_selected_action": [version.pk]})
    version.refresh_from_db()
    assert response.status_code == (302 if serves else 403)
    assert (version.status == "active") == serves
