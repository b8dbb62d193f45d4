from django.contrib import admin, messages
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _, ngettext

from learning.admin.superuser import SuperuserOnlyAdminMixin
from tutor import experiment_admin  # noqa: F401  (registers the experiments admin)
from tutor.alerts import safeguarding_alerts_acknowledge
from tutor.models import ApiToken, Conversation, Message, SafeguardingAlert
from tutor.selectors import courses_for_safeguarding, safeguarding_alerts_for_staff
from tutor.services import api_tokens_revoke


class SuperuserOnlyAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    """Chat records are students' data: only administrators see them here (teachers get review tasks)."""

    def has_add_permission(self, request):
        return False


class MessageInline(admin.TabularInline):
    model = Message
    fields = ["role", "text", "status", "confidence", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    fk_name = "conversation"


@admin.register(Conversation)
class ConversationAdmin(SuperuserOnlyAdmin):
    list_display = ["id", "student", "course", "title", "created_at"]
    list_filter = ["course"]
    search_fields = ["student__username", "title"]
    readonly_fields = ["student", "course", "created_at"]
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(SuperuserOnlyAdmin):
    list_display = ["id", "conversation", "role", "status", "confidence", "model_name", "created_at"]
    list_filter = ["role", "status"]
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(SuperuserOnlyAdmin):
    list_display = ["user", "created_at", "expires_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username"]
    readonly_fields = ["user", "key_hash", "created_at", "revoked_at"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens (their open sockets close within the recheck period)"))
    def revoke(self, request, queryset):
        revoked = api_tokens_revoke(tokens=queryset)
        self.message_user(request, ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
                          % {"count": revoked})


def safeguarding_access(request) -> bool:
    """Staff who teach a course or are its safeguarding contact, and superusers; computed once per request."""
    if not hasattr(request, "_tutor_safeguarding"):
        request._tutor_safeguarding = courses_for_safeguarding(user=request.user).exists()
    return request._tutor_safeguarding


@admin.register(SafeguardingAlert)
class SafeguardingAlertAdmin(admin.ModelAdmin):
    """The alerts of the courses one teaches or is a safeguarding contact of, newest first. Another course's
    alert is not in the queryset, so its pages answer as a missing alert's do. Nothing is edited here but the
    acknowledgement."""

    list_display = ["created_at", "course", "student", "kind", "message", "notified_at", "acknowledged_at",
                    "acknowledged_by"]
    list_filter = ["kind", ("acknowledged_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["created_at", "course", "student", "kind", "text", "signal", "notified_at", "notified_to",
                       "notify_attempts", "last_error", "acknowledged_at", "acknowledged_by"]
    fields = readonly_fields
    actions = ["acknowledge"]

    def get_queryset(self, request):
        return safeguarding_alerts_for_staff(user=request.user)

    @admin.display(description=_("Message"))
    def message(self, alert: SafeguardingAlert) -> str:
        return Truncator(alert.text).chars(80)

    @admin.action(description=_("Acknowledge the selected alerts (you have seen them and are acting on them)"))
    def acknowledge(self, request, queryset):
        done = safeguarding_alerts_acknowledge(alerts=queryset, user=request.user)
        self.message_user(request, ngettext("%(count)d alert acknowledged.", "%(count)d alerts acknowledged.", done)
                          % {"count": done}, messages.SUCCESS)

    def has_module_permission(self, request) -> bool:
        return safeguarding_access(request)

    def has_view_permission(self, request, obj=None) -> bool:
        if obj is None:
            return safeguarding_access(request)
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
