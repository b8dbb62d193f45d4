"""Web origins as browsers send them (``scheme://host[:port]``), in one normal form so that two spellings of the
same origin compare equal and nothing else does. No Django: settings and the WebSocket handshake both use it."""
from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
EXPECTED = "scheme://host[:port] with scheme http or https and nothing after the port, e.g. https://tutor.example.org"


def origin_normalise(raw: str) -> str | None:
    """Lower-case scheme and host, the scheme's default port left out; None for anything that is not exactly an
    http(s) origin (``null``, a path, credentials, a bad port)."""
    try:
        parts = urlsplit(raw.strip())
        port = parts.port
    except ValueError:  # a port that is not a number in 0-65535, or a malformed IPv6 address
        return None
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname or parts.username is not None:
        return None
    if parts.path or parts.query or parts.fragment or raw.strip().endswith(("?", "#")):
        return None
    scheme = parts.scheme.lower()
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{scheme}://{host}" if port in (None, DEFAULT_PORTS[scheme]) else f"{scheme}://{host}:{port}"
