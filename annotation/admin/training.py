"""Retraining in the Django admin: runs with their progress, loss curve and the gate's report, and the model
versions. A course's teachers see their courses' runs and versions, read-only, so that they see what their
corrections did; another course's run answers 404, as a missing one does. Starting a run, promotion and
rollback (one action each) are the superusers'.
"""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from annotation.loss_svg import loss_svg
from annotation.models import TrainingRun
from annotation.selectors import model_versions_for_teacher, training_run_get_for_teacher, training_runs_for_teacher
from annotation.training_runs import training_run_request
from learning.admin.readonly import ReadOnlyAdminMixin
from learning.admin.superuser import superuser_access
from learning.admin.svg import svg_response
from learning.admin.teaching import TeachersViewAdminMixin
from learning.admin.url_names import AdminUrlNamesMixin
from learning.models import Course
from tutor.model_registry import ModelVersionError, model_version_activate, model_version_deactivate
from tutor.models import ModelVersion


class StartRunForm(forms.Form):
    course = forms.ModelChoiceField(queryset=Course.objects.order_by("title"), help_text=(
        "Fine-tunes the course's adapter on its teachers' corrections; the new version serves only if the "
        "evaluation gate finds it better."))


class CourseTeachersReadOnlyMixin(AdminUrlNamesMixin, ReadOnlyAdminMixin, TeachersViewAdminMixin):
    """Training and serving versions touch every student of a course: its teachers and superusers see them,
    nobody edits them."""


@admin.register(TrainingRun)
class TrainingRunAdmin(CourseTeachersReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "course", "status", "trigger", "progress", "last_loss", "model_version", "created_at",
                    "finished_at"]
    list_filter = ["status", ("course", admin.RelatedOnlyFieldListFilter)]  # only the courses one sees
    list_select_related = ["course", "model_version__course"]
    actions = None

    def get_queryset(self, request: HttpRequest):
        return training_runs_for_teacher(user=request.user)

    @admin.display(description=_("Progress"))
    def progress(self, run: TrainingRun) -> str:
        return f"step {run.step} of {run.total_steps}" if run.total_steps else "–"

    @admin.display(description=_("Last loss"))
    def last_loss(self, run: TrainingRun) -> str:
        return f"{run.losses[-1]:.3f}" if run.losses else "–"

    def get_urls(self):
        wrap, name = self.admin_site.admin_view, self._url_name
        return [
            path("", wrap(self.changelist_view), name=name("changelist")),
            path("start/", wrap(self.start_view), name=name("start")),
            path("<int:run_id>/change/", wrap(self.detail_view), name=name("change")),
            path("<int:run_id>/loss.svg", wrap(self.loss_svg_view), name=name("loss_svg")),
        ]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        start_url = self._url("start") if superuser_access(request) else None
        return super().changelist_view(request, {**(extra_context or {}), "start_url": start_url})

    def start_view(self, request: HttpRequest) -> HttpResponse:
        if not superuser_access(request):
            raise PermissionDenied
        form = StartRunForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            run, created = training_run_request(course=form.cleaned_data["course"],
                                                trigger=TrainingRun.Trigger.ADMIN, requested_by=request.user)
            if created:
                messages.success(request,
                                 _("Training run %(run)s is queued for the training workers.") % {"run": run.pk})
            else:
                messages.warning(request, _("Run %(run)s of this course is already %(status)s; it was not repeated.")
                                 % {"run": run.pk, "status": run.get_status_display()})
            return redirect(self._url("change", run.pk))
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": _("Start a training run"),
                   "form": form}
        return TemplateResponse(request, "admin/annotation/trainingrun/start.html", context)

    def detail_view(self, request: HttpRequest, run_id: int) -> TemplateResponse:
        run = self._run_or_404(request, run_id)
        evaluation = run.report.get("evaluation", {})
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "title": str(run), "run": run,
            "training": run.report.get("training", {}), "evaluation": evaluation,
            "score_rows": _score_rows(evaluation), "verdict": _verdict(evaluation),
            "loss_url": self._url("loss_svg", run.pk),
        }
        return TemplateResponse(request, "admin/annotation/trainingrun/detail.html", context)

    def loss_svg_view(self, request: HttpRequest, run_id: int) -> HttpResponse:
        run = self._run_or_404(request, run_id)
        title = _("Training run %(run)s: %(course)s") % {"run": run.pk, "course": run.course.title}
        return svg_response(loss_svg(title=title, losses=run.losses, total_steps=run.total_steps))

    def _run_or_404(self, request: HttpRequest, run_id: int) -> TrainingRun:
        run = training_run_get_for_teacher(user=request.user, run_id=run_id)
        if run is None:
            raise Http404("There is no training run with this id.")
        return run


def _score_rows(evaluation: dict) -> list[dict]:
    """One row per question set: each version's score (failures apart) and the paired difference, if judged."""
    active = evaluation.get("active", {}).get("scores", {})
    candidate = evaluation.get("candidate", {}).get("scores", {})
    differences = evaluation.get("gate", {}).get("differences", {})
    rows = []
    for kind, label in (("corrected", "Corrected questions (trained on)"),
                        ("reworded", "Rewordings of them (held out)"), ("golden", "Golden set (held out)")):
        if kind in active or kind in candidate:
            rows.append({"label": label, "active": active.get(kind), "candidate": candidate.get(kind),
                         "difference": differences.get(kind)})
    return rows


def _verdict(evaluation: dict) -> str:
    gate = evaluation.get("gate", {})
    if gate.get("promote"):
        return "promoted"
    return "rejected" if gate.get("judged", True) else "not judged"


@admin.register(ModelVersion)
class ModelVersionAdmin(CourseTeachersReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "course", "status", "created_at", "activated_at", "short_hash", "run"]
    list_filter = ["status", ("course", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["course", "training_run"]
    list_display_links = None
    actions = ["activate", "serve_base_model"]

    def get_queryset(self, request: HttpRequest):
        return model_versions_for_teacher(user=request.user)

    @admin.display(description="sha256")
    def short_hash(self, version: ModelVersion) -> str:
        return version.sha256[:12]

    @admin.display(description=_("Training run"))
    def run(self, version: ModelVersion) -> str:
        run = getattr(version, "training_run", None)
        return f"run {run.pk}" if run else "–"

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return superuser_access(request)  # the actions need it; there is still no edit form

    def get_urls(self):
        return [path("", self.admin_site.admin_view(self.changelist_view), name=self._url_name("changelist"))]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        # A teacher's list has no actions; a POST of one anyway is refused, not silently shown the list.
        if request.method == "POST" and not superuser_access(request):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Serve the selected version (promote, or roll back to it)"), permissions=["change"])
    def activate(self, request: HttpRequest, queryset) -> None:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one version to serve."), messages.ERROR)
            return
        try:
            version = model_version_activate(version_id=queryset.get().pk)
        except ModelVersionError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(request, _("%(version)s now serves %(course)s, from the next answer on.")
                          % {"version": version.name, "course": version.course.title})

    @admin.action(description=_("Serve the base model for the selected versions' courses (roll back all tuning)"),
                  permissions=["change"])
    def serve_base_model(self, request: HttpRequest, queryset) -> None:
        courses = Course.objects.filter(id__in=queryset.values("course_id"))
        retired = sum(model_version_deactivate(course=course) for course in courses)
        self.message_user(request, _("The base model serves courses: %(courses)d; versions retired: %(retired)d.")
                          % {"courses": courses.count(), "retired": retired})
