"""LTI registrations in the admin, for superusers only: platforms with their deployments, the contexts that
launches recorded (mapped to a course here), the accounts launches created, and the tool's keys with rotation."""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST
from django.utils.translation import gettext_lazy as _, ngettext

from learning.admin.accessible import LabelledTabularInline
from learning.admin.readonly import ReadOnlyAdminMixin
from learning.admin.superuser import SuperuserOnlyAdminMixin, superuser_access
from learning.admin.url_names import AdminUrlNamesMixin
from lti.models import Context, Deployment, Identity, Platform, ResourceLink, Score, ToolKey
from lti.roster import RosterError, roster_sync
from lti.services import tool_key_retire, tool_key_rotate


class DeploymentInline(LabelledTabularInline):
    model = Deployment
    extra = 1


@admin.register(Platform)
class PlatformAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "issuer", "client_id", "is_active", "created_at"]
    search_fields = ["name", "issuer", "client_id"]
    inlines = [DeploymentInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Context)
class ContextAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    """Contexts are recorded by launches; an administrator only chooses the course each one opens."""

    list_display = ["__str__", "platform", "context_id", "course", "roster_synced_at", "created_at"]
    list_filter = ["platform", ("course", admin.EmptyFieldListFilter)]
    list_select_related = ["platform", "course"]
    search_fields = ["title", "context_id"]
    fields = ["platform", "context_id", "title", "course", "memberships_url", "roster_synced_at"]
    readonly_fields = ["platform", "context_id", "title", "memberships_url", "roster_synced_at"]
    autocomplete_fields = ["course"]
    actions = ["sync_roster"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=gettext_lazy("Sync the roster from the platform (enrol its members, remove those "
                                           "it dropped)"))
    def sync_roster(self, request: HttpRequest, queryset):
        for context in queryset.select_related("platform", "course"):
            try:
                synced = roster_sync(context=context)
            except RosterError as exc:
                messages.error(request, str(exc))
                continue
            messages.success(request, gettext(
                "%(context)s: %(listed)d member(s) enrolled, %(skipped)d skipped, %(removed)d enrolment(s) removed."
            ) % {"context": context, "listed": synced.listed, "skipped": synced.skipped, "removed": synced.removed})


@admin.register(ResourceLink)
class ResourceLinkAdmin(ReadOnlyAdminMixin, SuperuserOnlyAdminMixin, admin.ModelAdmin):
    """Activities are recorded by their launches; what they open was chosen by deep linking."""

    list_display = ["__str__", "context", "target", "skill", "lineitem_url", "updated_at"]
    list_filter = ["target"]
    list_select_related = ["context", "skill"]
    search_fields = ["title", "resource_link_id"]


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdminMixin, SuperuserOnlyAdminMixin, admin.ModelAdmin):
    """The grade outbox: what each gradebook is owed, and why a send failed."""

    list_display = ["user", "resource_link", "score_given", "status", "tries", "next_try_at", "sent_at", "last_error"]
    list_filter = ["status"]
    list_select_related = ["user", "resource_link"]
    search_fields = ["user__username", "resource_link__title"]


@admin.register(Identity)
class IdentityAdmin(ReadOnlyAdminMixin, SuperuserOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "issuer", "sub", "created_at"]
    list_select_related = ["user"]
    search_fields = ["sub", "user__username"]


@admin.register(ToolKey)
class ToolKeyAdmin(AdminUrlNamesMixin, ReadOnlyAdminMixin, SuperuserOnlyAdminMixin, admin.ModelAdmin):
    """Keys are made by rotation and leave the JWKS by retirement; the private half is never shown."""

    list_display = ["kid", "status", "created_at", "retired_at"]
    fields = ["kid", "status", "public_key", "created_at", "retired_at"]
    readonly_fields = fields
    actions = ["retire"]

    def get_urls(self):
        return [path("rotate/", self.admin_site.admin_view(require_POST(self.rotate_view)),
                     name=self._url_name("rotate")), *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "rotate_url": self._url("rotate")})

    def rotate_view(self, request: HttpRequest):
        if not superuser_access(request):
            raise PermissionDenied
        key = tool_key_rotate()
        messages.success(request, _("Key %(kid)s now signs; the previous key stays in the JWKS until retired.")
                         % {"kid": key.kid})
        return redirect(self._url("changelist"))

    @admin.action(description=_("Retire the selected served keys (take them out of the JWKS)"))
    def retire(self, request: HttpRequest, queryset):
        retired = sum(tool_key_retire(key_id=key.pk) for key in queryset)
        skipped = queryset.count() - retired
        done = ngettext("Retired %(count)d key.", "Retired %(count)d keys.", retired) % {"count": retired}
        not_done = ngettext("%(count)d not retired: only a served key can be; rotate before retiring the active one.",
                            "%(count)d not retired: only served keys can be; rotate before retiring the active one.",
                            skipped) % {"count": skipped}
        messages.success(request, f"{done} {not_done}" if skipped else done)
