from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def superuser_access(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


class SuperuserOnlyAdminMixin:
    """Only active superusers see, add, change or delete these records, whatever Django permissions a user holds:
    a per-model permission granted to a teacher would open every course's records to them."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return superuser_access(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return superuser_access(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return superuser_access(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return superuser_access(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return superuser_access(request)

    def history_view(self, request: HttpRequest, object_id, extra_context=None):
        # Django looks the object up before it checks permission, which would tell staff which ids exist.
        if not superuser_access(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)
