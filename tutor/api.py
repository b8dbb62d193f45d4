"""What every JSON API view shares: who the caller is, the refusals that come before the view, the error shape.

An API view is wrapped in ``api_view``: an anonymous caller (no session, or a bearer token that is unknown,
revoked or expired) gets 401 before anything else; a session caller's unsafe request is CSRF-checked; a bearer
caller's is not (no cookie is involved, so there is nothing for a forged request to ride on)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.views import csrf
from django.views.decorators.csrf import csrf_exempt

from tutor import errors
from tutor.auth import bearer_token
from tutor.models import ApiToken
from tutor.selectors import api_token_live

API_PREFIX = "/api/"


def error_response(code: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "detail": detail}}, status=status)


@dataclass(frozen=True)
class ApiCaller:
    user: AbstractBaseUser
    token: ApiToken | None  # None: authenticated by the session cookie


def api_caller(request: HttpRequest) -> ApiCaller | None:
    """The caller, by bearer token when one is sent (a bad one is anonymous) or else by session."""
    raw = bearer_token(request.headers.get("Authorization"))
    if raw is not None:
        token = api_token_live(raw_token=raw)
        return ApiCaller(token.user, token) if token else None
    return ApiCaller(request.user, None) if request.user.is_authenticated else None


def api_view(view):
    """``view(request, caller, ...)`` for an authenticated caller only (see the module docstring)."""

    @csrf_exempt  # checked below, for session callers only
    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs):
        caller = api_caller(request)
        if caller is None:
            return error_response(*errors.NOT_AUTHENTICATED, 401)
        if caller.token is None and (refused := _csrf_refusal(request)):
            return refused
        return view(request, caller, *args, **kwargs)

    return checked


def _csrf_refusal(request: HttpRequest):
    """What Django's CSRF middleware answers for this request (None: accepted; safe methods always are)."""
    return CsrfViewMiddleware(lambda _: None).process_view(request, None, (), {})


def csrf_failure(request: HttpRequest, reason: str = ""):
    """CSRF_FAILURE_VIEW: an API client gets the API's JSON error; the admin keeps Django's page."""
    if request.path.startswith(API_PREFIX):
        return error_response(*errors.CSRF_FAILED, 403)
    return csrf.csrf_failure(request, reason=reason)
