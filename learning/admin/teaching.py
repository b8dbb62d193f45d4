from django.http import HttpRequest

from learning.mastery import courses_for_teacher


def teaches_a_course(request: HttpRequest) -> bool:
    """Active staff who teach a course, and superusers (authors are staff too, but not teachers). Asked for
    every admin page's menu, so computed once per request."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    if not hasattr(request, "_teaches_a_course"):
        request._teaches_a_course = user.is_superuser or courses_for_teacher(user=user).exists()
    return request._teaches_a_course


class TeachersViewAdminMixin:
    """Those who teach a course (and superusers) open this admin; which rows each sees is ``get_queryset``'s
    business, through a selector of the courses they teach. A row outside it answers as a missing one."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return teaches_a_course(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is None:
            return teaches_a_course(request)
        return self.get_queryset(request).filter(pk=obj.pk).exists()


class TeachersChangeAdminMixin(TeachersViewAdminMixin):
    """As ``TeachersViewAdminMixin``, and those who see a row may change it; nobody adds or deletes rows here
    (superusers do that on the model's own admin)."""

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
