"""Content upload in the Django admin: a page per course for its authors (and superusers)."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from learning.admin.readonly import ReadOnlyAdminMixin
from learning.content.access import course_get_for_author
from learning.content.errors import ContentRejected
from learning.content.importing import ImportReport, content_size_check, course_content_import
from learning.errors import COURSE_NOT_FOUND
from learning.models import Course, CourseContent, Enrollment
from learning.selectors import courses_in_role

TEMPLATE = "admin/learning/course/content_upload.html"
_COUNTS = [
    ("skills_created", _("skills created")), ("skills_updated", _("skills updated")),
    ("skills_deleted", _("skills deleted")), ("items_created", _("items created")),
    ("items_updated", _("items updated")), ("items_unchanged", _("items unchanged")),
    ("items_retired", _("items retired")), ("items_deleted", _("items deleted")),
    ("passages_written", _("passages written")), ("golden_created", _("golden questions created")),
    ("golden_updated", _("golden questions updated")), ("golden_deleted", _("golden questions deleted")),
]


class ContentUploadForm(forms.Form):
    file = forms.FileField(
        help_text=_("A .json course document, a .csv of items, or .md/.markdown/.txt reference text."))
    source = forms.CharField(
        required=False, max_length=120,
        help_text=_("Reference text only: the source it replaces (default: the file name without extension)."),
    )


class ContentUploadAdminMixin:
    """Mix into the Course ModelAdmin: adds ``<id>/content/`` (URL name ``admin:learning_course_content``)
    and ``content_upload_link`` for list_display."""

    def get_urls(self):
        view = self.admin_site.admin_view(self.content_upload_view)
        name = f"{self.opts.app_label}_{self.opts.model_name}_content"
        return [path("<int:course_id>/content/", view, name=name), *super().get_urls()]

    @admin.display(description=_("Content"))
    def content_upload_link(self, course: Course):
        link = reverse("admin:learning_course_content", args=[course.pk])
        return format_html('<a href="{}">{}</a>', link, _("Upload content"))

    def content_upload_view(self, request: HttpRequest, course_id: int):
        course = course_get_for_author(user=request.user, course_id=course_id)
        if course is None:
            raise Http404(COURSE_NOT_FOUND[1])
        form = ContentUploadForm(request.POST or None, request.FILES or None)
        rejected = None
        if request.method == "POST" and form.is_valid():
            try:
                report = _upload(course, form.cleaned_data)
            except ContentRejected as exc:
                rejected = exc
            else:
                _report_messages(request, form.cleaned_data["file"].name, report)
                return redirect(request.path)
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "course": course, "form": form,
            "rejected": rejected, "title": _("Upload content to %(course)s") % {"course": course.title},
        }
        return TemplateResponse(request, TEMPLATE, context)  # errors re-render the form, as admin forms do


def _upload(course: Course, data: dict) -> ImportReport:
    upload = data["file"]
    content_size_check(size=upload.size)  # before reading it into memory
    # The extension decides: browsers guess Content-Types for .md and .csv files differently.
    return course_content_import(course=course, filename=upload.name, data=upload.read(), source=data["source"] or None)


def _report_messages(request: HttpRequest, filename: str, report: ImportReport) -> None:
    counts = ", ".join(f"{getattr(report, field)} {label}" for field, label in _COUNTS if getattr(report, field))
    messages.success(request, _("Imported %(file)s: %(counts)s.") % {"file": filename,
                                                                      "counts": counts or _("nothing changed")})
    if report.retired_items:
        messages.info(request, _("Retired (they have attempts): %(items)s.")
                      % {"items": ", ".join(report.retired_items)})
    for note in report.notes:
        messages.info(request, note)


def _courses_authored(request: HttpRequest):
    return courses_in_role(user=request.user, role=Enrollment.Role.AUTHOR)


@admin.register(CourseContent)
class CourseContentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Where authors find their courses' content and the upload page; read-only otherwise."""

    list_display = ["title", "slug", "skill_count", "live_items", "retired_items", "passage_count", "upload_link"]
    search_fields = ["title", "slug"]

    def get_queryset(self, request):
        authored = _courses_authored(request).values("pk")
        return super().get_queryset(request).filter(pk__in=authored).annotate(
            skill_total=Count("skills", distinct=True),
            live=Count("items", filter=Q(items__retired=False), distinct=True),
            retired=Count("items", filter=Q(items__retired=True), distinct=True),
            passage_total=Count("passages", distinct=True),
        )

    @admin.display(description=_("Skills"), ordering="skill_total")
    def skill_count(self, course) -> int:
        return course.skill_total

    @admin.display(description=_("Items"), ordering="live")
    def live_items(self, course) -> int:
        return course.live

    @admin.display(description=_("Retired items"), ordering="retired")
    def retired_items(self, course) -> int:
        return course.retired

    @admin.display(description=_("Passages"), ordering="passage_total")
    def passage_count(self, course) -> int:
        return course.passage_total

    @admin.display(description=_("Content"))
    def upload_link(self, course) -> str:
        return format_html('<a href="{}">{}</a>', reverse("admin:learning_course_content", args=[course.pk]),
                           _("Upload content"))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff and _courses_authored(request).exists()

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is None:
            return self.has_module_permission(request)
        return course_get_for_author(user=request.user, course_id=obj.pk) is not None
