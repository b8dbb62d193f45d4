"""Which pages may open the socket with the session cookie: exactly the allowed origins (tutor/origins.py)."""
import pytest
from channels.db import database_sync_to_async
from django.core.exceptions import ImproperlyConfigured

from tutor.envconfig import default_origins, env_origins
from tutor.origins import origin_normalise
from tutor.tests.wsclient import ORIGIN, open_socket, session_cookie_for, token_for


@pytest.mark.parametrize(("raw", "normal"), [
    ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    ("HTTP://LocalHost:8000", "http://localhost:8000"),
    ("https://tutor.example.org:443", "https://tutor.example.org"),
    ("http://tutor.example.org:80", "http://tutor.example.org"),
    ("https://tutor.example.org:80", "https://tutor.example.org:80"),
    ("http://[::1]:8000", "http://[::1]:8000"),
])
def test_an_origin_has_one_normal_form(raw, normal):
    assert origin_normalise(raw) == normal


@pytest.mark.parametrize("raw", [
    "null", "", "127.0.0.1:8000", "ws://127.0.0.1:8000", "file:///tmp/page.html", "http://", "http://x/",
    "http://x/path", "http://x?q", "http://x#f", "http://user@x", "http://x:99999", "http://x:port",
])
def test_anything_but_an_http_origin_is_none(raw):
    assert origin_normalise(raw) is None


def test_configured_origins_are_normalised(monkeypatch):
    monkeypatch.setenv("TUTOR_ALLOWED_ORIGINS", " HTTPS://Tutor.Example.org:443 , http://127.0.0.1:9000")
    assert env_origins("TUTOR_ALLOWED_ORIGINS", []) == ["https://tutor.example.org", "http://127.0.0.1:9000"]


@pytest.mark.parametrize("raw", ["tutor.example.org", "https://tutor.example.org/", "*", "null", "https://x:0x1"])
def test_a_configured_value_that_is_not_an_origin_stops_start_up(monkeypatch, raw):
    monkeypatch.setenv("TUTOR_ALLOWED_ORIGINS", f"http://127.0.0.1:8000,{raw}")
    with pytest.raises(ImproperlyConfigured, match=r"TUTOR_ALLOWED_ORIGINS has .* which is not an origin"):
        env_origins("TUTOR_ALLOWED_ORIGINS", [])


def test_the_embedded_default_is_what_make_run_serves():
    assert default_origins(embedded=True, https=False, allowed_hosts=["127.0.0.1", "localhost", "[::1]"]) == [
        "http://127.0.0.1:8000", "http://localhost:8000"]


def test_a_deployment_defaults_to_its_hosts_on_their_schemes_default_port():
    hosts = ["tutor.school.example", ".school.example"]
    assert default_origins(embedded=False, https=True, allowed_hosts=hosts) == ["https://tutor.school.example"]
    assert default_origins(embedded=False, https=False, allowed_hosts=hosts) == ["http://tutor.school.example"]


# --- the handshake ----------------------------------------------------------------------------------------
# A page on another port or scheme of our host is another site, yet the browser sends it our cookie.
REFUSED_ORIGINS = {
    "another port": b"http://127.0.0.1:9999",
    "another port of localhost": b"http://localhost:3000",
    "another scheme": b"https://127.0.0.1:8000",
    "another scheme, default port": b"https://127.0.0.1",
    "a host alias": b"http://[::1]:8000",
    "a host alias in ALLOWED_HOSTS only": b"http://127.0.0.1",
    "null (a sandboxed or file page)": b"null",
    "another site": b"http://evil.example",
    "our origin with a path": b"http://127.0.0.1:8000/",
}


async def _cookie_handshake(user, origin: bytes | None) -> bool:
    cookie = await database_sync_to_async(session_cookie_for)(user)
    communicator, connected = await open_socket([(b"cookie", cookie)] + ([(b"origin", origin)] if origin else []))
    await communicator.disconnect()
    return connected


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("variant", sorted(REFUSED_ORIGINS))
async def test_a_cookie_socket_from_another_origin_is_refused(personas, variant):
    assert not await _cookie_handshake(personas.student1, REFUSED_ORIGINS[variant])


@pytest.mark.django_db(transaction=True)
async def test_a_cookie_socket_without_an_origin_is_refused(personas):
    assert not await _cookie_handshake(personas.student1, None)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("origin", [ORIGIN, b"http://localhost:8000", b"HTTP://LOCALHOST:8000"])
async def test_a_cookie_socket_from_an_allowed_origin_is_accepted(personas, origin):
    assert await _cookie_handshake(personas.student1, origin)


@pytest.mark.django_db(transaction=True)
async def test_an_allowed_origin_matches_whatever_its_default_port_spelling(personas, settings):
    settings.TUTOR_ALLOWED_ORIGINS = ["https://tutor.example.org"]
    assert await _cookie_handshake(personas.student1, b"https://tutor.example.org:443")
    assert not await _cookie_handshake(personas.student1, ORIGIN)


@pytest.mark.django_db(transaction=True)
async def test_a_token_socket_needs_no_origin_but_a_sent_one_must_be_allowed(personas):
    authorization = (b"authorization", f"Bearer {await token_for(personas.student1)}".encode())
    for headers, accepted in (([authorization], True), ([authorization, (b"origin", b"http://127.0.0.1:9999")], False)):
        communicator, connected = await open_socket(headers)
        await communicator.disconnect()
        assert connected == accepted, headers
