"""Refusals: a machine-readable code that never changes, and a detail for a person, translated lazily (it is
worded in the language active where the frame or response is made: tutor/languages.py)."""
from django.utils.translation import gettext_lazy as _, gettext_noop

from learning.errors import COURSE_NOT_FOUND  # noqa: F401  (worded once, in learning)


class TutorError(Exception):
    """A request the tutor refuses; ``code`` is machine-readable, ``detail`` is for a person, ``extra`` are more
    machine-readable fields of the error frame (a daily limit's ``resets_at``)."""

    def __init__(self, code: str, detail: str, client_msg_id: str | None = None, **extra):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.client_msg_id = client_msg_id
        self.extra = extra


CONVERSATION_NOT_FOUND = ("conversation_not_found", _("No conversation with this id is open to you."))
ATTEMPT_NOT_FOUND = ("attempt_not_found", _("No practice answer with this id is yours in this course."))
NOT_AUTHENTICATED = ("not_authenticated", _("Log in first, or send a valid bearer token."))
CSRF_FAILED = ("csrf_failed", _("A session request that changes something needs the X-CSRFToken header "
                                "(or authenticate with a bearer token)."))
TOKEN_NOT_FOUND = ("token_not_found", _("No token with this id is yours and still valid."))
# Why an open socket is closed when its credentials are checked again (tutor/socket_auth.py).
TOKEN_REVOKED = ("token_revoked",
                 _("The token this socket opened with was revoked; get a new one and reconnect."))
TOKEN_EXPIRED = ("token_expired",
                 _("The token this socket opened with has expired; get a new one and reconnect."))
ACCOUNT_DISABLED = ("account_disabled", _("This account was disabled."))
SESSION_ENDED = ("session_ended",
                 _("The session this socket opened with has ended (logged out); log in again."))
# What a course's AI settings refuse (tutor/ask_limits.py, tutor/off_topic.py).
TUTOR_DISABLED = ("tutor_disabled", _("The tutor is switched off for this course by its teachers. Practice "
                                      "questions still work."))
DAILY_LIMIT_REACHED = "daily_limit_reached"
OFF_TOPIC = ("off_topic", _("This tutor only answers questions about this course, and this question does not seem to "
                            "be about it. Please ask about something from your course, or talk to your teacher."))
# The engine's own details (tutor/engine/types.py stays free of Django), listed here so that the catalog holds them:
# they reach a socket through the channel layer, which words them in its student's language (tutor/consumers.py).
ENGINE_DETAILS = (
    gettext_noop("The tutor could not produce an answer. Please try again."),
    gettext_noop("The tutor took too long to answer. Please ask again."),
    gettext_noop("The tutor is answering too many questions right now. Please try again in a moment."),
)
SERVICE_UNAVAILABLE = ("service_unavailable",
                       _("The tutor cannot reach its database right now. Try again in a moment."))


def database_unreachable(exc: BaseException | None) -> bool:
    """A lost or refused database connection (an outage to wait out), as opposed to a bad query."""
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, (OperationalError, InterfaceError))


def database_ping() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
