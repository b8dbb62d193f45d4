from django.contrib import admin

from learning.admin.superuser import SuperuserOnlyAdminMixin
from tutor.models import ApiToken, Conversation, Message
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

    @admin.action(description="Revoke the selected tokens (their open sockets close within the recheck period)")
    def revoke(self, request, queryset):
        revoked = api_tokens_revoke(tokens=queryset)
        self.message_user(request, f"{revoked} token(s) revoked.")
