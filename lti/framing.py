"""The frame and cookie policy of a session that began with an LTI launch, and of no other.

The LMS shows the tool in an iframe on another site. There the browser sends our cookies only if they are
``SameSite=None; Secure``, and shows our pages only if ``frame-ancestors`` names the LMS. A session started by a
launch remembers the platform's origins; every response in that session (and only in it) gets its cookies
re-flagged and its frame policy opened to exactly those origins. Everyone else keeps ``X-Frame-Options: DENY``,
``frame-ancestors 'none'`` and ``SameSite=Lax``.
"""
from __future__ import annotations

import re

from django.conf import settings

SESSION_KEY = "lti_frame_origins"


def frame_for_platform(request, platform) -> None:
    request.session[SESSION_KEY] = platform.framing_origins()


def csp_directive(policy: str, name: str, sources: list[str]) -> str:
    """``policy`` with its directive ``name`` set to ``sources`` (added when it has none)."""
    directive = f"{name} " + " ".join(sources)
    if re.search(rf"(^|;)\s*{name}\b", policy):
        return re.sub(rf"((?:^|;)\s*){name}[^;]*", lambda m: m.group(1) + directive, policy)
    return f"{policy}; {directive}" if policy.strip() else directive


class LtiFramingMiddleware:
    """Sits outside the session, CSRF, clickjacking and CSP middleware, so it sees their cookies and headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        origins = session.get(SESSION_KEY) if session is not None else None
        if origins:
            self._open_to(response, origins)
        return response

    @staticmethod
    def _open_to(response, origins: list[str]) -> None:
        for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
            if name in response.cookies:
                response.cookies[name]["samesite"] = "None"
                response.cookies[name]["secure"] = True
        if "X-Frame-Options" in response.headers:
            del response.headers["X-Frame-Options"]
        response.headers["Content-Security-Policy"] = csp_directive(
            response.headers.get("Content-Security-Policy", ""), "frame-ancestors", origins)
