"""HTTP interface: the student page and a small JSON API. Views only parse, check access and call."""
from __future__ import annotations

import sys

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from learning.models import Enrollment
from learning.selectors import course_get_for_student, courses_for_user
from tutor import errors
from tutor.auth import bearer_token
from tutor.errors import TutorError, database_ping, database_unreachable
from tutor.schemas import Credentials, parse_body
from tutor.selectors import conversations_for_student, user_for_token
from tutor.services import api_token_issue


def error_response(code: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "detail": detail}}, status=status)


def api_user(request: HttpRequest):
    """The caller, by bearer token or by session; None when anonymous."""
    raw = bearer_token(request.headers.get("Authorization"))
    if raw is not None:
        return user_for_token(raw_token=raw)
    return request.user if request.user.is_authenticated else None


def _credentials_user(request: HttpRequest):
    credentials = parse_body(request.body, Credentials)
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if user is None:
        raise TutorError("invalid_credentials", "The username or password is wrong.")
    return user


def _auth_error(exc: TutorError) -> JsonResponse:
    return error_response(exc.code, exc.detail, 401 if exc.code == "invalid_credentials" else 400)


@ensure_csrf_cookie
@require_GET
def index(request: HttpRequest):
    return render(request, "tutor/index.html")


@csrf_exempt  # credentials in the body, no cookie involved: nothing for a forged request to ride on
@require_POST
def api_auth_token(request: HttpRequest):
    try:
        user = _credentials_user(request)
    except TutorError as exc:
        return _auth_error(exc)
    return JsonResponse({"token": api_token_issue(user=user)})


@require_POST
def api_auth_login(request: HttpRequest):
    try:
        user = _credentials_user(request)
    except TutorError as exc:
        return _auth_error(exc)
    login(request, user)
    return JsonResponse({"username": user.get_username()})


@require_POST
def api_auth_logout(request: HttpRequest):
    logout(request)
    return JsonResponse({})


@require_GET
def api_me(request: HttpRequest):
    user = api_user(request)
    if user is None:
        return error_response("not_authenticated", "Log in first.", 401)
    courses = courses_for_user(user=user, role=Enrollment.Role.STUDENT)
    return JsonResponse(
        {"username": user.get_username(), "courses": [{"id": c.id, "title": c.title} for c in courses]}
    )


@require_GET
def api_course_conversations(request: HttpRequest, course_id: int):
    user = api_user(request)
    if user is None:
        return error_response("not_authenticated", "Log in first.", 401)
    if course_get_for_student(user=user, course_id=course_id) is None:
        return error_response(*errors.COURSE_NOT_FOUND, 404)
    conversations = conversations_for_student(student=user, course_id=course_id)[:100]
    return JsonResponse(
        {"conversations": [{"id": c.id, "title": c.title, "created_at": c.created_at.isoformat()} for c in conversations]}
    )


@require_GET
def health(request: HttpRequest):
    """For load balancers: 200 while this server can reach its database, 503 (see ``server_error``) when not."""
    database_ping()
    return JsonResponse({"status": "ok"})


def server_error(request: HttpRequest):
    """Every uncaught exception ends here (handler500). A database that cannot be reached is an outage the client
    should wait out, not a bug: 503 with Retry-After, and the same JSON error shape as the API."""
    if database_unreachable(sys.exc_info()[1]):
        response = error_response(*errors.SERVICE_UNAVAILABLE, 503)
        response["Retry-After"] = "5"
        return response
    return error_response("server_error", "Something went wrong on our side; it has been logged.", 500)
