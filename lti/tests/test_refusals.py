"""Every refusal of a login or launch: a 400 page that names the reason, and nothing created (no account,
identity, enrolment or context, and the login's nonce still unused)."""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from bench.lti.platform import CLAIM, Login, launch, login
from learning.models import Enrollment
from lti.models import Context, Identity, LoginNonce, Platform
from lti.refusals import REFUSALS

pytestmark = pytest.mark.django_db

INSTITUTION_INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor"
MENTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"


def _signed(**changes) -> Callable:
    """A launch whose claims differ from a good one's by ``changes`` (None removes a claim)."""
    def make(platform, started: Login, key_pairs) -> dict:
        claims = {**platform.claims(nonce=started.nonce), **changes}
        return {"id_token": platform.sign({k: v for k, v in claims.items() if v is not None})}
    return make


def _expired(platform, started, key_pairs):
    past = int(time.time()) - 600
    return {"id_token": platform.sign({**platform.claims(nonce=started.nonce), "iat": past, "exp": past + 300})}


def _signed_by_a_stranger(platform, started, key_pairs):
    return {"id_token": platform.sign(platform.claims(nonce=started.nonce), key=key_pairs[2])}


def _unknown_kid(platform, started, key_pairs):
    return {"id_token": platform.sign(platform.claims(nonce=started.nonce), key=key_pairs[2], kid=key_pairs[2].kid)}


def _tampered(platform, started, key_pairs):
    header, body, signature = platform.sign(platform.claims(nonce=started.nonce)).split(".")
    other = platform.sign(platform.claims(nonce=started.nonce, roles=[
        "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"])).split(".")[1]
    return {"id_token": ".".join([header, other, signature])}


def _symmetric(platform, started, key_pairs):
    """HS256 signed with the platform's public key as the secret: the classic algorithm confusion."""
    import jwt

    token = jwt.encode(platform.claims(nonce=started.nonce), "a-shared-secret-that-is-long-enough-32b",
                       algorithm="HS256", headers={"kid": platform.key.kid})
    return {"id_token": token}


def _unissued_nonce(platform, started, key_pairs):
    return {"id_token": platform.sign(platform.claims(nonce="never-issued"))}


def _state_of_another_login(platform, started, key_pairs):
    return {"id_token": platform.sign(platform.claims(nonce=started.nonce)), "state": "state-forged"}


def _keyset_down(platform, started, key_pairs):
    platform.routes["/jwks"] = lambda method, body, headers: (500, {"error": "down"})
    return {"id_token": platform.sign(platform.claims(nonce=started.nonce))}


def _deep_linking_request(platform, started, key_pairs):
    claims = platform.claims(nonce=started.nonce, message_type="LtiDeepLinkingRequest")
    claims[CLAIM + "deep_linking_settings"] = {"deep_link_return_url": platform.base_url + "/return",
                                               "accept_types": ["ltiResourceLink"]}
    return {"id_token": platform.sign(claims)}


# case -> (expected refusal code, how the launch is made)
LAUNCH_REFUSALS = {
    "signed with another key": ("bad_signature", _signed_by_a_stranger),
    "body changed after signing": ("bad_signature", _tampered),
    "HS256 with a made-up secret": ("unknown_key", _symmetric),
    "a key the platform does not publish": ("unknown_key", _unknown_kid),
    "expired": ("expired", _expired),
    "another tool's audience": ("wrong_audience", _signed(aud="another-tool")),
    "several audiences, no azp": ("wrong_audience", _signed(aud=["another-tool", "tutor-client"])),
    "several audiences, azp another tool": ("wrong_audience", _signed(aud=["another-tool", "tutor-client"],
                                                                      azp="another-tool")),
    "unknown deployment": ("unknown_deployment", _signed(**{CLAIM + "deployment_id": "deployment-9"})),
    "no deployment": ("unknown_deployment", _signed(**{CLAIM + "deployment_id": None})),
    "no roles claim": ("missing_role", _signed(**{CLAIM + "roles": None})),
    "empty roles": ("missing_role", _signed(**{CLAIM + "roles": []})),
    "only a mentor": ("unknown_role", _signed(**{CLAIM + "roles": [MENTOR]})),
    "only an institution role": ("unknown_role", _signed(**{CLAIM + "roles": [INSTITUTION_INSTRUCTOR]})),
    "deep linking request (not built yet)": ("unsupported_message", _deep_linking_request),
    "unknown issuer": ("unknown_issuer", _signed(iss="https://stranger.example.org")),
    "no issuer": ("malformed_token", _signed(iss=None)),
    "not a JWT": ("malformed_token", lambda platform, started, key_pairs: {"id_token": "not.a-token"}),
    "no id_token": ("malformed_token", lambda platform, started, key_pairs: {}),
    "no nonce": ("malformed_token", _signed(nonce=None)),
    "no expiry": ("malformed_token", _signed(exp=None)),
    "a nonce this tool never issued": ("replayed", _unissued_nonce),
    "state of another login": ("state_mismatch", _state_of_another_login),
    "keyset unreachable": ("keyset_unreachable", _keyset_down),
    "no context": ("no_context", _signed(**{CLAIM + "context": None})),
    "no resource link": ("invalid_message", _signed(**{CLAIM + "resource_link": None})),
    "LTI 1.1 version": ("invalid_message", _signed(**{CLAIM + "version": "1.1"})),
    "no sub": ("invalid_message", _signed(sub=None)),
    "unsupported message type": ("unsupported_message", _signed(**{CLAIM + "message_type": "LtiSubmissionReviewRequest"})),
}


