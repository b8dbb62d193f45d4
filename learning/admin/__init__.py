"""The learning app's Django admin: courses and their enrolments (superusers) are here; content upload
(authors) and mastery (teachers) live in their own modules, imported here so that Django's admin
autodiscovery registers them."""
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _, ngettext

from learning.admin import mastery  # noqa: F401  (registers the mastery admin)
from learning.admin import privacy  # noqa: F401  (the user admin's privacy actions, the privacy audit list)
from learning.admin.accessible import LabelledTabularInline
from learning.admin.content import ContentUploadAdminMixin
from learning.admin.superuser import SuperuserOnlyAdminMixin
from learning.models import Course, Enrollment
from learning.tasks import calibrate_course


class EnrollmentInline(LabelledTabularInline):
    model = Enrollment
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Course)
class CourseAdmin(ContentUploadAdminMixin, SuperuserOnlyAdminMixin, admin.ModelAdmin):
    """Superusers only: with Django's per-model permissions a teacher could enrol themselves in any course."""

    list_display = ["title", "slug", "answer_style", "abstain_below", "created_at", "content_upload_link"]
    search_fields = ["title", "slug"]
    inlines = [EnrollmentInline]
    actions = ["recalibrate"]

    @admin.action(description=_("Recalibrate the knowledge model from all attempts"))
    def recalibrate(self, request, queryset):
        for course in queryset:
            calibrate_course.delay(course.pk)
        count = queryset.count()
        self.message_user(request, ngettext("Calibration queued for %(count)d course; a worker runs it.",
                                            "Calibration queued for %(count)d courses; a worker runs it.", count)
                          % {"count": count}, messages.SUCCESS)
