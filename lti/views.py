"""LTI endpoints: the tool's JWKS, OIDC login initiation, the launch, and an instructor's deep linking choice.
Views parse, call and answer."""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learning.mastery import course_get_for_teacher
from lti.deep_linking import deep_link_answer, deep_link_hold, deep_link_pending, offers
from lti.framing import csp_directive, frame_for_platform
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
    if valid.is_deep_linking:
        deep_link_hold(request.session, launch=valid, user=outcome.user, course=outcome.course)
        return HttpResponseRedirect(reverse("lti-deep-link"))
    return HttpResponseRedirect(landing_url(outcome))


def landing_url(outcome: Accepted) -> str:
    """An instructor lands on the course's review queue; a learner on the course's chat page, or on practice of
    the skill a practice activity names."""
    if CourseRole.INSTRUCTOR in outcome.roles:
        return f"{reverse('admin:annotation_reviewtask_changelist')}?course={outcome.course.id}"
    link = outcome.resource_link
    if link is not None and link.skill is not None:
        return f"{reverse('index')}?{urlencode({'course': outcome.course.id, 'skill': link.skill.key})}"
    return f"{reverse('index')}?course={outcome.course.id}"


@require_http_methods(["GET", "POST"])
def deep_link(request: HttpRequest):
    """The activities an instructor may place (GET), and their choice (POST), answered with the signed deep
    linking response posted back to the platform. 404 unless this session holds this user's deep linking
    request for a course they still teach."""
    pending = deep_link_pending(request.session, user=request.user) if request.user.is_authenticated else None
    course = course_get_for_teacher(user=request.user, course_id=pending["course"]) if pending else None
    if course is None:
        raise Http404("no deep linking request waits in this session")
    choices = offers(course)
    if request.method == "GET":
        return _deep_link_page(request, course, choices)
    offer = next((choice for choice in choices if choice.key == request.POST.get("target")), None)
    if offer is None:
        return _deep_link_page(request, course, choices, _("Choose one of the activities listed."), status=400)
    answer = deep_link_answer(request.session, pending=pending, course=course, offer=offer,
                              launch_url=request.build_absolute_uri(reverse("lti-launch")))
    if answer is None:
        return _deep_link_page(request, course, choices, _("The tutor cannot answer this platform now: it has no "
                                                           "signing key, or the platform was switched off. Ask "
                                                           "an administrator."), status=503)
    response = render(request, "lti/deep_link_return.html", {"answer": answer})
    return_to = urlsplit(answer.return_url)
    response["Content-Security-Policy"] = csp_directive(
        settings.TUTOR_CONTENT_SECURITY_POLICY, "form-action", ["'self'", f"{return_to.scheme}://{return_to.netloc}"])
    return response


def _deep_link_page(request: HttpRequest, course, choices, error: str = "", status: int = 200):
    return render(request, "lti/deep_link.html", {"course": course, "offers": choices, "error": error},
                  status=status)


def refused(request: HttpRequest, exc: LaunchRefused):
    return render(request, "lti/refused.html", {"refusal": exc}, status=400)
