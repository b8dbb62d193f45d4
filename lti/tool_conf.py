"""pylti1p3's tool configuration backed by the registrations in the database.

Every issuer may have several registrations (client ids), so only the ``*_by_params`` lookups are used. A login
without a client id finds the issuer's registration when there is exactly one. Lookups that fail raise
``LaunchRefused`` with the code that says why, rather than pylti1p3's generic exception.
"""
from __future__ import annotations

from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract

from lti.keys import public_jwk
from lti.models import Platform
from lti.refusals import LaunchRefused
from lti.selectors import deployment_exists, platforms_of_issuer, tool_key_active, tool_keys_served


class DatabaseToolConf(ToolConfAbstract):
    def __init__(self):
        super().__init__()
        self.platform: Platform | None = None  # the registration the last lookup found

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(self, iss, client_id, *args, **kwargs) -> Registration:
        self.platform = _platform(iss, client_id)
        return registration_of(self.platform)

    def find_deployment(self, iss, deployment_id):
        raise NotImplementedError("every issuer may have several client ids: use find_deployment_by_params")

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        platform = _platform(iss, client_id)
        if not deployment_exists(platform=platform, deployment_id=deployment_id):
            return None
        return LtiDeployment().set_deployment_id(deployment_id)

    def get_jwks(self, iss=None, client_id=None, **kwargs) -> dict:
        return tool_jwks()


def tool_jwks() -> dict:
    return {"keys": [public_jwk(key.public_key) for key in tool_keys_served()]}


def registration_of(platform: Platform) -> Registration:
    key = tool_key_active()
    registration = (Registration().set_issuer(platform.issuer).set_client_id(platform.client_id)
                    .set_auth_login_url(platform.auth_login_url).set_auth_token_url(platform.auth_token_url)
                    .set_key_set_url(platform.jwks_url).set_key_set(None))
    if key is not None:
        registration.set_tool_private_key(key.private_key).set_tool_public_key(key.public_key)
    return registration


def _platform(issuer: str, client_id: str | None) -> Platform:
    platforms = list(platforms_of_issuer(issuer=issuer))
    if not platforms:
        raise LaunchRefused("unknown_issuer", f"issuer {issuer!r}")
    if not client_id:  # a login initiation may leave it out
        if len(platforms) > 1:
            raise LaunchRefused("client_id_required", f"issuer {issuer!r} has {len(platforms)} registrations")
        return platforms[0]
    for platform in platforms:
        if platform.client_id == client_id:
            return platform
    raise LaunchRefused("wrong_audience", f"client id {client_id!r} is not registered for issuer {issuer!r}")
