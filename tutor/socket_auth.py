"""An open socket's credentials are checked again every ``TUTOR_AUTH_RECHECK_S`` seconds.

A socket is authorised once, at its handshake; afterwards its token can be revoked or expire, its session can
log out (or end with a password change), its account can be disabled. Each socket re-reads its own credentials
from the database on a timer, so this holds on every server with no message passed between them, at the cost of
one small query per socket per period. The socket is sent an ``error`` frame naming the reason, then closed with
``CREDENTIALS_ENDED`` (4401). A database outage skips a check: the socket is not closed for it.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from importlib import import_module
from types import SimpleNamespace

from django.conf import settings
from django.contrib import auth
from django.utils import timezone

from tutor import errors
from tutor.dbcall import db_sync_to_async
from tutor.errors import database_unreachable
from tutor.protocol import error_frame
from tutor.selectors import api_token_with_user

logger = logging.getLogger(__name__)
CREDENTIALS_ENDED = 4401  # a WebSocket close code of the application's range (4000-4999)


@dataclass(frozen=True)
class SocketCredentials:
    user_id: int
    token_id: int | None  # set when the handshake authenticated with a bearer token
    session_key: str | None  # otherwise: the session cookie's key


def socket_credentials(scope, user) -> SocketCredentials:
    if scope.get("auth_method") == "token":
        return SocketCredentials(user.pk, scope["api_token_id"], None)
    return SocketCredentials(user.pk, None, scope["session"].session_key)


def credentials_refusal(credentials: SocketCredentials) -> tuple[str, str] | None:
    """(code, detail) of why these credentials no longer hold; None while they do. Reads the database."""
    if credentials.token_id is not None:
        return _token_refusal(credentials.token_id)
    return _session_refusal(credentials)


def _token_refusal(token_id: int) -> tuple[str, str] | None:
    token = api_token_with_user(token_id=token_id)
    if token is None or token.revoked_at is not None:  # an administrator may also have deleted it
        return errors.TOKEN_REVOKED
    if token.expires_at <= timezone.now():
        return errors.TOKEN_EXPIRED
    return None if token.user.is_active else errors.ACCOUNT_DISABLED


def _session_refusal(credentials: SocketCredentials) -> tuple[str, str] | None:
    # Django's own rule for a request: the session still exists, names this user, and its password hash still
    # matches (a changed password ends other sessions); an inactive user is anonymous.
    session = import_module(settings.SESSION_ENGINE).SessionStore(credentials.session_key)
    user = auth.get_user(SimpleNamespace(session=session))
    return None if user.is_authenticated and user.pk == credentials.user_id else errors.SESSION_ENDED


class CredentialsWatch:
    """Checks a socket's credentials every period; when they end, ``send_frame`` the reason and ``close``."""

    def __init__(self, scope, user, send_frame, close):
        self._credentials = socket_credentials(scope, user)
        self._send_frame, self._close = send_frame, close
        self._stopped = asyncio.Event()
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """For the socket's disconnect. Waits for a check in flight, so no query outlives the socket."""
        self._stopped.set()
        await self._task

    async def _run(self) -> None:
        check = db_sync_to_async(credentials_refusal)
        while not await self._stopped_within(settings.TUTOR_AUTH_RECHECK_S):
            try:
                refusal = await check(self._credentials)
            except Exception as exc:
                if database_unreachable(exc):
                    logger.warning("credentials check skipped, database unreachable: %r", exc)
                    continue
                logger.exception("credentials check failed; the socket is closed rather than left unchecked")
                await self._close(code=1011)
                return
            if refusal is not None:
                await self._send_frame(error_frame(*refusal))
                await self._close(code=CREDENTIALS_ENDED)
                return

    async def _stopped_within(self, seconds: float) -> bool:
        try:
            await asyncio.wait_for(self._stopped.wait(), timeout=seconds)
        except TimeoutError:
            return False
        return True
