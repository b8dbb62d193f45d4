"""Web servers, the jobs worker and management commands start without torch or the model libraries.

Each check runs in a fresh interpreter, since this test process has long since imported the engine's tests.
A failure shows the import chain that pulled a heavy package in, so the fix is to cut that chain (move a
plain dataclass into a torch-free module, or import the heavy module where the model is actually built).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings

from tests.heavy_imports import HEAVY_MODULES

WEB_AND_JOBS_STARTUP = """
import json, sys
import tests.heavy_imports as recorder
recorder.install()
import django
django.setup()
from django.contrib import admin
admin.autodiscover()
import tutor.asgi
from django.urls import get_resolver, reverse
get_resolver().url_patterns
reverse("admin:index")
from tutor.celery import app
app.loader.import_default_modules()  # what a worker does at start: the tasks modules are autodiscovered
expected = ["tutor.asgi", "tutor.urls", "tutor.tasks", "learning.tasks", "annotation.tasks", "annotation.admin"]
print(json.dumps({"heavy": recorder.report(), "missing": [name for name in expected if name not in sys.modules]}))
"""

MANAGE_PY_CHECK = """
import runpy, sys
import tests.heavy_imports as recorder
recorder.install(report_to=sys.argv[1])
sys.argv = ["manage.py", "check"]
runpy.run_path("manage.py", run_name="__main__")
"""

_SCALED_LAYOUT_VARIABLES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "TUTOR_EMBEDDED")


def _run(code: str, *args: str, tmp_path) -> subprocess.CompletedProcess:
    # The embedded layout on a scratch folder (no server needed, whatever tier runs the suite), and no warm-up
    # thread: that one loads the model on purpose, at start-up, when a deployment asks for it.
    env = {name: value for name, value in os.environ.items() if name not in _SCALED_LAYOUT_VARIABLES}
    env.update(TUTOR_WARMUP="0", TUTOR_RUN_DIR=str(tmp_path / "run"))
    result = subprocess.run([sys.executable, "-c", code, *args], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result


def _explain(heavy: dict[str, list[str]]) -> str:
    return "\n\n".join(f"{name} was imported by:\n    " + "\n    ".join(chain) for name, chain in heavy.items())


def test_web_server_and_jobs_worker_start_without_heavy_modules(tmp_path):
    outcome = json.loads(_run(WEB_AND_JOBS_STARTUP, tmp_path=tmp_path).stdout.splitlines()[-1])
    assert outcome["missing"] == [], "the start-up script no longer imports what the processes import"
    assert outcome["heavy"] == {}, _explain(outcome["heavy"])


def test_manage_py_check_runs_without_heavy_modules(tmp_path):
    report = tmp_path / "heavy.json"
    result = _run(MANAGE_PY_CHECK, str(report), tmp_path=tmp_path)
    assert "System check identified no issues" in result.stdout
    heavy = json.loads(report.read_text())
    assert heavy == {}, _explain(heavy)


def test_recorder_names_the_chain_that_imported_a_heavy_module(tmp_path):
    # The guard itself must see an import: the training loop does import torch.
    code = WEB_AND_JOBS_STARTUP + "import annotation.training.lora\nprint(json.dumps(recorder.report()))\n"
    heavy = json.loads(_run(code, tmp_path=tmp_path).stdout.splitlines()[-1])
    assert "torch" in heavy and set(heavy) <= set(HEAVY_MODULES)
    assert any("annotation/training/lora.py" in line and "import torch" in line for line in heavy["torch"])
