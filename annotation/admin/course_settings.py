"""A course's AI settings, on one admin page for the course's teachers: the tutor on or off, the answer style,
the daily question limit per student, whether off-topic questions are answered, abstention, the review
budget (the course's ReviewPolicy, inline) and draft approval (tutor's DraftPolicy, inline).

It lives in annotation because the review budget does, and annotation may import learning, never the reverse.
Each teacher's list holds only the courses they teach (superusers: all); another course's page answers as a
missing one's. Nobody adds or deletes courses here, and only the settings can change: title, slug and the
content and knowledge revisions are shown or left out, never written, and the save writes the settings' columns
alone, so a content import that bumps a revision meanwhile is kept.
"""
from __future__ import annotations

from django import forms
from django.forms.models import BaseInlineFormSet
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from annotation.models import ReviewPolicy
from learning.admin.teaching import TeachersChangeAdminMixin, teaches_a_course
from learning.mastery import courses_for_teacher
from learning.models import AI_SETTING_FIELDS, CourseAISettings, Enrollment
from tutor.models import DraftPolicy

MAX_RANDOM_SHARE = 0.5  # beyond half, "random sample" would crowd out the likely-wrong answers
MAX_REVIEWS_PER_DAY = 1000


class ReviewPolicyForm(forms.ModelForm):
    class Meta:
        model = ReviewPolicy
        fields = ["course", "reviews_per_teacher_per_day", "random_share", "learn_share"]

    def clean_reviews_per_teacher_per_day(self) -> int:
        value = self.cleaned_data["reviews_per_teacher_per_day"]
        if value > MAX_REVIEWS_PER_DAY:
            raise forms.ValidationError(f"Expected at most {MAX_REVIEWS_PER_DAY} reviews a day; got {value}.")
        return value

    def clean_random_share(self) -> float:
        value = self.cleaned_data["random_share"]
        if not 0.0 <= value <= MAX_RANDOM_SHARE:
            raise forms.ValidationError(f"Expected a share from 0 to {MAX_RANDOM_SHARE}; got {value}.")
        return value

    def clean_learn_share(self) -> float | None:
        value = self.cleaned_data["learn_share"]
        if value is not None and not 0.0 <= value <= 1.0:
            raise forms.ValidationError(_("Expected a share from 0 to 1; got %(value)s.") % {"value": value})
        return value


class ReviewBudgetInline(admin.StackedInline):
    """The course's review budget: the answers a day its teachers are sent is their number times the reviews
    each takes on. Without a policy the course uses the school's settings; deleting it goes back to them."""

    model = ReviewPolicy
    form = ReviewPolicyForm
    fields = ["reviews_per_teacher_per_day", "random_share", "learn_share"]
    verbose_name = verbose_name_plural = _("review budget")

    # ``obj`` is the course, already scoped by CourseAISettingsAdmin's queryset.
    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return teaches_a_course(request)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return teaches_a_course(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return teaches_a_course(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return teaches_a_course(request)


class DraftPolicyForm(forms.ModelForm):
    """The students and groups offered are the course's own: its students, and the groups any of them is in."""

    class Meta:
        model = DraftPolicy
        fields = ["hold_below", "wait_minutes", "on_timeout", "students", "groups"]

    def __init__(self, *args, course=None, **kwargs):
        super().__init__(*args, **kwargs)
        students = get_user_model().objects.filter(
            enrollments__course=course, enrollments__role=Enrollment.Role.STUDENT)
        self.fields["students"].queryset = students.order_by("username")
        self.fields["groups"].queryset = Group.objects.filter(user__in=students).distinct().order_by("name")


class DraftPolicyFormSet(BaseInlineFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "course": self.instance}  # the course, before the form is built


class DraftPolicyInline(ReviewBudgetInline):
    """Draft approval (tutor.drafts): answers below a confidence wait for the course's teachers. No policy (or the
    policy deleted here): none are held."""

    model = DraftPolicy
    form = DraftPolicyForm
    formset = DraftPolicyFormSet
    fields = ["hold_below", "wait_minutes", "on_timeout", "students", "groups"]
    verbose_name = verbose_name_plural = _("draft approval")


@admin.register(CourseAISettings)
class CourseAISettingsAdmin(TeachersChangeAdminMixin, admin.ModelAdmin):
    list_display = ["title", *AI_SETTING_FIELDS, "review_budget"]
    fields = ["title", "slug", *AI_SETTING_FIELDS]
    readonly_fields = ["title", "slug"]
    inlines = [ReviewBudgetInline, DraftPolicyInline]
    search_fields = ["title", "slug"]
    actions = None

    def get_queryset(self, request: HttpRequest):
        taught = courses_for_teacher(user=request.user).values("pk")
        return super().get_queryset(request).filter(pk__in=taught).select_related("review_policy")

    @admin.display(description=_("Reviews per teacher a day"))
    def review_budget(self, course: CourseAISettings) -> str:
        policy = getattr(course, "review_policy", None)
        return str(policy.reviews_per_teacher_per_day) if policy else "school default"

    def save_model(self, request: HttpRequest, obj: CourseAISettings, form, change: bool) -> None:
        obj.save(update_fields=AI_SETTING_FIELDS)
