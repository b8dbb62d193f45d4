"""Response headers every page carries."""
from __future__ import annotations

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """Adds the site's Content-Security-Policy to responses that do not set their own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.TUTOR_CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.TUTOR_CONTENT_SECURITY_POLICY)
        return response
