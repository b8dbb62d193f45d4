"""Validating an LTI 1.3 launch: pylti1p3's message launch, with every failure named.

pylti1p3 raises one exception class for every failure; the checks here are its own steps, overridden where
needed so that each failure raises ``LaunchRefused`` with its code. Nothing here writes: the one-time nonce is
claimed by ``lti.services.launch_accept`` inside the transaction that provisions the user, so a refused launch
leaves nothing behind and an accepted one can never be replayed.

Differences from pylti1p3's own checks, and why:
- the audience is verified (pylti1p3 turns it off): a token must name this registration's client id, and a token
  with several audiences must name it as ``azp``;
- ``exp``, ``iat``, ``aud`` and ``nonce`` are required, with a small leeway for clock skew;
- the platform's keyset is fetched with a timeout, cached, and fetched again once when a token names a key the
  cached keyset lacks (the platform rotated its keys);
- roles are checked before the message, so a launch with no role we map gets its own page, and a deep linking
  request from anyone but an instructor is refused before anything is written.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import jwt
import requests
from django.conf import settings
from django.core.cache import cache
from pylti1p3.contrib.django import DjangoMessageLaunch
from pylti1p3.exception import LtiException

from lti.claims import service_url
from lti.models import Platform
from lti.refusals import LaunchRefused
from lti.roles import CourseRole, course_roles
from lti.tool_conf import DatabaseToolConf

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


@dataclass(frozen=True)
class ValidLaunch:
    platform: Platform
    body: dict
    roles: frozenset[CourseRole]

    @property
    def message_type(self) -> str:
        return self.body[CLAIM + "message_type"]

    @property
    def nonce(self) -> str:
        return self.body["nonce"]

    @property
    def is_deep_linking(self) -> bool:
        return self.message_type == DEEP_LINKING

    @property
    def deployment_id(self) -> str:
        return self.body[CLAIM + "deployment_id"]

    def claim(self, name: str, default=None):
        return self.body.get(CLAIM + name, default)

    @property
    def locale(self) -> object:
        """The platform's locale for this user ("sv-SE"), as sent: unchecked, possibly missing."""
        presentation = self.claim("launch_presentation")
        return presentation.get("locale") if isinstance(presentation, dict) else None


