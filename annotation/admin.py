"""Teacher review in the Django admin. The review queue and the router pages live in their own modules;
the review policies, a superuser's setting per course, are here."""
from django import forms
from django.contrib import admin
from django.http import HttpRequest

from annotation import admin_review, admin_router, admin_training  # noqa: F401  (they register their admins)
from annotation.models import ReviewPolicy

MAX_RANDOM_SHARE = 0.5  # beyond half, "random sample" would crowd out the likely-wrong answers
MAX_REVIEWS_PER_DAY = 1000


class ReviewPolicyForm(forms.ModelForm):
    class Meta:
        model = ReviewPolicy
        fields = ["course", "reviews_per_teacher_per_day", "random_share"]

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


@admin.register(ReviewPolicy)
class ReviewPolicyAdmin(admin.ModelAdmin):
    """How much review a course's teachers take on is the administrators' call, not the teachers'."""

    form = ReviewPolicyForm
    list_display = ["course", "reviews_per_teacher_per_day", "random_share"]
    list_select_related = ["course"]
    autocomplete_fields = ["course"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_module_permission(request)
