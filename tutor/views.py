"""HTTP interface: the student page and a small JSON API. Views only parse, check access and call."""
from __future__ import annotations

import sys

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learning.models import Enrollment
from learning.selectors import course_get_for_student, courses_for_user
from tutor import errors
from tutor.guides import CONTENT_FORMAT, guide_html
from tutor.api import ApiCaller, api_view, error_response
from tutor.errors import TutorError, database_ping, database_unreachable
from tutor.models import ApiToken
from tutor.schemas import Credentials, parse_body
from tutor.selectors import api_tokens_of, conversations_for_student
from tutor.services import api_token_issue, api_token_revoke

def _credentials_user(request: HttpRequest):
    credentials = parse_body(request.body, Credentials)
    user = authenticate(request, username=credentials.username, password=credentials.password)
    if user is None:
        raise TutorError("invalid_credentials", _("The username or password is wrong."))
    return user


def _auth_error(exc: TutorError) -> JsonResponse:
    return error_response(exc.code, exc.detail, 401 if exc.code == "invalid_credentials" else 400)


@require_GET
def content_format_guide(request: HttpRequest):
    """The course content format (docs/content-format.md) for authors; public, like any documentation."""
    return render(request, "tutor/guide.html", {"title": _("Course content format"), "body": guide_html(CONTENT_FORMAT)})


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
@api_view
def api_auth_logout(request: HttpRequest, caller: ApiCaller):
    """Ends what the request authenticated with: the bearer token is revoked, or the session ends."""
    if caller.token is not None:
        api_token_revoke(user=caller.user, token_id=caller.token.id)
    else:
        logout(request)
    return JsonResponse({})


@require_GET
@api_view
def api_auth_tokens(request: HttpRequest, caller: ApiCaller):
    """The caller's tokens that still work (never their value: only its hash is kept)."""
    tokens = api_tokens_of(user=caller.user)[:100]
    return JsonResponse({"tokens": [_token_as_dict(token, caller) for token in tokens]})


@require_http_methods(["DELETE"])
@api_view
def api_auth_token_revoke(request: HttpRequest, caller: ApiCaller, token_id: int):
    if not api_token_revoke(user=caller.user, token_id=token_id):
        return error_response(*errors.TOKEN_NOT_FOUND, 404)  # another user's token looks exactly like a missing one
    return JsonResponse({})


def _token_as_dict(token: ApiToken, caller: ApiCaller) -> dict:
    return {"id": token.id, "created_at": token.created_at.isoformat(), "expires_at": token.expires_at.isoformat(),
            "current": caller.token is not None and caller.token.id == token.id}


@require_GET
@api_view
def api_me(request: HttpRequest, caller: ApiCaller):
    courses = courses_for_user(user=caller.user, role=Enrollment.Role.STUDENT)
    return JsonResponse(
        {"username": caller.user.get_username(), "courses": [{"id": c.id, "title": c.title} for c in courses]}
    )


@require_GET
@api_view
def api_course_conversations(request: HttpRequest, caller: ApiCaller, course_id: int):
    if course_get_for_student(user=caller.user, course_id=course_id) is None:
        return error_response(*errors.COURSE_NOT_FOUND, 404)
    conversations = conversations_for_student(student=caller.user, course_id=course_id)[:100]
    return JsonResponse({"conversations": [_conversation_as_dict(c) for c in conversations]})


def _conversation_as_dict(conversation) -> dict:
    return {"id": conversation.id, "title": _conversation_title(conversation),
            "created_at": conversation.created_at.isoformat(),
            "last_activity_at": conversation.last_activity_at.isoformat()}


def _conversation_title(conversation, max_question_chars: int = 48) -> str:
    """Such as "3. How do I add 1/3 and 1/4? (4 Dec 2026, 17:24 UTC)": the running number tells apart two
    conversations that began with the same question, the start time tells the student which one they mean."""
    question = " ".join((conversation.title or "Conversation").split())
    if len(question) > max_question_chars:
        question = question[:max_question_chars - 1].rstrip() + "…"
    started = timezone.localtime(conversation.created_at)
    return f"{conversation.number}. {question} ({started.day} {started:%b %Y, %H:%M} {started.tzname()})"


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
