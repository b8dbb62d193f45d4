"""Who is on the other end of a WebSocket, and may they open one at all."""
from __future__ import annotations

import json

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from tutor import errors
from tutor.errors import database_unreachable
from tutor.origins import origin_normalise
from tutor.protocol import error_frame
from tutor.selectors import api_token_live

BEARER = "bearer "


def header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def bearer_token(authorization: str | None) -> str | None:
    if authorization and authorization[: len(BEARER)].lower() == BEARER:
        return authorization[len(BEARER) :].strip() or None
    return None


class BearerTokenAuthMiddleware(BaseMiddleware):
    """An ``Authorization: Bearer`` header, when present, decides the user (a bad token is anonymous)."""

    async def __call__(self, scope, receive, send):
        raw = bearer_token(header(scope, b"authorization"))
        if raw is not None:
            token = await database_sync_to_async(api_token_live)(raw_token=raw)
            # The token's id stays with the socket, which checks now and then that it still holds (socket_auth).
            scope = dict(scope, auth_method="token", api_token_id=token.id if token else None,
                         user=token.user if token else AnonymousUser())
        return await super().__call__(scope, receive, send)


def origin_allowed(scope) -> bool:
    """Browsers always send Origin: it must be exactly one of ours (scheme, host and port), since a page on another
    port or scheme of the same host is another site that the browser still sends our cookie for. A client
    without one must authenticate by token, so that a cookie alone never opens a socket."""
    origin = header(scope, b"origin")
    if origin is None:
        return scope.get("auth_method") == "token"
    return origin_normalise(origin) in settings.TUTOR_ALLOWED_ORIGINS


def handshake_user(scope):
    user = scope.get("user")
    if user is None or not user.is_authenticated or not origin_allowed(scope):
        return None
    return user


class DatabaseOutageGuard:
    """Outermost on the WebSocket. A handshake that fails because the database cannot be reached (the session or
    token lookup) is accepted, told why in an error frame and closed with 1013, "try again later", so a client
    backs off instead of seeing a bare HTTP 500."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        accepted = False

        async def tracking_send(message):
            nonlocal accepted
            accepted = accepted or message["type"] == "websocket.accept"
            await send(message)

        try:
            return await self.inner(scope, receive, tracking_send)
        except Exception as exc:
            if accepted or not database_unreachable(exc):
                raise
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": json.dumps(error_frame(*errors.SERVICE_UNAVAILABLE))})
        await send({"type": "websocket.close", "code": 1013})
