from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """Nobody adds, changes or deletes through this admin, superusers included: it only shows."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
