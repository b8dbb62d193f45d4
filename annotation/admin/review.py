"""The teachers' review queue in the Django admin: flagged answers, a review page per task with claim,
release, approve, correct and reject, the task's history, the teachers' workload, and the drafts held for
approval (annotation.admin.drafts).

Every lookup by id goes through ``review_task_get_for_teacher``, so a missing task and another course's task
give the same 404 on every page and action, and every POST calls exactly one service of
``annotation.services``. Only the URLs below exist: no add, delete or Django change form to guard.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.utils.translation import gettext_lazy as _

from annotation.admin.drafts import DraftPagesMixin
from annotation.models import ReviewTask
from annotation.selectors import (
    answer_passages, conversation_before, review_task_get_for_teacher, review_task_history, review_tasks_for_teacher,
    teacher_workload,
)
from annotation.services import (
    ReviewError, draft_approve, draft_edit, draft_reject, review_approve, review_claim, review_correct,
    review_reject, review_release,
)
from learning.admin.url_names import AdminUrlNamesMixin
from learning.admin.teaching import teaches_a_course
from learning.mastery import courses_for_teacher

Status = ReviewTask.Status
MISSING_TASK = _("No review task with this id is open to you.")


def reviewer_access(request: HttpRequest) -> bool:
    """Review is the teachers' (and superusers'): authors are staff too, but do not review."""
    return teaches_a_course(request)


@dataclass(frozen=True)
class ReviewAction:
    service: Callable[..., ReviewTask]
    field: str | None  # the POST field handed to the service as the keyword of the same name
    done: str  # the success message
    back_to_task: bool = False  # after success: the review page, not the queue
    optional: tuple[str, ...] = ()  # POST fields passed on when the form sends them
    back: str = ""  # the page to go back to, success or not (a view name; "": as back_to_task says)


ACTIONS = {
    "claim": ReviewAction(review_claim, None, _("You are reviewing this answer; other teachers see it is taken."),
                          back_to_task=True),
    "release": ReviewAction(review_release, None, _("Released: another teacher can take this answer.")),
    "approve": ReviewAction(review_approve, None, _("Approved: the answer stands and becomes a training example.")),
    "correct": ReviewAction(review_correct, "text",
                            _("Corrected: the student now sees your answer, and it becomes a training example."),
                            optional=("key_answer", "rewordings")),
    "reject": ReviewAction(review_reject, "reason", _("Rejected: the answer is marked wrong.")),
    "draft_approve": ReviewAction(draft_approve, None, _("Approved: the student now reads the draft."),
                                  back="drafts"),
    "draft_edit": ReviewAction(draft_edit, "text", _("Edited: the student now reads your text."), back="drafts"),
    "draft_reject": ReviewAction(draft_reject, "reason",
                                 _("Rejected: the student is told you decided not to send this answer."),
                                 back="drafts"),
}
FIELD_MEANING = {"text": _("the corrected answer"), "reason": _("why the answer is rejected")}


class UnresolvedFirstStatusFilter(admin.SimpleListFilter):
    """Open and claimed tasks unless asked otherwise: the queue is what still needs a teacher."""

    title = _("status")
    parameter_name = "status"
    UNRESOLVED, ALL = "unresolved", "all"

    def lookups(self, request, model_admin):
        return [(self.UNRESOLVED, "Open or claimed"), *Status.choices, (self.ALL, "All")]

    def queryset(self, request, queryset):
        value = self.value() or self.UNRESOLVED
        if value == self.UNRESOLVED:
            return queryset.filter(status__in=ReviewTask.UNRESOLVED)
        if value == self.ALL:
            return queryset
        return queryset.filter(status=value)

    def choices(self, changelist):
        # No "All" on top that means "no filter": no filter here means the unresolved tasks.
        current = self.value() or self.UNRESOLVED
        for value, label in self.lookup_choices:
            yield {"selected": current == value, "display": label,
                   "query_string": changelist.get_query_string({self.parameter_name: value})}


class TaughtCourseFilter(admin.SimpleListFilter):
    """Only the courses the user teaches are offered; other courses' tasks are not in the queryset anyway."""

    title = _("course")
    parameter_name = "course"

    def lookups(self, request, model_admin):
        return courses_for_teacher(user=request.user).order_by("title").values_list("id", "title")

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        offered = {str(course_id): course_id for course_id, _ in self.lookup_choices}
        return queryset.filter(course_id=offered[value]) if value in offered else queryset.none()


