"""The annotation app's Django admin. The review queue, the router pages, retraining and the course AI settings
live in their own modules (imported here, so that Django's admin autodiscovery registers them); every course's
review policy, for superusers, is here (a course's teachers set their own on its AI settings page)."""
from django.contrib import admin

from annotation.admin import review, router, training  # noqa: F401  (they register their admins)
from annotation.admin.course_settings import ReviewPolicyForm
from annotation.models import ReviewPolicy
from learning.admin.superuser import SuperuserOnlyAdminMixin


@admin.register(ReviewPolicy)
class ReviewPolicyAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    """Every course's review policy at once, for administrators; a course's teachers change their own course's on
    its AI settings page (annotation.admin.course_settings)."""

    form = ReviewPolicyForm
    list_display = ["course", "reviews_per_teacher_per_day", "random_share", "learn_share"]
    list_select_related = ["course"]
    # A plain select (courses are few): Django's select2 autocomplete leaves its combobox without an accessible
    # name (axe-core: aria-input-field-name).
