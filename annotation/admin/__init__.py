"""The annotation app's Django admin. The review queue, the router pages and retraining live in their own
modules (imported here, so that Django's admin autodiscovery registers them); the review policies, a
superuser's setting per course, are here."""
from django import forms
from django.contrib import admin

from annotation.admin import review, router, training  # noqa: F401  (they register their admins)
from annotation.models import ReviewPolicy
from learning.admin.superuser import SuperuserOnlyAdminMixin

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
class ReviewPolicyAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    """How much review a course's teachers take on is the administrators' call, not the teachers'."""

    form = ReviewPolicyForm
    list_display = ["course", "reviews_per_teacher_per_day", "random_share"]
    list_select_related = ["course"]
    # A plain select (courses are few): Django's select2 autocomplete leaves its combobox without an accessible
    # name (axe-core: aria-input-field-name).
