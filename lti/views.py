"""LTI endpoints: the tool's JWKS, OIDC login initiation and the launch. Views parse, call and answer."""
from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lti.framing import frame_for_platform
from lti.launch import ToolLaunch
from lti.login import login_redirect
from lti.refusals import LaunchRefused
from lti.roles import CourseRole
from lti.services import Accepted, launch_accept
from lti.tool_conf import tool_jwks
from tutor.languages import session_language_remember, supported_language


@require_GET
def jwks(request: HttpRequest):
    """The tool's public keys: the active one and those rotated out but not yet retired."""
    return JsonResponse(tool_jwks())


@csrf_exempt  # a platform's cross-site request; it carries no session, only what the platform asserts
@require_http_methods(["GET", "POST"])
def login_initiation(request: HttpRequest):
    try:
        return login_redirect(request, launch_url=request.build_absolute_uri(reverse("lti-launch")))
    except LaunchRefused as exc:
        return refused(request, exc)


@csrf_exempt  # the platform's form post: the signed id_token, its nonce and the state cookie stand for the token
@require_POST
def launch(request: HttpRequest):
    try:
        valid = ToolLaunch(request).validated()
        outcome = launch_accept(launch=valid)
    except LaunchRefused as exc:
        return refused(request, exc)
    language = supported_language(valid.locale)
    if language:
        translation.activate(language)  # this response's page too (a course not mapped yet)
    if not isinstance(outcome, Accepted):
        return render(request, "lti/unmapped.html", {"context": outcome.context}, status=404)
    login(request, outcome.user, backend="django.contrib.auth.backends.ModelBackend")
    # After login, which may start a new session: the platform's locale is this session's language.
    session_language_remember(session=request.session, locale=valid.locale)
    frame_for_platform(request, outcome.platform)
    return HttpResponseRedirect(landing_url(outcome))


def landing_url(outcome: Accepted) -> str:
    """An instructor lands on the course's review queue, a learner on the course's chat page."""
    if CourseRole.INSTRUCTOR in outcome.roles:
        return f"{reverse('admin:annotation_reviewtask_changelist')}?course={outcome.course.id}"
    return f"{reverse('index')}?course={outcome.course.id}"


def refused(request: HttpRequest, exc: LaunchRefused):
    return render(request, "lti/refused.html", {"refusal": exc}, status=400)
