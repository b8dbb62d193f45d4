"""A private embedded installation for the retraining benchmark.

The benchmark needs a database, broker and adapter folder that its worker process shares and that no real
installation uses, so ``manage.py retrain_bench`` runs itself again in a temporary embedded installation (only
the converted model cache is shared) and that run prints the JSON report.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings

CHILD_FLAG = "RETRAIN_BENCH_PRIVATE_RUN"
SERVER_SETTINGS = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "TUTOR_SQLITE_PATH", "TUTOR_ADAPTER_DIR",
                   "ANNOTATION_TRAINING_DIR")


def in_private_installation() -> bool:
    return os.environ.get(CHILD_FLAG) == "1"


def private_installation_run(command_arguments: list[str]) -> int:
    """Runs ``manage.py retrain_bench`` with ``command_arguments`` in a fresh temporary installation; its exit
    status. Paths in the arguments must be absolute (the child runs from the project folder)."""
    with tempfile.TemporaryDirectory(prefix="retrain-bench-") as run_dir:
        env = {key: value for key, value in os.environ.items() if key not in SERVER_SETTINGS}
        env.update({CHILD_FLAG: "1", "TUTOR_RUN_DIR": run_dir, "TUTOR_MODEL_CACHE": str(settings.TUTOR_MODEL_CACHE),
                    "ANNOTATION_TRAINING_MIN_NEW_CORRECTIONS": "1", "TUTOR_EMBEDDED": "1"})
        command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "retrain_bench", *command_arguments]
        return subprocess.run(command, env=env, cwd=settings.BASE_DIR).returncode
