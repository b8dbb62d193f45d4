"""The teachers' read-only admin view of their courses: every student's mastery of every skill, as a
table, an SVG heatmap and a CSV download.

Access goes through learning.mastery's selectors: a course that is missing and one the user does not
teach both answer 404, for the table, the image and the CSV alike.
"""
from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib import admin
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from learning.admin.readonly import ReadOnlyAdminMixin
from learning.admin.svg import svg_response
from learning.admin.teaching import teaches_a_course
from learning.admin.url_names import AdminUrlNamesMixin
from learning.errors import COURSE_NOT_FOUND
from learning.heatmap import MAX_COLUMNS, MAX_ROWS, HeatmapCell, heatmap_svg, mastery_colour, pale_colour
from learning.mastery import (
    MasteryCell, MasteryTable, course_common_misconceptions, course_get_for_teacher, course_mastery_table,
    courses_for_teacher,
)
from learning.models import CourseMastery, Enrollment

# Spreadsheets run a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@admin.register(CourseMastery)
class CourseMasteryAdmin(AdminUrlNamesMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "slug", "student_count", "mastery_links"]
    search_fields = ["title", "slug"]

    def get_queryset(self, request):
        taught = courses_for_teacher(user=request.user).values("pk")
        students = Count("enrollments", filter=Q(enrollments__role=Enrollment.Role.STUDENT))
        return super().get_queryset(request).filter(pk__in=taught).annotate(students=students)

    @admin.display(description=_("Students"), ordering="students")
    def student_count(self, course: CourseMastery) -> int:
        return course.students

    @admin.display(description=_("Mastery"))
    def mastery_links(self, course: CourseMastery) -> str:
        return format_html('<a href="{}">{}</a> · <a href="{}">CSV</a>', self._url("mastery", course.pk),
                           _("table and heatmap"), self._url("csv", course.pk))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return teaches_a_course(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is None:
            return teaches_a_course(request)
        return course_get_for_teacher(user=request.user, course_id=obj.pk) is not None

    def get_urls(self):
        # Only these: no add, change, delete or history views, so nothing else to guard.
        wrap, name = self.admin_site.admin_view, self._url_name
        return [
            path("", wrap(self.changelist_view), name=name("changelist")),
            path("<int:course_id>/mastery/", wrap(self.mastery_view), name=name("mastery")),
            path("<int:course_id>/heatmap.svg", wrap(self.heatmap_view), name=name("heatmap")),
            path("<int:course_id>/mastery.csv", wrap(self.csv_view), name=name("csv")),
            # The changelist links each row to "change": here that is the mastery page.
            path("<int:course_id>/change/", wrap(self.mastery_view), name=name("change")),
        ]

    def mastery_view(self, request: HttpRequest, course_id: int) -> TemplateResponse:
        table = _table(request, course_id)
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "course": table.course,
            "title": _("Mastery in %(course)s") % {"course": table.course.title}, "table": table, **_display(table),
            "heatmap_url": self._url("heatmap", course_id), "csv_url": self._url("csv", course_id),
            "misconceptions": course_common_misconceptions(course=table.course),
        }
        return TemplateResponse(request, "admin/learning/coursemastery/mastery.html", context)

    def heatmap_view(self, request: HttpRequest, course_id: int) -> HttpResponse:
        return svg_response(mastery_heatmap(_table(request, course_id)))

    def csv_view(self, request: HttpRequest, course_id: int) -> HttpResponse:
        table = _table(request, course_id)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="mastery-{table.course.pk}.csv"'
        csv.writer(response).writerows([csv_safe(value) for value in row] for row in mastery_csv_rows(table))
        return response


def _table(request: HttpRequest, course_id: int) -> MasteryTable:
    course = course_get_for_teacher(user=request.user, course_id=course_id)
    if course is None:
        raise Http404(COURSE_NOT_FOUND[1])
    return course_mastery_table(course=course)


@dataclass(frozen=True)
class _ShownCell:
    value: float
    attempts: int
    practised: bool
    colour: str


def _shown(cell: MasteryCell) -> _ShownCell:
    colour = mastery_colour(cell.mastery)
    return _ShownCell(cell.mastery, cell.attempts, cell.practised, colour if cell.practised else pale_colour(colour))


def _display(table: MasteryTable) -> dict:
    """The table as the template shows it: coloured cells, at most MAX_ROWS students (the CSV has all)."""
    rows = [(student, [_shown(cell) for cell in student.cells]) for student in table.students[:MAX_ROWS]]
    means = [(skill, mastery_colour(skill.class_mean) if skill.class_mean is not None else "")
             for skill in table.skills]
    return {"rows": rows, "means": means, "rows_cut": len(table.students) - len(rows)}


def mastery_heatmap(table: MasteryTable) -> str:
    cells = [[HeatmapCell(c.mastery, c.practised, f"{c.attempts} attempts") for c in s.cells] for s in table.students]
    return heatmap_svg(
        title=_("Mastery in %(course)s") % {"course": table.course.title},
        row_labels=[s.username for s in table.students],
        column_labels=[skill.name for skill in table.skills], cells=cells, threshold=table.mastery_level,
        max_rows=MAX_ROWS, max_columns=MAX_COLUMNS,
    )


def mastery_csv_rows(table: MasteryTable) -> Iterator[list[str]]:
    """A header, one row per student (per skill: mastery, then attempts; 0 attempts = not yet practised),
    and the class means."""
    per_skill = [f"{label} {suffix}" for skill in table.skills
                 for label, suffix in ((skill.name, "mastery"), (skill.key, "attempts"))]
    yield ["student", "attempts", "accuracy", "last activity", *per_skill]
    for s in table.students:
        accuracy = f"{s.accuracy:.4f}" if s.accuracy is not None else ""
        last = s.last_activity.isoformat() if s.last_activity else ""
        cells = [value for c in s.cells for value in (f"{c.mastery:.4f}", str(c.attempts))]
        yield [s.username, str(s.attempts), accuracy, last, *cells]
    means = [value for skill in table.skills for value in (_number(skill.class_mean), "")]
    yield ["class mean", "", "", "", *means]


def _number(value: float | None) -> str:
    return f"{value:.4f}" if value is not None else ""


def csv_safe(value: str) -> str:
    """``value`` with a leading quote when a spreadsheet would run it as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value
