"""A learning platform played on loopback, for the LTI tests and the launch benchmark: its own RSA keys, its
JWKS (and any other JSON endpoint a test adds, such as grade or roster services) served over HTTP by a thread
on 127.0.0.1, and id_tokens signed as a platform signs them. Nothing leaves the machine."""
from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
from django.test import Client

from lti.keys import KeyPair, key_pair_generate, public_jwk

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"

# path -> handler(method, body bytes, headers) -> (status, JSON-able body) or (status, body, extra headers)
Route = Callable[[str, bytes, dict], tuple]


class FakePlatform:
    issuer = "https://lms.example.org"
    client_id = "tutor-client"
    deployment_id = "deployment-1"
    auth_login_url = "https://lms.example.org/auth"

    def __init__(self, key: KeyPair | None = None):
        self.key = key or key_pair_generate()
        self.routes: dict[str, Route] = {"/jwks": lambda method, body, headers: (200, self.jwks())}
        self.requests: list[tuple[str, str, bytes, dict]] = []  # (method, path, body, headers), as received
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def jwks_url(self) -> str:
        return self.base_url + "/jwks"

    @property
    def auth_token_url(self) -> str:
        return self.base_url + "/token"

    def jwks(self) -> dict:
        return {"keys": [public_jwk(self.key.public_pem)]}

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def claims(self, *, nonce: str, sub: str = "user-1", roles: list[str] | None = None,
               context_id: str = "course-101", message_type: str = "LtiResourceLinkRequest") -> dict:
        now = int(time.time())
        claims = {
            "iss": self.issuer, "aud": self.client_id, "sub": sub, "iat": now, "exp": now + 300, "nonce": nonce,
            "given_name": "Ada", "family_name": "Lovelace", "email": "ada@school.example.org",
            CLAIM + "message_type": message_type, CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": self.deployment_id,
            CLAIM + "roles": [LEARNER] if roles is None else roles,
            CLAIM + "context": {"id": context_id, "title": "Algebra 101", "label": "ALG101"},
            CLAIM + "target_link_uri": "https://tutor.example.org/lti/launch",
        }
        if message_type == "LtiResourceLinkRequest":
            claims[CLAIM + "resource_link"] = {"id": "link-" + context_id, "title": "Tutor"}
        return claims

    def sign(self, claims: dict, *, key: KeyPair | None = None, kid: str | None = None,
             algorithm: str = "RS256") -> str:
        key = key or self.key
        return jwt.encode(claims, key.private_pem, algorithm=algorithm, headers={"kid": kid or self.key.kid})


def new_nonce() -> str:
    return uuid.uuid4().hex


def _handler(platform: FakePlatform):
    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = self.path.split("?")[0]
            platform.requests.append((self.command, self.path, body, dict(self.headers)))
            route = platform.routes.get(path)
            status, payload, *extra = route(self.command, body, dict(self.headers)) if route else (404, {"error": "none"})
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for name, value in (extra[0] if extra else {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, format, *args):  # keep test output clean
            pass

    return Handler


# --- the browser between the platform and the tool, as Django's test client ----------------------------------


@dataclass
class Login:
    client: Client
    state: str
    nonce: str
    redirect: dict


def login(platform: FakePlatform, client: Client | None = None, **params) -> Login:
    """The platform's login initiation; the tool answers with its redirect to the platform's authorisation."""
    client = client or Client()
    data = {"iss": platform.issuer, "login_hint": "hint-1", "target_link_uri": "http://testserver/lti/launch",
            "client_id": platform.client_id, **params}
    response = client.post("/lti/login", data)
    if response.status_code != 302:
        raise RuntimeError(f"login initiation answered {response.status_code}: {response.content[:300]!r}")
    query = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    return Login(client=client, state=query["state"], nonce=query["nonce"], redirect=query)


def launch(started: Login, id_token: str, *, state: str | None = None):
    return started.client.post("/lti/launch", {"id_token": id_token, "state": state or started.state})
