"""Typed reads of environment variables that fail loudly on bad values."""
from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from tutor.origins import EXPECTED as ORIGIN_EXPECTED
from tutor.origins import origin_normalise

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; expected one of 1/0, true/false, yes/no, on/off.")


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    _check_range(name, value, minimum, maximum)
    return value


def env_float(name: str, default: float, *, minimum: float = 0.0, maximum: float | None = None) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None
    _check_range(name, value, minimum, maximum)
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(choices)}.")
    return value


def env_time_zone(name: str, default: str) -> str:
    """An IANA time zone name (Europe/Stockholm): what a school's "today" means for daily limits and budgets."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    value = os.environ.get(name, default).strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a time zone; expected an IANA name such as Europe/Stockholm or UTC.") from None
    return value


def env_url(name: str, default: str) -> str:
    """An http(s) URL without its trailing slash."""
    value = os.environ.get(name, default).strip().rstrip("/")
    if not value.startswith(("http://", "https://")) or len(value.split("://", 1)[1]) == 0:
        raise ImproperlyConfigured(f"{name}={value!r} is not a URL; expected http://HOST:PORT/v1 or https://...")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_origins(name: str, default: list[str]) -> list[str]:
    """Comma-separated web origins, each normalised (see tutor.origins); one that is not an origin stops start-up."""
    origins = []
    for raw in env_list(name, default):
        origin = origin_normalise(raw)
        if origin is None:
            raise ImproperlyConfigured(f"{name} has {raw!r}, which is not an origin; expected {ORIGIN_EXPECTED}.")
        origins.append(origin)
    return origins


def default_origins(*, embedded: bool, https: bool, allowed_hosts: list[str]) -> list[str]:
    """Embedded: the address `make run` serves (scripts/run-embedded sets others for another HOST or PORT). A
    deployment: its host names on the default port of its scheme (a ``.domain`` pattern names no one origin)."""
    if embedded:
        return ["http://127.0.0.1:8000", "http://localhost:8000"]
    return [f"{'https' if https else 'http'}://{host}" for host in allowed_hosts if not host.startswith(".")]


def env_rate(name: str, default: str) -> tuple[int, int]:
    """A rate written as COUNT/SECONDS, e.g. 20/60."""
    raw = os.environ.get(name, default)
    count, sep, seconds = raw.partition("/")
    if not sep or not count.strip().isdigit() or not seconds.strip().isdigit() or int(seconds) == 0:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a rate; expected COUNT/SECONDS such as 20/60.")
    return int(count), int(seconds)


def _check_range(name, value, minimum, maximum) -> None:
    if value < minimum or (maximum is not None and value > maximum):
        upper = "" if maximum is None else f" and at most {maximum}"
        raise ImproperlyConfigured(f"{name}={value} is out of range; expected at least {minimum}{upper}.")


# Secrets that ship in this repository or in examples; a deployment that uses one has no secret at all.
KNOWN_SECRETS = frozenset({"embedded-insecure-key-for-one-machine-only", "change-me", "changeme", "secret"})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})


def insecure_settings(*, debug: bool, secret_key: str, allowed_hosts: list[str], embedded: bool) -> list[str]:
    """Why these settings must not serve anyone (empty when they may). Embedded mode serves only this machine,
    so it may run with DEBUG and the bundled secret while its hosts stay loopback; a deployment may not."""
    public = not embedded or not set(allowed_hosts) <= LOOPBACK_HOSTS
    problems = []
    if any(host == "*" or host.startswith("*") for host in allowed_hosts):
        problems.append(f"ALLOWED_HOSTS={','.join(allowed_hosts)!r} has a wildcard; list the host names served.")
    if public and not allowed_hosts:
        problems.append("ALLOWED_HOSTS is empty; list the host names served, comma-separated.")
    if public and debug:
        problems.append("DEBUG is on; it shows settings and code to anyone who triggers an error. Unset DEBUG.")
    if public and _weak_secret(secret_key):
        problems.append("SECRET_KEY is missing, a known default or too weak; set at least 50 random characters "
                        "(python -c 'import secrets; print(secrets.token_urlsafe(50))').")
    return problems


def _weak_secret(secret_key: str) -> bool:
    # Django's own rule (check --deploy, security.W009) plus the secrets this repository ships.
    return (secret_key in KNOWN_SECRETS or len(secret_key) < 50 or len(set(secret_key)) < 5
            or secret_key.startswith("django-insecure-"))
