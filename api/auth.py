"""The API token: required for every change when one is set, and for everything under ``/api``
when the server listens beyond this machine (where starting without one is refused).

A request proves it knows the token either with ``Authorization: Bearer <token>`` (scripts) or
with the session cookie that ``/login`` sets (the explorer's pages). The cookie never holds the
token: it is ``<issued>.<hmac-sha256(token, label:issued)>``, valid for :data:`SESSION_TTL_S`,
so changing the token ends every session. A change sent with the cookie must also come from
the explorer's own pages: the ``X-Requested-With`` header that ``common.js`` adds (a custom
header another site cannot send without a CORS preflight, which this app never grants), and an
``Origin``, when the browser sends one, naming this host.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any, Final
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request
from pydantic import SecretStr

from api.explorer_schemas import ErrorOut
from graph.config import Settings
from graph.errors import ConfigError

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SESSION_COOKIE: Final = "resonance_session"
SESSION_TTL_S: Final = 12 * 60 * 60
REQUESTED_WITH: Final = "X-Requested-With"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_LABEL: Final = b"resonance-session-v1:"
_CLOCK_SKEW_S: Final = 60


def is_local(settings: Settings) -> bool:
    return settings.host in LOCAL_HOSTS


def check_exposure(settings: Settings) -> None:
    """Refuse to serve beyond this machine without a token."""
    if not is_local(settings) and settings.api_token is None:
        raise ConfigError(
            f"RESONANCE_HOST={settings.host} serves beyond this machine: set RESONANCE_API_TOKEN "
            "(clients then send 'Authorization: Bearer <token>'), or bind to 127.0.0.1"
        )


def token_matches(given: str, token: SecretStr) -> bool:
    """Whether ``given`` is the token, compared in constant time (digests, so that not even
    the token's length shows)."""
    expected = hashlib.sha256(token.get_secret_value().encode()).digest()
    return hmac.compare_digest(hashlib.sha256(given.encode()).digest(), expected)


def _signature(token: SecretStr, issued: int) -> str:
    key = token.get_secret_value().encode()
    return hmac.new(key, _LABEL + str(issued).encode(), hashlib.sha256).hexdigest()


def issue_session(token: SecretStr, *, now: float | None = None) -> str:
    """A session cookie value for ``token``, issued ``now`` (seconds since the epoch)."""
    issued = int(time.time() if now is None else now)
    return f"{issued}.{_signature(token, issued)}"


def session_valid(value: str | None, token: SecretStr, *, now: float | None = None) -> bool:
    """Whether ``value`` was issued for this ``token`` within the last :data:`SESSION_TTL_S`."""
    if not value:
        return False
    issued_text, dot, signature = value.partition(".")
    if not dot or not (issued_text.isascii() and issued_text.isdigit()) or len(issued_text) > 12:
        return False
    issued = int(issued_text)
    current = time.time() if now is None else now
    if not issued - _CLOCK_SKEW_S <= current < issued + SESSION_TTL_S:
        return False
    return hmac.compare_digest(signature.encode(), _signature(token, issued).encode())


def has_session(request: Request) -> bool:
    """Whether the request carries a valid session cookie (False when no token is set)."""
    token = _settings(request).api_token
    return token is not None and session_valid(request.cookies.get(SESSION_COOKIE), token)


def origin_matches(request: Request) -> bool:
    """Whether the request's ``Origin``, when the browser sends one, names this host."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("host", "")
    return bool(host) and urlsplit(origin).netloc.lower() == host.lower()


def same_origin(request: Request) -> bool:
    """Whether a cookie-authenticated change comes from the explorer's own pages."""
    return bool(request.headers.get(REQUESTED_WITH)) and origin_matches(request)


def authenticated(request: Request, settings: Settings) -> bool:
    """Whether the request proves it knows the token (header or cookie), for reads."""
    token = settings.api_token
    if token is None:
        return True
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, given = header.partition(" ")
        return scheme.lower() == "bearer" and token_matches(given.strip(), token)
    return session_valid(request.cookies.get(SESSION_COOKIE), token)


def _check(request: Request, settings: Settings) -> None:
    if settings.api_token is None:
        return
    if not authenticated(request, settings):
        raise HTTPException(
            401, "missing or wrong API token", headers={"WWW-Authenticate": "Bearer"}
        )
    by_cookie = "authorization" not in request.headers
    if by_cookie and request.method not in SAFE_METHODS and not same_origin(request):
        raise HTTPException(403, "cross-origin change refused: send it from the explorer's pages")


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def require_token(request: Request) -> None:
    """For changes: the token, whenever one is configured."""
    _check(request, _settings(request))


def require_token_when_exposed(request: Request) -> None:
    """For reads: the token, when the server listens beyond this machine."""
    settings = _settings(request)
    if not is_local(settings):
        _check(request, settings)


WRITE = Depends(require_token)
READ = Depends(require_token_when_exposed)


#: OpenAPI responses of a route behind ``READ`` or ``WRITE`` (``include_router(...,
#: responses=AUTH_RESPONSES)`` documents them on every route of a router at once).
UNAUTHORIZED: Final[dict[str, Any]] = {
    "model": ErrorOut,
    "description": "RESONANCE_API_TOKEN is set (changes always need it; reads when the server "
    "listens beyond this machine) and the request has neither 'Authorization: Bearer <token>' "
    "nor the session cookie of /login",
    "headers": {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
}
CROSS_ORIGIN: Final[dict[str, Any]] = {
    "model": ErrorOut,
    "description": f"a change sent with the session cookie, not from the explorer's pages (no "
    f"{REQUESTED_WITH} header, or an Origin naming another host)",
}
AUTH_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {401: UNAUTHORIZED, 403: CROSS_ORIGIN}
#: ``/login`` and ``/logout`` (``api.routes.pages``): refused when the Origin is another host.
OTHER_ORIGIN: Final[dict[str, Any]] = {
    "model": ErrorOut,
    "description": "the request's Origin names another host",
}


def redirect(why: str) -> dict[str, Any]:
    """The OpenAPI response of a 303 (no body; the page to open in ``Location``), and why."""
    location = {"description": "the page to open", "schema": {"type": "string"}}
    return {"description": why, "headers": {"Location": location}}
