from django.contrib import admin

from learning.admin_content import ContentUploadAdminMixin
from learning.models import Course, Enrollment


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Course)
class CourseAdmin(ContentUploadAdminMixin, admin.ModelAdmin):
    list_display = ["title", "slug", "created_at", "content_upload_link"]
    search_fields = ["title", "slug"]
    inlines = [EnrollmentInline]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser
from learning import admin_mastery  # noqa: E402,F401  (registers the mastery admin)
