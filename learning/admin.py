from django.contrib import admin, messages

from learning.admin_content import ContentUploadAdminMixin
from learning.models import Course, Enrollment
from learning.tasks import calibrate_course


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Course)
class CourseAdmin(ContentUploadAdminMixin, admin.ModelAdmin):
    list_display = ["title", "slug", "created_at", "content_upload_link"]
    search_fields = ["title", "slug"]
    inlines = [EnrollmentInline]
    actions = ["recalibrate"]

    @admin.action(description="Recalibrate the knowledge model from all attempts")
    def recalibrate(self, request, queryset):
        for course in queryset:
            calibrate_course.delay(course.pk)
        self.message_user(request, f"Calibration queued for {queryset.count()} course(s); a worker runs it.",
                          messages.SUCCESS)

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    # Not Django's per-model permissions: with one, a teacher could enrol themselves in any course.
    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
from learning import admin_mastery  # noqa: E402,F401  (registers the mastery admin)
