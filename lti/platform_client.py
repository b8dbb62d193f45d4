"""Calling a platform's services (grades, roster) as this tool: pylti1p3's service connector, with two changes.

- Every request has a timeout (``LTI_HTTP_TIMEOUT_S``): pylti1p3 sets none, and a platform that never answers
  would hold a Celery worker for ever.
- The tool's private key is parsed once, not on every token request.
- The next page of a paged answer is read from the ``Link: <...>; rel="next"`` header as sent. pylti1p3 lowercases
  the header before reading the URL from it, which breaks any platform whose paging URL has capitals (a
  base64 cursor, say).

The connector asks the platform's token endpoint for an access token with a client assertion (a JWT signed
with the tool's active key, ``kid`` its thumbprint) and reuses it for the connector's lifetime; a batch job makes
one connector per platform. No request object is needed, so Celery tasks use pylti1p3's services directly.
"""
from __future__ import annotations

import re
from functools import lru_cache

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from pylti1p3.exception import LtiServiceException
from pylti1p3.service_connector import REQUESTS_USER_AGENT, ServiceConnector

from lti.models import Platform
from lti.selectors import tool_key_active
from lti.tool_conf import registration_of

_NEXT_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?next"?', re.IGNORECASE)


class _TimeoutSession(requests.Session):
    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", settings.LTI_HTTP_TIMEOUT_S)
        return super().request(*args, **kwargs)


class PlatformServiceError(Exception):
    """A platform's service (or its token endpoint) could not be reached or refused the request."""


@lru_cache(maxsize=4)
def _private_key(pem: str):
    return serialization.load_pem_private_key(pem.encode(), password=None)


class PlatformConnector(ServiceConnector):
    def encode_jwt(self, message: dict, private_key: str, headers: dict) -> str:
        """As pylti1p3's, with the parsed key kept: parsing an RSA private key checks it, which takes longer
        (about 60 ms here) than the whole token request."""
        return jwt.encode(message, _private_key(private_key), algorithm="RS256", headers=headers)

    def make_service_request(self, *args, **kwargs):
        try:
            response = super().make_service_request(*args, **kwargs)
        except LtiServiceException as exc:
            raise PlatformServiceError(f"{exc.response.status_code} from {exc.response.url}: "
                                       f"{exc.response.text[:200]}") from exc
        except (requests.RequestException, ValueError, KeyError) as exc:  # unreachable, or an answer not JSON
            raise PlatformServiceError(f"{type(exc).__name__}: {exc}"[:300]) from exc
        response["next_page_url"] = next_page_url(response["headers"])
        return response


def next_page_url(headers) -> str | None:
    link = next((value for name, value in headers.items() if name.lower() == "link"), "")
    found = _NEXT_LINK.search(link.replace("\n", " "))
    return found.group(1) if found else None


def platform_connector(platform: Platform) -> PlatformConnector:
    if tool_key_active() is None:
        raise PlatformServiceError("the tool has no signing key: rotate one in the admin (LTI 1.3 › Tool keys)")
    session = _TimeoutSession()
    session.headers["User-Agent"] = REQUESTS_USER_AGENT
    return PlatformConnector(registration_of(platform), session)
