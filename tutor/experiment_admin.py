"""Experiments in the admin: the teachers of a course define them, read each arm's report and download it.

Every page is scoped to the courses the user teaches (superusers: all): another course's experiment is not in
the queryset, so its pages answer as a missing experiment's do, and its report and CSV are 404 like a missing
one's. Arms are edited inline; tutor.experiments.arms says which arms are refused and why.
"""
from __future__ import annotations

import csv

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from learning.admin.accessible import LabelledTabularInline
from learning.admin.mastery import csv_safe
from learning.admin.teaching import teaches_a_course
from learning.admin.url_names import AdminUrlNamesMixin
from learning.mastery import courses_for_teacher
from learning.models import Enrollment
from tutor.experiment_report import (
    ANALYSIS, METRIC_NAMES, experiment_get_for_staff, experiment_report, experiments_for_staff, report_csv_rows,
)
from tutor.experiments.arms import ArmSpec, arm_errors
from tutor.models import Experiment, ExperimentArm, ModelVersion


class ArmFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        experiment = self.instance
        kept = [form.cleaned_data for form in self.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        specs = [ArmSpec(arm["name"], arm.get("setting") or "", _pk(arm.get("model_version")),
                         arm.get("model_version") is None or arm["model_version"].course_id == experiment.course_id)
                 for arm in kept]
        errors = arm_errors(experiment.factor, specs)
        if errors:
            raise ValidationError(errors)


def _pk(obj) -> int | None:
    return obj.pk if obj is not None else None


class ArmInline(LabelledTabularInline):
    model = ExperimentArm
    formset = ArmFormSet
    fields = ["name", "setting", "model_version"]
    extra = 2

    # The experiment's own rule, not Django's per-model permissions (no teacher holds those): ``obj`` is the
    # experiment, already scoped by ExperimentAdmin's queryset.
    def has_view_permission(self, request, obj=None) -> bool:
        return teaches_a_course(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return teaches_a_course(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return teaches_a_course(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return teaches_a_course(request)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "model_version":
            # A plain select, not the admin's "edit / add related" wrapper: model versions have no change page.
            versions = ModelVersion.objects.filter(course__in=courses_for_teacher(user=request.user))
            return forms.ModelChoiceField(versions, required=False, help_text=db_field.help_text)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ExperimentForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        course, students = cleaned.get("course"), cleaned.get("students")
        if course is not None and students:
            enrolled = set(course.enrollments.filter(role=Enrollment.Role.STUDENT).values_list("user_id", flat=True))
            outside = [s.username for s in students if s.pk not in enrolled]
            if outside:
                self.add_error("students", f"Not students of {course}: {', '.join(outside)}.")
        if course is not None and cleaned.get("status") == Experiment.Status.RUNNING and self._overlapping(cleaned):
            self.add_error("factor", "Another running experiment of this course already sets this factor.")
        return cleaned

    def _overlapping(self, cleaned) -> bool:
        others = Experiment.objects.filter(course=cleaned["course"], factor=cleaned.get("factor"),
                                           status=Experiment.Status.RUNNING)
        return others.exclude(pk=self.instance.pk).exists()


@admin.register(Experiment)
class ExperimentAdmin(AdminUrlNamesMixin, admin.ModelAdmin):
    form = ExperimentForm
    inlines = [ArmInline]
    list_display = ["name", "course", "factor", "status", "planned_per_arm", "report_links"]
    list_filter = ["status", "factor"]
    fields = ["name", "course", "factor", "status", "planned_per_arm", "students"]
    # A plain multiple select, not Django's filter_horizontal: that widget's script gives a role-less icon an
    # aria-label, which WCAG checkers (axe-core: aria-prohibited-attr) rightly refuse.

    def get_queryset(self, request):
        return experiments_for_staff(user=request.user).select_related("course")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "course":
            kwargs["queryset"] = courses_for_teacher(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "students":
            taught = courses_for_teacher(user=request.user)
            kwargs["queryset"] = get_user_model().objects.filter(
                enrollments__course__in=taught, enrollments__role=Enrollment.Role.STUDENT).distinct()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("Report"))
    def report_links(self, experiment: Experiment) -> str:
        return format_html('<a href="{}">{}</a> · <a href="{}">CSV</a>', self._url("report", experiment.pk),
                           _("arms and intervals"), self._url("csv", experiment.pk))

    def has_module_permission(self, request) -> bool:
        return teaches_a_course(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._may(request, obj)

    def has_add_permission(self, request) -> bool:
        return teaches_a_course(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._may(request, obj)

    def _may(self, request, obj) -> bool:
        if obj is None:
            return teaches_a_course(request)
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def get_urls(self):
        wrap, name = self.admin_site.admin_view, self._url_name
        return [
            path("<int:experiment_id>/report/", wrap(self.report_view), name=name("report")),
            path("<int:experiment_id>/report.csv", wrap(self.csv_view), name=name("csv")),
            *super().get_urls(),
        ]

    def report_view(self, request: HttpRequest, experiment_id: int) -> TemplateResponse:
        report = experiment_report(experiment=_experiment(request, experiment_id))
        context = {**self.admin_site.each_context(request), "opts": self.opts, "report": report,
                   "experiment": report.experiment,
                   "title": _("Experiment: %(name)s") % {"name": report.experiment.name},
                   "analysis": ANALYSIS, "metric_names": METRIC_NAMES,
                   "csv_url": self._url("csv", experiment_id)}
        return TemplateResponse(request, "admin/tutor/experiment/report.html", context)

    def csv_view(self, request: HttpRequest, experiment_id: int) -> HttpResponse:
        report = experiment_report(experiment=_experiment(request, experiment_id))
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="experiment-{experiment_id}.csv"'
        csv.writer(response).writerows([csv_safe(_cell(value)) for value in row] for row in report_csv_rows(report))
        return response


def _experiment(request: HttpRequest, experiment_id: int) -> Experiment:
    experiment = experiment_get_for_staff(user=request.user, experiment_id=experiment_id)
    if experiment is None:
        raise Http404("No such experiment.")
    return experiment


def _cell(value) -> str:
    if value is None:
        return ""
    return f"{value:.4f}" if isinstance(value, float) else str(value)
