"""The privacy concern in the admin: the user list's actions that export one student's data (a JSON download)
and erase students' data (after a confirmation page), and the read-only list of privacy audit records.
Superusers only, whatever model permissions a staff account holds. Thin: learning.privacy.services does the work.
"""
import json

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from learning.admin.readonly import ReadOnlyAdminMixin
from learning.admin.superuser import SuperuserOnlyAdminMixin, superuser_access
from learning.models import PrivacyAudit
from learning.privacy.services import (
    PrivacyRefused, student_data_erase, student_data_export, student_erase_refusal,
)

CHANNEL = PrivacyAudit.Channel.ADMIN


class PrivacyActionsMixin:
    actions = ["export_student_data", "erase_student_data"]

    def has_privacy_permission(self, request: HttpRequest) -> bool:
        return superuser_access(request)

    @admin.action(description=_("Export the selected student's data (JSON)"), permissions=["privacy"])
    def export_student_data(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one student to export."), messages.ERROR)
            return None
        student = queryset.get()
        document = student_data_export(student=student, channel=CHANNEL)
        response = HttpResponse(json.dumps(document, indent=2, ensure_ascii=False),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="student-data-{student.pk}.json"'
        return response

    @admin.action(description=_("Erase the selected students' data and accounts…"), permissions=["privacy"])
    def erase_student_data(self, request, queryset):
        students = list(queryset.order_by("pk"))
        if request.POST.get("post") != "yes":
            return self._erase_confirmation(request, students)
        for student in students:
            name = student.get_username()
            try:
                audit = student_data_erase(student=student, channel=CHANNEL)
            except PrivacyRefused as refused:
                self.message_user(request, _("%(name)s was not erased: %(reason)s") % {"name": name, "reason": refused},
                                  messages.ERROR)
                continue
            self.message_user(request, _("%(name)s's data was erased (audit reference %(reference)s).")
                              % {"name": name, "reference": audit.reference}, messages.SUCCESS)
        return None

    def _erase_confirmation(self, request, students):
        context = {
            **self.admin_site.each_context(request), "title": _("Erase student data?"), "opts": self.model._meta,
            "students": [(student, student_erase_refusal(student=student)) for student in students],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/auth/user/erase_student_data.html", context)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StudentDataUserAdmin(PrivacyActionsMixin, UserAdmin):
    """Django's user admin, with the privacy actions."""


@admin.register(PrivacyAudit)
class PrivacyAuditAdmin(ReadOnlyAdminMixin, SuperuserOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "action", "channel", "reference"]
    list_filter = ["action", "channel"]
    search_fields = ["reference"]
    fields = readonly_fields = ["reference", "action", "channel", "counts", "created_at"]
