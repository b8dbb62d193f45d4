import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tutor.settings")

app = Celery("tutor")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def task_enqueue(name: str, *args) -> None:
    """Queue the task registered as ``name``, exactly as its ``delay`` would (routes, eager mode). By name,
    so that a service never imports the task module that calls it."""
    app.tasks[name].delay(*args)


def task_enqueue_later(name: str, *args, countdown: float) -> None:
    """``task_enqueue``, run no sooner than ``countdown`` seconds from now."""
    app.tasks[name].apply_async(args=args, countdown=countdown)


@app.on_after_configure.connect
def ensure_embedded_broker_folders(**kwargs) -> None:
    """The embedded (filesystem) broker needs its folders before the first message."""
    from pathlib import Path

    from django.conf import settings

    for key in ("data_folder_in", "data_folder_out", "data_folder_processed", "control_folder"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