@admin.register(ReviewTask)
class ReviewTaskAdmin(DraftPagesMixin, AdminUrlNamesMixin, admin.ModelAdmin):
    list_display = ["question", "course", "confidence", "reason", "askers", "status", "claimed_by", "created_at"]
    list_filter = [UnresolvedFirstStatusFilter, "reason", TaughtCourseFilter]
    list_select_related = ["answer__reply_to", "course", "claimed_by"]
    ordering = ["-priority", "created_at"]
    actions = None

    def get_queryset(self, request: HttpRequest):
        return review_tasks_for_teacher(user=request.user)

    @admin.display(description=_("Question"))
    def question(self, task: ReviewTask) -> str:
        asked = task.answer.reply_to
        return Truncator(asked.text if asked else "").chars(80)

    @admin.display(description=_("Router's confidence"), ordering="p_correct")
    def confidence(self, task: ReviewTask) -> str:
        return f"{task.p_correct:.0%}"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return reviewer_access(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is None:
            return reviewer_access(request)
        return review_task_get_for_teacher(user=request.user, task_id=obj.pk) is not None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # verdicts go through the review page's actions, never through a model form

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        wrap, name = self.admin_site.admin_view, self._url_name
        post_only = wrap(require_POST(self.action_view))
        actions = [path(f"<int:task_id>/{a}/", post_only, {"action": a}, name=name(a)) for a in ACTIONS]
        return [
            path("", wrap(self.changelist_view), name=name("changelist")),
            path("workload/", wrap(self.workload_view), name=name("workload")),
            *self.draft_urls(),
            # The changelist links each row to "change": here that is the review page.
            path("<int:task_id>/change/", wrap(self.review_view), name=name("change")),
            path("<int:task_id>/history/", wrap(self.history_view), name=name("history")),
            *actions,
        ]

    def review_view(self, request: HttpRequest, task_id: int) -> TemplateResponse:
        task = _task_or_404(request, task_id)
        context = {
            **self._task_context(request, task, _("Review of answer %(answer)s") % {"answer": task.answer_id}),
            "earlier": conversation_before(task=task), "passages": answer_passages(task=task),
            "buttons": _buttons(task, request.user),
            "max_correction": settings.ANNOTATION_MAX_CORRECTION_CHARS,
            "max_rewordings": settings.ANNOTATION_MAX_REWORDINGS,
            "max_reason": settings.ANNOTATION_MAX_REASON_CHARS,
        }
        return TemplateResponse(request, "admin/annotation/reviewtask/review.html", context)

    def history_view(self, request: HttpRequest, task_id: int) -> TemplateResponse:
        task = _task_or_404(request, task_id)
        context = self._task_context(request, task, _("History of the review of answer %(answer)s")
                                       % {"answer": task.answer_id})
        return TemplateResponse(request, "admin/annotation/reviewtask/history.html", context)

    def action_view(self, request: HttpRequest, task_id: int, action: str) -> HttpResponse:
        task = _task_or_404(request, task_id)
        spec = ACTIONS[action]
        review_page = self._url(spec.back) if spec.back else self._url("change", task.pk)
        arguments = {}
        if spec.field:
            if spec.field not in request.POST:
                messages.error(request, _("The form sent no “%(field)s” field; expected %(meaning)s.")
                               % {"field": spec.field, "meaning": FIELD_MEANING[spec.field]})
                return redirect(review_page)
            arguments[spec.field] = request.POST[spec.field]
        arguments.update({name: request.POST[name] for name in spec.optional if name in request.POST})
        try:
            spec.service(task_id=task.pk, teacher=request.user, **arguments)
        except ReviewError as exc:
            if exc.code == "task_not_found":  # taken out of the user's courses since the lookup above
                raise Http404(MISSING_TASK) from None
            messages.error(request, exc.detail)
            return redirect(review_page)
        messages.success(request, spec.done)
        return redirect(review_page if spec.back_to_task or spec.back else self._url("changelist"))

    def workload_view(self, request: HttpRequest) -> TemplateResponse:
        if not reviewer_access(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "title": _("Review workload today"),
            "rows": teacher_workload(user=request.user),
        }
        return TemplateResponse(request, "admin/annotation/reviewtask/workload.html", context)

    def _task_context(self, request: HttpRequest, task: ReviewTask, title: str) -> dict:
        return {
            **self.admin_site.each_context(request), "opts": self.opts, "title": title, "task": task,
            "events": [(event, _detail(event.detail)) for event in review_task_history(task=task)],
        }


def _task_or_404(request: HttpRequest, task_id: int) -> ReviewTask:
    task = review_task_get_for_teacher(user=request.user, task_id=task_id)
    if task is None:
        raise Http404(MISSING_TASK)
    return task


def _buttons(task: ReviewTask, user) -> set[str]:
    """The actions worth offering; the services still decide (a stale claim may be taken over, for one)."""
    if task.status not in ReviewTask.UNRESOLVED:
        return set()
    held_by_user = task.status == Status.CLAIMED and task.claimed_by_id == user.pk
    return {"release" if held_by_user else "claim", "approve", "correct", "reject"}


def _detail(detail: object) -> list[tuple[str, str]]:
    """An event's detail as (name, value) lines; it is JSON, so anything but an object is shown whole."""
    if isinstance(detail, dict):
        return [(str(key).replace("_", " "), str(value)) for key, value in detail.items()]
    return [("detail", str(detail))] if detail else []
