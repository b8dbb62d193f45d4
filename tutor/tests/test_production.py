"""Production settings refuse to start insecurely; every response carries the security headers; a database that
cannot be reached is a 503 (HTTP) or an error frame (WebSocket), never a crash."""
import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import Client

from tutor.envconfig import insecure_settings

PRODUCTION = {
    "DATABASE_URL": "postgres://tutor@db.internal:5432/tutor", "REDIS_URL": "redis://cache.internal:6379/0",
    "CELERY_BROKER_URL": "redis://cache.internal:6379/1", "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "tutor.example.org",
}


# The test's own environment (the service tier's, say) must not leak into the settings under test.
SETTINGS_UNDER_TEST = ("DATABASE_URL", "REDIS_URL", "CELERY_", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_",
                       "TUTOR_")


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS_UNDER_TEST)}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env={**clean, **env},
                          capture_output=True, text=True, timeout=600)  # a hang guard, not a speed test


def test_deploy_check_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("change, says", [
    ({"DEBUG": "1"}, "DEBUG is on"),
    ({"SECRET_KEY": ""}, "SECRET_KEY is missing"),
    ({"SECRET_KEY": "embedded-insecure-key-for-one-machine-only"}, "SECRET_KEY is missing, a known default"),
    ({"SECRET_KEY": "django-insecure-" + "x1y2z3" * 10}, "too weak"),
    ({"ALLOWED_HOSTS": "*"}, "has a wildcard"),
    ({"ALLOWED_HOSTS": ".example.org,*"}, "has a wildcard"),
    ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is empty"),
], ids=["debug", "no-secret", "shipped-secret", "django-insecure-secret", "wildcard", "wildcard-among", "no-hosts"])
def test_production_refuses_to_start_insecurely(change, says):
    result = manage("check", **{**PRODUCTION, **change})
    assert result.returncode != 0
    assert "Refusing to start" in result.stderr and says in result.stderr


def test_embedded_mode_may_debug_on_loopback_but_not_when_it_serves_other_hosts():
    loopback = dict(debug=True, secret_key="embedded-insecure-key-for-one-machine-only", embedded=True)
    assert insecure_settings(allowed_hosts=["127.0.0.1", "localhost"], **loopback) == []
    problems = insecure_settings(allowed_hosts=["school.example.org"], **loopback)
    assert any("DEBUG" in p for p in problems) and any("SECRET_KEY" in p for p in problems)
    assert insecure_settings(allowed_hosts=["*"], **loopback)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/admin/login/", "/api/me"])
def test_every_page_carries_the_security_headers(path):
    response = Client().get(path)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-eval" not in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_health_reports_ok_while_the_database_answers():
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/api/me"])
def test_an_unreachable_database_is_a_503_with_retry_after(monkeypatch, personas, path):
    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("tutor.views.database_ping", unreachable)
    monkeypatch.setattr("tutor.views.courses_for_user", unreachable)
    client = Client(raise_request_exception=False)
    client.force_login(personas.student1)
    response = client.get(path)
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "service_unavailable"


@pytest.mark.django_db
def test_other_server_errors_stay_500_without_details(monkeypatch, personas):
    monkeypatch.setattr("tutor.views.courses_for_user", lambda **kw: 1 / 0)
    client = Client(raise_request_exception=False)
    client.force_login(personas.student1)
    response = client.get("/api/me")
    assert response.status_code == 500 and response.json()["error"]["code"] == "server_error"
    assert "ZeroDivision" not in response.content.decode()


@pytest.mark.django_db(transaction=True)
async def test_a_socket_frame_during_a_database_outage_gets_an_error_and_the_socket_stays(
        monkeypatch, personas, fake_engine):
    from tutor.tests.wsclient import ask_frame, connect_as, receive_until

    socket = await connect_as(personas.student1)
    real = __import__("tutor.consumers", fromlist=["question_ask"]).question_ask

    def unreachable(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("tutor.consumers.question_ask", unreachable)
    frame = ask_frame(personas.course_a.id)
    await socket.send_json_to(frame)
    reply = await socket.receive_json_from()
    assert (reply["type"], reply["code"], reply["client_msg_id"]) == ("error", "service_unavailable",
                                                                        frame["client_msg_id"])
    monkeypatch.setattr("tutor.consumers.question_ask", real)
    await socket.send_json_to(ask_frame(personas.course_a.id))
    assert (await socket.receive_json_from())["type"] == "ack"  # the same socket works once it is back
    await receive_until(socket, "answer")  # its answer is stored and routed before the test's database goes
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_handshake_during_a_database_outage_is_told_to_come_back(monkeypatch, personas):
    from tutor.tests.wsclient import open_socket

    def unreachable(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("tutor.auth.api_token_live", unreachable)
    socket, connected = await open_socket([(b"authorization", b"Bearer some-token")])
    assert connected
    assert json.loads(await socket.receive_from())["code"] == "service_unavailable"
    assert (await socket.receive_output())["code"] == 1013
