"""OIDC login initiation: pylti1p3's login, with its nonce kept in the database (one use, see
``lti.services.login_nonce_claim``) rather than in the session: the launch is a cross-site POST, which a
browser sends without a SameSite=Lax session cookie."""
from __future__ import annotations

from pylti1p3.contrib.django import DjangoOIDCLogin
from pylti1p3.contrib.django.session import DjangoSessionService
from pylti1p3.exception import OIDCException

from lti.refusals import LaunchRefused
from lti.services import login_nonce_issue
from lti.tool_conf import DatabaseToolConf


class DatabaseNonces(DjangoSessionService):
    def save_nonce(self, nonce: str) -> None:
        login_nonce_issue(nonce=nonce)

    def check_nonce(self, nonce: str) -> bool:
        raise NotImplementedError("a launch's nonce is claimed by lti.services.launch_accept")


class ToolLogin(DjangoOIDCLogin):
    def __init__(self, request):
        super().__init__(request, DatabaseToolConf(), session_service=DatabaseNonces(request))

    def validate_oidc_login(self):
        if not self._get_request_param("iss") or not self._get_request_param("login_hint"):
            raise LaunchRefused("invalid_login")
        try:
            return super().validate_oidc_login()
        except OIDCException as exc:
            raise LaunchRefused("invalid_login", str(exc)) from exc


def login_redirect(request, *, launch_url: str):
    """The redirect to the platform's authorisation endpoint, with a fresh state cookie and nonce."""
    return ToolLogin(request).redirect(launch_url)