class ToolLaunch(DjangoMessageLaunch):
    def __init__(self, request):
        self.tool_conf = DatabaseToolConf()
        super().__init__(request, self.tool_conf)

    def validate(self):
        """pylti1p3's checks in this order, without its nonce check and launch cache (see the module doc)."""
        self._validated = True  # as pylti1p3 does: the body is read during validation, not re-validated
        try:
            (self.validate_state().validate_jwt_format().validate_registration().validate_jwt_signature()
             .validate_deployment())
            self._roles = self._validate_roles()
            return self.validate_message()
        except Exception:
            self._validated = False
            raise

    def validated(self) -> ValidLaunch:
        self.validate()
        return ValidLaunch(platform=self.tool_conf.platform, body=self._get_jwt_body(), roles=self._roles)

    def _get_id_token(self) -> str:
        token = self._get_request_param("id_token")
        if not token:
            raise LaunchRefused("malformed_token", "no id_token in the request")
        return token

    def validate_state(self):
        try:
            return super().validate_state()
        except LtiException as exc:
            raise LaunchRefused("state_mismatch", str(exc)) from exc

    def validate_jwt_format(self):
        try:
            super().validate_jwt_format()
        except LtiException as exc:
            raise LaunchRefused("malformed_token", str(exc)) from exc
        if not isinstance(self._jwt.get("header"), dict) or not isinstance(self._jwt.get("body"), dict):
            raise LaunchRefused("malformed_token", "the token's header and body must be JSON objects")
        return self

    def get_client_id(self) -> str:
        """The client id the token is for: its only audience, or its ``azp`` when it names several."""
        body = self._get_jwt_body()
        audience, azp = body.get("aud"), body.get("azp")
        audiences = [audience] if isinstance(audience, str) else audience
        if not isinstance(audiences, list) or not audiences or not all(isinstance(a, str) for a in audiences):
            raise LaunchRefused("wrong_audience", "the token has no audience")
        if len(audiences) == 1:
            return audiences[0]
        if azp in audiences:
            return azp
        raise LaunchRefused("wrong_audience", "a token with several audiences must name this tool as azp")

    def validate_registration(self):
        if not isinstance(self._get_jwt_body().get("iss"), str):
            raise LaunchRefused("malformed_token", "the token has no issuer")
        return super().validate_registration()  # the tool configuration raises the refusals

    def validate_jwt_signature(self):
        public_key, algorithm = self._public_key()
        try:
            jwt.decode(self._get_id_token(), public_key, algorithms=[algorithm], audience=self.get_client_id(),
                       issuer=self.get_iss(), leeway=settings.LTI_CLOCK_SKEW_S,
                       options={"require": ["exp", "iat", "aud", "iss", "nonce"]})
        except jwt.ExpiredSignatureError as exc:
            raise LaunchRefused("expired", str(exc)) from exc
        except jwt.InvalidSignatureError as exc:
            raise LaunchRefused("bad_signature", str(exc)) from exc
        except jwt.InvalidAudienceError as exc:
            raise LaunchRefused("wrong_audience", str(exc)) from exc
        except jwt.InvalidTokenError as exc:
            raise LaunchRefused("malformed_token", str(exc)) from exc
        return self

    def _public_key(self) -> tuple[str, str]:
        try:
            return self.get_public_key()
        except LtiException:
            pass
        self._registration.set_key_set(platform_keyset(self._registration.get_key_set_url(), refresh=True))
        try:
            return self.get_public_key()
        except LtiException as exc:
            raise LaunchRefused("unknown_key", str(exc)) from exc

    def fetch_public_key(self, key_set_url: str) -> dict:
        return platform_keyset(key_set_url)

    def validate_deployment(self):
        if not isinstance(self._get_jwt_body().get(CLAIM + "deployment_id"), str):
            raise LaunchRefused("unknown_deployment", "the token names no deployment")
        try:
            return super().validate_deployment()
        except LtiException as exc:
            raise LaunchRefused("unknown_deployment", str(exc)) from exc

    def _validate_roles(self) -> frozenset[CourseRole]:
        message_type = self._get_jwt_body().get(CLAIM + "message_type")
        if message_type not in (RESOURCE_LINK, DEEP_LINKING):
            raise LaunchRefused("unsupported_message", f"message type {message_type!r}")
        roles = course_roles(self._get_jwt_body().get(CLAIM + "roles"))
        if roles is None:
            raise LaunchRefused("missing_role")
        if not roles:
            raise LaunchRefused("unknown_role")
        if message_type == DEEP_LINKING and CourseRole.INSTRUCTOR not in roles:
            raise LaunchRefused("deep_link_not_instructor")
        return frozenset(roles)

    def validate_message(self):
        if self.is_deep_link_launch():
            settings_claim = self._get_jwt_body().get(DEEP_LINKING_SETTINGS)
            if not isinstance(settings_claim, dict) or not service_url(settings_claim.get("deep_link_return_url")):
                raise LaunchRefused("invalid_message", "the deep linking settings have no return URL")
        try:
            return super().validate_message()
        except LtiException as exc:
            raise LaunchRefused("invalid_message", str(exc)) from exc


def platform_keyset(url: str, *, refresh: bool = False) -> dict:
    """The platform's JWKS, cached for LTI_KEYSET_CACHE_S; ``refresh`` fetches it again."""
    key = "lti-keyset-" + hashlib.sha256(url.encode()).hexdigest()
    keyset = None if refresh else cache.get(key)
    if keyset is None:
        keyset = _keyset_fetch(url)
        cache.set(key, keyset, settings.LTI_KEYSET_CACHE_S)
    return keyset


def _keyset_fetch(url: str) -> dict:
    try:
        response = requests.get(url, timeout=settings.LTI_HTTP_TIMEOUT_S)
        response.raise_for_status()
        keyset = response.json()
    except (requests.RequestException, json.JSONDecodeError) as exc:
        raise LaunchRefused("keyset_unreachable", f"{url}: {exc}") from exc
    if not isinstance(keyset, dict) or not isinstance(keyset.get("keys"), list):
        raise LaunchRefused("keyset_unreachable", f"{url} did not answer with a keyset")
    return keyset
