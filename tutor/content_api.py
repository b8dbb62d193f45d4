"""The content upload API over HTTP (the learning app imports the content; this view only parses, checks access and
calls it)."""
from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from learning.content.access import course_get_for_author
from learning.content.errors import ContentError, ContentRejected, ContentTooLarge, quote
from learning.content.formats import SOURCE_EXPECTED, SOURCE_PATTERN
from learning.content.importing import content_format_pick, content_size_check, course_content_import
from tutor import errors
from tutor.api import ApiCaller, api_view, error_response

_STATUS = {"content_too_large": 413, "unsupported_content_type": 415}


@require_POST
@api_view
def api_course_content(request: HttpRequest, caller: ApiCaller, course_id: int):
    """POST the raw file as the body, with its Content-Type (``?source=NAME`` for reference text)."""
    course = course_get_for_author(user=caller.user, course_id=course_id)
    if course is None:
        return error_response(*errors.COURSE_NOT_FOUND, 404)
    try:
        report = course_content_import(
            course=course, filename="", data=_body(request), content_type=_content_type(request),
            source=_source(request),
        )
    except ContentRejected as rejected:
        return rejection_response(rejected)
    return JsonResponse({"report": report.as_dict()})


def rejection_response(rejected: ContentRejected) -> JsonResponse:
    body = {"code": rejected.code, "detail": rejected.detail, "errors": [e.as_dict() for e in rejected.errors]}
    return JsonResponse({"error": body}, status=_STATUS.get(rejected.code, 400))


def _body(request: HttpRequest) -> bytes:
    """Checks the declared size and the type before reading a body that may be large."""
    content_size_check(size=_declared_length(request))
    content_format_pick(filename="", content_type=_content_type(request))
    try:
        return request.body
    except RequestDataTooBig:
        raise ContentTooLarge([ContentError("file", "", "a body larger than the server accepts",
                                            "a smaller file")]) from None


def _content_type(request: HttpRequest) -> str:
    return request.META.get("CONTENT_TYPE", "")  # "" (not None): over HTTP the type decides, never a name


def _declared_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def _source(request: HttpRequest) -> str | None:
    source = request.GET.get("source")
    if source is None:
        return None
    if not SOURCE_PATTERN.fullmatch(source):  # also caps it at 120 characters
        raise ContentRejected([ContentError("query", "source", quote(source), SOURCE_EXPECTED)])
    return source

