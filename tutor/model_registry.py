"""The registry of courses' model versions: registering an adapter, and switching what serves (services).

Activation is one transaction under the course's row lock: the folder's hash is checked against the record,
the active version (if any) is retired and the new one becomes active. Serving reads the active version per
answer (``active_adapter_for``), so every worker answers with it from its next answer on, without a restart.
Rolling back is activating an earlier version, or ``model_version_deactivate`` for the base model.
"""
from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from learning.models import Course
from tutor.engine.artifacts import ArtifactMismatch, folder_sha256, verify_folder
from tutor.engine.types import AdapterRef
from tutor.models import ModelVersion

logger = logging.getLogger(__name__)


class ModelVersionError(Exception):
    pass


def adapter_path(version: ModelVersion) -> Path:
    return Path(settings.TUTOR_ADAPTER_DIR) / version.folder


def model_version_register(*, course: Course, folder: Path, base_model: str) -> ModelVersion:
    """Record ``folder`` (inside TUTOR_ADAPTER_DIR) as the course's next candidate version, with its hash."""
    relative = Path(folder).resolve().relative_to(Path(settings.TUTOR_ADAPTER_DIR).resolve())
    sha256 = folder_sha256(folder)
    with transaction.atomic():
        Course.objects.select_for_update().get(pk=course.pk)
        number = (course.model_versions.aggregate(top=Max("number"))["top"] or 0) + 1
        return ModelVersion.objects.create(
            course=course, number=number, base_model=base_model, folder=relative.as_posix(), sha256=sha256
        )


def model_version_activate(*, version_id: int) -> ModelVersion:
    """Make ``version_id`` its course's serving version (promotion and rollback alike); refuses a damaged folder."""
    with transaction.atomic():
        version = ModelVersion.objects.select_for_update().select_related("course").get(pk=version_id)
        Course.objects.select_for_update().get(pk=version.course_id)
        if version.status == ModelVersion.Status.ACTIVE:
            return version
        try:
            verify_folder(adapter_path(version), version.sha256)
        except ArtifactMismatch as error:
            raise ModelVersionError(str(error)) from None
        ModelVersion.objects.filter(course_id=version.course_id, status=ModelVersion.Status.ACTIVE).update(
            status=ModelVersion.Status.RETIRED
        )
        version.status, version.activated_at = ModelVersion.Status.ACTIVE, timezone.now()
        version.save(update_fields=["status", "activated_at"])
    logger.info("Model version %s now serves course %s", version.name, version.course_id)
    return version


def model_version_deactivate(*, course: Course) -> int:
    """Serve the course with the base model again; returns how many versions were retired (0 or 1)."""
    with transaction.atomic():
        Course.objects.select_for_update().get(pk=course.pk)
        return ModelVersion.objects.filter(course=course, status=ModelVersion.Status.ACTIVE).update(
            status=ModelVersion.Status.RETIRED
        )


def model_version_reject(*, version_id: int) -> bool:
    return ModelVersion.objects.filter(pk=version_id, status=ModelVersion.Status.CANDIDATE).update(
        status=ModelVersion.Status.REJECTED
    ) == 1


def adapter_ref(version: ModelVersion) -> AdapterRef:
    return AdapterRef(key=f"mv{version.pk}", path=str(adapter_path(version)), sha256=version.sha256,
                      name=version.name)


def active_adapter_for(*, course_id: int) -> AdapterRef | None:
    """What serves ``course_id`` now: one indexed query per answer, so a switch reaches every worker at once."""
    version = (
        ModelVersion.objects.select_related("course")
        .filter(course_id=course_id, status=ModelVersion.Status.ACTIVE).first()
    )
    return adapter_ref(version) if version else None
