"""Draft approval in the review admin (tutor.drafts): the drafts page, which lists the answers held for the
user's courses and updates itself over the teachers' socket (annotation/static/annotation/drafts.js, which
fetches the list again when a ``drafts_changed`` frame comes), and the approve-as-is statistics.

A mixin of ReviewTaskAdmin: every draft is a review task, looked up and acted on through the review admin's
access rule and its POST actions (``draft_approve``, ``draft_edit``, ``draft_reject``).
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _

from annotation.selectors import draft_decision_stats, held_drafts_for_teacher
from learning.admin.teaching import teaches_a_course

DRAFT_ACTIONS = ("draft_approve", "draft_edit", "draft_reject")


class DraftPagesMixin:
    def draft_urls(self) -> list:
        wrap, name = self.admin_site.admin_view, self._url_name
        return [
            path("drafts/", wrap(self.drafts_view), name=name("drafts")),
            path("drafts/list/", wrap(self.drafts_list_view), name=name("drafts_list")),
            path("drafts/stats/", wrap(self.draft_stats_view), name=name("draft_stats")),
        ]

    def drafts_view(self, request: HttpRequest) -> TemplateResponse:
        return self._drafts_page(request, "admin/annotation/reviewtask/drafts.html", _("Drafts waiting for you"))

    def drafts_list_view(self, request: HttpRequest) -> TemplateResponse:
        """The list alone, for the page's script to fetch when the socket says it changed."""
        return self._drafts_page(request, "admin/annotation/reviewtask/_draft_list.html", "")

    def draft_stats_view(self, request: HttpRequest) -> TemplateResponse:
        _teachers_only(request)
        context = {**self.admin_site.each_context(request), "opts": self.opts,
                   "title": _("Draft approval: approve-as-is rate and edit distance"),
                   "rows": draft_decision_stats(user=request.user)}
        return TemplateResponse(request, "admin/annotation/reviewtask/draft_stats.html", context)

    def _drafts_page(self, request: HttpRequest, template: str, title: str) -> TemplateResponse:
        _teachers_only(request)
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": title,
                   "tasks": held_drafts_for_teacher(user=request.user),
                   "max_correction": settings.ANNOTATION_MAX_CORRECTION_CHARS,
                   "max_reason": settings.ANNOTATION_MAX_REASON_CHARS}
        return TemplateResponse(request, template, context)


def _teachers_only(request: HttpRequest) -> None:
    if not teaches_a_course(request):
        raise PermissionDenied
