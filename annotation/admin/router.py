"""The confidence router in the Django admin, read-only: its versions, and a reliability diagram of how
often teachers approved answers against how likely the router said they were right.

A teacher's diagram is drawn from their own courses' verdicts only (a superuser's from all); the versions'
out-of-fold metrics are the router's own, fitted to every course's verdicts, and hold no answer or name.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from annotation.admin.review import reviewer_access
from annotation.models import RouterVersion
from annotation.reliability_svg import reliability_svg
from annotation.selectors import review_verdict_pairs, router_version_newest
from learning.admin.readonly import ReadOnlyAdminMixin
from learning.admin.svg import svg_response
from learning.admin.url_names import AdminUrlNamesMixin


@dataclass(frozen=True)
class VerdictReliability:
    verdicts: int
    approved: int
    bins: list  # annotation.router.metrics.ReliabilityBin
    ece: float | None


def verdict_reliability(*, user) -> VerdictReliability:
    # Imported here: the metrics module loads scikit-learn, which the web process needs only on this page.
    from annotation.router.metrics import expected_calibration_error, reliability_bins

    pairs = review_verdict_pairs(user=user)
    bins = reliability_bins([p for p, _ in pairs], [right for _, right in pairs])
    return VerdictReliability(len(pairs), sum(right for _, right in pairs), bins, expected_calibration_error(bins))


@admin.register(RouterVersion)
class RouterVersionAdmin(AdminUrlNamesMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "created_at", "verdicts_used", "auroc", "brier", "ece"]
    list_display_links = None  # there is no page per version: the list says it all
    actions = None

    @admin.display(description=_("Out-of-fold AUROC"))
    def auroc(self, version: RouterVersion) -> str:
        return _metric(version, "auroc")

    @admin.display(description=_("Brier score"))
    def brier(self, version: RouterVersion) -> str:
        return _metric(version, "brier")

    @admin.display(description=_("Expected calibration error"))
    def ece(self, version: RouterVersion) -> str:
        return _metric(version, "ece")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return reviewer_access(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return reviewer_access(request)

    def get_urls(self):
        wrap, name = self.admin_site.admin_view, self._url_name
        return [
            path("", wrap(self.changelist_view), name=name("changelist")),
            path("reliability/", wrap(self.reliability_view), name=name("reliability")),
            path("reliability.svg", wrap(self.reliability_svg_view), name=name("reliability_svg")),
        ]

    def reliability_view(self, request: HttpRequest) -> TemplateResponse:
        if not reviewer_access(request):
            raise PermissionDenied
        version = router_version_newest()
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "title": _("Router reliability"),
            "report": verdict_reliability(user=request.user), "everyone": request.user.is_superuser,
            "version": version, "metrics": version.metrics if version and isinstance(version.metrics, dict) else {},
            "svg_url": self._url("reliability_svg"),
        }
        return TemplateResponse(request, "admin/annotation/routerversion/reliability.html", context)

    def reliability_svg_view(self, request: HttpRequest) -> HttpResponse:
        if not reviewer_access(request):
            raise PermissionDenied
        report = verdict_reliability(user=request.user)
        title = (_("Router reliability: teachers' verdicts in all courses") if request.user.is_superuser
                 else _("Router reliability: teachers' verdicts in your courses"))
        return svg_response(reliability_svg(title=str(title),
                                            bins=report.bins, ece=report.ece))


def _metric(version: RouterVersion, key: str) -> str:
    value = version.metrics.get(key) if isinstance(version.metrics, dict) else None
    return f"{value:.3f}" if isinstance(value, (int, float)) else "–"
