"""Response headers every page carries, and the language each request is answered in."""
from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from tutor.languages import request_language


class ContentSecurityPolicyMiddleware:
    """Adds the site's Content-Security-Policy to responses that do not set their own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.TUTOR_CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.TUTOR_CONTENT_SECURITY_POLICY)
        return response


class SessionLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware (Content-Language, Vary: Accept-Language), with an LTI launch's locale kept in
    the session before the browser's Accept-Language (tutor/languages.py)."""

    def process_request(self, request):
        translation.activate(request_language(request))
        request.LANGUAGE_CODE = translation.get_language()
