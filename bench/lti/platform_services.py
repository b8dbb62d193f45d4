"""The services of the loopback platform (``bench.lti.platform``), with the checks a platform makes: its OAuth 2
token endpoint (client credentials with a JWT assertion signed by the tool), an AGS line item's scores endpoint
and an NRPS roster served in pages. Any path can be made to fail the next N requests (``fail_next``)."""
from __future__ import annotations

import json
import secrets
from urllib.parse import parse_qs

import jwt

from bench.lti.platform import CLAIM, FakePlatform, launch, login
from lti.keys import KeyPair

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
MEMBERSHIP_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
MEMBERSHIPS_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
LINEITEM_PATH = "/api/lti/courses/101/line_items/7"
MEMBERSHIPS_PATH = "/api/lti/courses/101/names_and_roles"


class PlatformServices:
    def __init__(self, platform: FakePlatform, tool_key: KeyPair):
        self.platform, self.tool_key = platform, tool_key
        self.tokens: dict[str, set[str]] = {}  # issued access token -> its scopes
        self.assertions_seen: set[str] = set()  # jti of every accepted client assertion
        self.scores: list[dict] = []  # every score accepted, as posted
        self.fail_next: dict[str, int] = {}  # path -> how many of its next requests answer 503
        self.token_requests = 0
        platform.routes["/token"] = self._failing("/token", self.token)
        platform.routes[LINEITEM_PATH + "/scores"] = self._failing(LINEITEM_PATH + "/scores", self.score)
        self.roster_pages([])

    @property
    def lineitem_url(self) -> str:
        return self.platform.base_url + LINEITEM_PATH

    @property
    def memberships_url(self) -> str:
        return self.platform.base_url + MEMBERSHIPS_PATH

    def launch_claims(self) -> dict:
        """The AGS and NRPS claims a launch from a course with both services carries."""
        return {
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": [LINEITEM_SCOPE, SCORE_SCOPE], "lineitems": self.platform.base_url + "/line_items",
                "lineitem": self.lineitem_url},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": self.memberships_url, "service_versions": ["2.0"]},
        }

    def roster_pages(self, pages: list[list[dict]]) -> None:
        """Serves the roster in these pages; page n > 0 is at a path with capitals, as a cursor would have."""
        paths = [MEMBERSHIPS_PATH] + [f"{MEMBERSHIPS_PATH}/Page-{n}Xy" for n in range(1, len(pages))]
        for n, path in enumerate(paths):
            following = self.platform.base_url + paths[n + 1] if n + 1 < len(paths) else None
            self.platform.routes[path] = self._failing(path, self._members_page(pages[n] if pages else [], following))

    def _failing(self, path: str, route):
        def answer(method, body, headers):
            if self.fail_next.get(path, 0) > 0:
                self.fail_next[path] -= 1
                return 503, {"error": "temporarily_unavailable"}
            return route(method, body, headers)
        return answer

    def token(self, method, body, headers):
        self.token_requests += 1
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if form.get("grant_type") != "client_credentials" or form.get("client_assertion_type") != ASSERTION_TYPE:
            return 400, {"error": "unsupported_grant_type"}
        try:
            claims = self._assertion(form.get("client_assertion", ""))
        except jwt.InvalidTokenError as exc:
            return 401, {"error": "invalid_client", "error_description": str(exc)}
        scopes = set(form.get("scope", "").split())
        if not scopes or scopes - {SCORE_SCOPE, LINEITEM_SCOPE, MEMBERSHIP_SCOPE}:
            return 400, {"error": "invalid_scope"}
        self.assertions_seen.add(claims["jti"])
        token = secrets.token_urlsafe(16)
        self.tokens[token] = scopes
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": " ".join(scopes)}

    def _assertion(self, assertion: str) -> dict:
        if jwt.get_unverified_header(assertion).get("kid") != self.tool_key.kid:
            raise jwt.InvalidTokenError("the assertion names another key")
        claims = jwt.decode(assertion, self.tool_key.public_pem, algorithms=["RS256"],
                            audience=self.platform.auth_token_url, issuer=self.platform.client_id,
                            options={"require": ["exp", "iat", "jti", "sub", "iss", "aud"]})
        if claims["sub"] != self.platform.client_id:
            raise jwt.InvalidTokenError("sub must be the client id")
        if claims["jti"] in self.assertions_seen:
            raise jwt.InvalidTokenError("this assertion was used already")
        return claims

    def _authorised(self, headers: dict, scope: str) -> bool:
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        return scope in self.tokens.get(token, set())

    def score(self, method, body, headers):
        if method != "POST" or not self._authorised(headers, SCORE_SCOPE):
            return 401, {"error": "unauthorized"}
        if headers.get("Content-Type") != SCORE_TYPE:
            return 415, {"error": f"expected {SCORE_TYPE}"}
        score = json.loads(body)
        if not {"userId", "scoreGiven", "scoreMaximum", "timestamp", "activityProgress", "gradingProgress"} <= set(score):
            return 400, {"error": "incomplete score"}
        self.scores.append(score)
        return 200, {}

    def _members_page(self, members: list[dict], following: str | None):
        def page(method, body, headers):
            if not self._authorised(headers, MEMBERSHIP_SCOPE):
                return 401, {"error": "unauthorized"}
            if headers.get("Accept") != MEMBERSHIPS_TYPE:
                return 406, {"error": f"expected {MEMBERSHIPS_TYPE}"}
            answer = {"id": self.memberships_url, "context": {"id": "course-101"}, "members": members}
            return 200, answer, ({"Link": f'<{following}>; rel="next"'} if following else {})
        return page


def member(sub: str, *, role: str = "Learner", status: str = "Active", name: str = "Ada Lovelace") -> dict:
    given, family = name.split(" ", 1)
    return {"user_id": sub, "status": status, "name": name, "given_name": given, "family_name": family,
            "email": f"{sub}@school.example.org",
            "roles": [f"http://purl.imsglobal.org/vocab/lis/v2/membership#{role}"]}


def custom_claim(custom: dict) -> dict:
    return {CLAIM + "custom": custom}


def activity_launch(platform: FakePlatform, services: PlatformServices | None = None, *, sub: str = "user-1",
                    roles: list[str] | None = None, custom: dict | None = None, link_id: str = "link-1"):
    """A resource link launch of one placed activity (its custom parameters, its line item and roster claims)."""
    started = login(platform)
    claims = {**platform.claims(nonce=started.nonce, sub=sub, roles=roles),
              **(services.launch_claims() if services else {}), **custom_claim(custom or {})}
    claims[CLAIM + "resource_link"] = {"id": link_id, "title": "Placed activity"}
    return started, launch(started, platform.sign(claims))