def _counts() -> tuple:
    return (get_user_model().objects.count(), Identity.objects.count(), Enrollment.objects.count(),
            Context.objects.count(), LoginNonce.objects.exclude(used_at=None).count())


def _assert_refused(response, code: str) -> None:
    assert response.status_code == 400, response.content[:300]
    page = response.content.decode()
    assert f"<code>{code}</code>" in page and escape(str(REFUSALS[code][0])) in page


@pytest.mark.parametrize("case", sorted(LAUNCH_REFUSALS))
def test_a_refused_launch_names_its_reason_and_creates_nothing(mapped, platform, key_pairs, case):
    code, make = LAUNCH_REFUSALS[case]
    started = login(platform)
    before = _counts()
    data = make(platform, started, key_pairs)
    response = started.client.post("/lti/launch", {"state": started.state, **data})
    _assert_refused(response, code)
    assert _counts() == before
    assert "_auth_user_id" not in started.client.session


def test_a_replayed_launch_is_refused(mapped, platform):
    started = login(platform)
    token = platform.sign(platform.claims(nonce=started.nonce))
    assert launch(started, token).status_code == 302
    before = _counts()
    _assert_refused(launch(started, token), "replayed")
    _assert_refused(launch(login(platform), token, state=started.state), "state_mismatch")  # another browser
    assert _counts() == before


def test_a_launch_after_the_login_expired_is_refused(mapped, platform):
    started = login(platform)
    LoginNonce.objects.update(created_at=timezone.now() - timedelta(minutes=10))
    _assert_refused(launch(started, platform.sign(platform.claims(nonce=started.nonce))), "replayed")
    assert not Identity.objects.exists()


def test_a_launch_in_a_browser_without_the_state_cookie_is_refused(mapped, platform):
    started = login(platform)
    other_browser = Login(client=Client(), state=started.state, nonce=started.nonce, redirect={})
    _assert_refused(launch(other_browser, platform.sign(platform.claims(nonce=started.nonce))), "state_mismatch")


def test_a_deactivated_platform_is_refused_as_unknown(mapped, platform, registration):
    started = login(platform)
    Platform.objects.update(is_active=False)
    _assert_refused(launch(started, platform.sign(platform.claims(nonce=started.nonce))), "unknown_issuer")


LOGIN_REFUSALS = {
    "unknown issuer": ({"iss": "https://stranger.example.org"}, "unknown_issuer"),
    "unknown client id": ({"client_id": "another-tool"}, "wrong_audience"),
    "no login hint": ({"login_hint": ""}, "invalid_login"),
    "no issuer": ({"iss": ""}, "invalid_login"),
}


@pytest.mark.parametrize("case", sorted(LOGIN_REFUSALS))
def test_a_refused_login_initiation_issues_no_nonce(registration, platform, case):
    params, code = LOGIN_REFUSALS[case]
    data = {"iss": platform.issuer, "login_hint": "h", "client_id": platform.client_id, **params}
    _assert_refused(Client().post("/lti/login", data), code)
    assert not LoginNonce.objects.exists()


def test_a_login_without_client_id_is_refused_when_the_issuer_has_several(registration, platform):
    Platform.objects.create(name="Second", issuer=platform.issuer, client_id="second", jwks_url=platform.jwks_url,
                            auth_login_url=platform.auth_login_url, auth_token_url=platform.auth_token_url)
    _assert_refused(Client().post("/lti/login", {"iss": platform.issuer, "login_hint": "h"}), "client_id_required")


def test_every_refusal_code_is_tested():
    tested = ({code for code, _ in LAUNCH_REFUSALS.values()} | {code for _, code in LOGIN_REFUSALS.values()}
              | {"replayed", "state_mismatch", "client_id_required"})
    assert tested == set(REFUSALS)
