from django.urls import reverse


class AdminUrlNamesMixin:
    """Names and reverses a ModelAdmin's own views the way Django names its changelist
    (``<app>_<model>_<view>`` in the admin site's namespace), for admins that define their own get_urls."""

    def _url_name(self, view: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{view}"

    def _url(self, view: str, *args) -> str:
        return reverse(f"{self.admin_site.name}:{self._url_name(view)}", args=args)
