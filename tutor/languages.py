"""Which language a student or teacher reads: one home for the choice, used by pages and by the socket.

An LTI launch's locale (the platform's ``launch_presentation.locale``) is kept in the session and wins; otherwise
the browser's ``Accept-Language`` (or Django's language cookie) chooses among settings.LANGUAGES; otherwise
settings.LANGUAGE_CODE. Machine-readable codes never change with the language, only words meant for a person.
"""
from __future__ import annotations

from django.http import HttpRequest
from django.utils import translation

SESSION_KEY = "tutor_language"
SOURCE_LANGUAGE = "en"  # the language the code's sentences are written in: the catalogs' msgids


def in_source_language(text: object) -> str:
    """A catalog sentence as the code writes it, whatever language this process speaks: what one process sends
    to another is worded so, and translated where a person reads it (a student's socket)."""
    with translation.override(SOURCE_LANGUAGE):
        return str(text)


def supported_language(locale: object) -> str | None:
    """The supported language a locale names ("sv-SE", "sv_SE", "sv" -> "sv"), or None."""
    if not isinstance(locale, str) or not locale.strip() or len(locale) > 35:
        return None
    try:
        return translation.get_supported_language_variant(locale.strip().replace("_", "-").lower())
    except LookupError:
        return None


def session_language_remember(*, session, locale: object) -> str | None:
    """Keep a launch's locale for the session when it names a supported language; returns that language."""
    language = supported_language(locale)
    if language is None:
        session.pop(SESSION_KEY, None)
    else:
        session[SESSION_KEY] = language
    return language


def request_language(request: HttpRequest) -> str:
    session = getattr(request, "session", None)
    remembered = supported_language(session.get(SESSION_KEY)) if session is not None else None
    return remembered or translation.get_language_from_request(request)


def scope_language(scope: dict) -> str:
    """The language of a WebSocket's handshake: its session's launch locale, else its headers. Reads the
    session, so call it from a thread (``db_sync_to_async``)."""
    request = HttpRequest()
    headers = dict(scope.get("headers") or ())
    request.META["HTTP_ACCEPT_LANGUAGE"] = headers.get(b"accept-language", b"").decode("latin-1")
    request.COOKIES = scope.get("cookies") or {}
    request.session = scope.get("session")
    return request_language(request)


def language_name(language: str) -> str:
    """The language's English name ("Swedish"), for the tutor's instructions."""
    return translation.get_language_info(language)["name"]
