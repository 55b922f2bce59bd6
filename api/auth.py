"""The API token. When one is set, everything but ``/health``, ``/static``, ``/login`` and
``/logout`` needs it, whatever the bind address: ``/api`` answers 401 without it, the pages
send the visitor to ``/login``. Serving beyond this machine needs a token of at least
:data:`MIN_TOKEN_LENGTH` characters (``create_app`` refuses to start otherwise).

A request proves it knows the token either with ``Authorization: Bearer <token>`` (scripts) or
with the session cookie that ``/login`` sets (the explorer's pages). The cookie never holds the
token: it is ``<issued>.<id>.<hmac-sha256(token, label:issued:id)>``, valid for
:data:`SESSION_TTL_S`, so changing the token ends every session; ``/logout`` revokes its random
``id`` for every worker (``api.session_revocations``), so a copied cookie dies with it. The
check runs in ``api.guard`` before any body is read; the route dependency
:data:`TOKEN_REQUIRED` repeats it, should a route ever be served without the guard. A change
must also come from the explorer's own pages (``api.guard``): the ``X-Requested-With`` header
that ``common.js`` adds (a custom header another site cannot send without a CORS preflight,
which this app never grants), and an ``Origin``, when the browser sends one, naming this host.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request
from pydantic import SecretStr
from starlette.requests import HTTPConnection

from api.error_responses import ErrorOut
from api.session_revocations import revocations_for
from graph.config import Settings
from graph.errors import ConfigError

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SESSION_COOKIE: Final = "resonance_session"
SESSION_TTL_S: Final = 12 * 60 * 60
REQUESTED_WITH: Final = "X-Requested-With"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: The shortest token accepted when the server listens beyond this machine.
MIN_TOKEN_LENGTH: Final = 16
_LABEL: Final = b"resonance-session-v2:"
_CLOCK_SKEW_S: Final = 60


def is_local(settings: Settings) -> bool:
    return settings.host in LOCAL_HOSTS


def check_exposure(settings: Settings) -> None:
    """Refuse to serve beyond this machine without a token, or with a short one."""
    if is_local(settings):
        return
    token = settings.api_token
    if token is None:
        raise ConfigError(
            f"RESONANCE_HOST={settings.host} serves beyond this machine: set RESONANCE_API_TOKEN "
            f"(at least {MIN_TOKEN_LENGTH} characters; clients then send 'Authorization: Bearer "
            "<token>'), or bind to 127.0.0.1"
        )
    if len(token.get_secret_value()) < MIN_TOKEN_LENGTH:
        raise ConfigError(
            f"RESONANCE_HOST={settings.host} serves beyond this machine: RESONANCE_API_TOKEN has "
            f"{len(token.get_secret_value())} characters, fewer than the {MIN_TOKEN_LENGTH} "
            "required there (a short token can be guessed); set a longer one, e.g. from "
            "'python -c \"import secrets; print(secrets.token_urlsafe(32))\"'"
        )


def token_matches(given: str, token: SecretStr) -> bool:
    """Whether ``given`` is the token, compared in constant time (digests, so that not even
    the token's length shows)."""
    expected = hashlib.sha256(token.get_secret_value().encode()).digest()
    return hmac.compare_digest(hashlib.sha256(given.encode()).digest(), expected)


def _signature(token: SecretStr, issued: int, session_id: str) -> str:
    key = token.get_secret_value().encode()
    message = _LABEL + f"{issued}:{session_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def issue_session(token: SecretStr, *, now: float | None = None) -> str:
    """A session cookie value for ``token``, issued ``now`` (seconds since the epoch), with a
    fresh random id."""
    issued = int(time.time() if now is None else now)
    session_id = secrets.token_hex(16)
    return f"{issued}.{session_id}.{_signature(token, issued, session_id)}"


@dataclass(frozen=True, slots=True)
class Session:
    id: str
    expires: int  # seconds since the epoch


def read_session(
    value: str | None, token: SecretStr, *, now: float | None = None
) -> Session | None:
    """The session of a cookie ``value`` issued for this ``token`` within the last
    :data:`SESSION_TTL_S` (revoked or not), else None."""
    if not value:
        return None
    issued_text, _, rest = value.partition(".")
    session_id, _, signature = rest.partition(".")
    if not (issued_text.isascii() and issued_text.isdigit()) or len(issued_text) > 12:
        return None
    if len(session_id) != 32 or not all(c in "0123456789abcdef" for c in session_id):
        return None
    issued = int(issued_text)
    current = time.time() if now is None else now
    if not issued - _CLOCK_SKEW_S <= current < issued + SESSION_TTL_S:
        return None
    if not hmac.compare_digest(signature.encode(), _signature(token, issued, session_id).encode()):
        return None
    return Session(session_id, issued + SESSION_TTL_S)


def session_valid(
    value: str | None,
    token: SecretStr,
    *,
    now: float | None = None,
    data_dir: Path | None = None,
) -> bool:
    """Whether ``value`` was issued for this ``token`` within the last :data:`SESSION_TTL_S`
    and, given the ``data_dir``, not revoked by a logout."""
    session = read_session(value, token, now=now)
    if session is None:
        return False
    return data_dir is None or not revocations_for(data_dir).is_revoked(session.id, now=now)


def has_session(request: HTTPConnection) -> bool:
    """Whether the request carries a valid session cookie (False when no token is set)."""
    settings = _settings(request)
    token = settings.api_token
    cookie = request.cookies.get(SESSION_COOKIE)
    return token is not None and session_valid(cookie, token, data_dir=settings.data_dir)


def origin_matches(request: HTTPConnection) -> bool:
    """Whether the request's ``Origin``, when the browser sends one, names this host."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("host", "")
    return bool(host) and urlsplit(origin).netloc.lower() == host.lower()


class Proof(Enum):
    """What a request shows of the token."""

    NONE_NEEDED = "no token is set"
    VALID = "the token, or a valid session cookie"
    MISSING = "neither the token nor a valid session cookie"
    WRONG = "a wrong token in Authorization"


def proof(request: HTTPConnection, settings: Settings) -> Proof:
    """What ``request`` shows of the token: ``Authorization`` (``Bearer`` only) when sent,
    else the session cookie."""
    token = settings.api_token
    if token is None:
        return Proof.NONE_NEEDED
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, given = header.partition(" ")
        right = scheme.lower() == "bearer" and token_matches(given.strip(), token)
        return Proof.VALID if right else Proof.WRONG
    if session_valid(request.cookies.get(SESSION_COOKIE), token, data_dir=settings.data_dir):
        return Proof.VALID
    return Proof.MISSING


def authenticated(request: HTTPConnection, settings: Settings) -> bool:
    """Whether the request proves it knows the token (header or cookie), or none is set."""
    return proof(request, settings) in (Proof.NONE_NEEDED, Proof.VALID)


def _settings(request: HTTPConnection) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def require_token(request: Request) -> None:
    """The token, whenever one is configured (``api.guard`` has checked it already)."""
    if not authenticated(request, _settings(request)):
        raise HTTPException(
            401, "missing or wrong API token", headers={"WWW-Authenticate": "Bearer"}
        )


#: The guard of every ``/api`` route (changes and reads alike, since issue 10: with a token
#: set, reads need it too, whatever the bind address).
TOKEN_REQUIRED = Depends(require_token)


#: OpenAPI responses of the guard (``api.guard``) on every route, and of ``TOKEN_REQUIRED`` on
#: ``/api`` (``include_router(..., responses=AUTH_RESPONSES)`` documents a router at once).
WRONG_HOST: Final[dict[str, Any]] = {
    "model": ErrorOut,
    "description": "the Host header names neither this server (its bound address, localhost, "
    "127.0.0.1, [::1]) nor a name in RESONANCE_ALLOWED_HOSTS (DNS rebinding)",
}
TOO_LARGE: Final[dict[str, Any]] = {
    "model": ErrorOut,
    "description": "the request body is larger than 1 MiB (the upload has its own limit, "
    "RESONANCE_MAX_UPLOAD_BYTES)",
}
TOO_MANY_FAILURES: Final[dict[str, Any]] = {
    "model": ErrorOut,
    "description": "too many wrong tokens (Bearer or login) from this address lately: try "
    "again after Retry-After seconds",
    "headers": {"Retry-After": {"description": "seconds", "schema": {"type": "integer"}}},
}
UNAUTHORIZED: Final[dict[str, Any]] = {
    "model": ErrorOut,
    "description": "RESONANCE_API_TOKEN is set and the request has neither "
    "'Authorization: Bearer <token>' nor the session cookie of /login",
    "headers": {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}},
}
CROSS_ORIGIN: Final[dict[str, Any]] = {
    "model": ErrorOut,
    "description": f"a change not sent from the explorer's pages: no {REQUESTED_WITH} header, "
    "or an Origin naming another host",
}
#: Every route: the Host check and the body cap.
GUARD_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {400: WRONG_HOST, 413: TOO_LARGE}
#: Pages: also the limit on wrong tokens (a wrong Bearer, or a wrong login).
PAGE_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    **GUARD_RESPONSES,
    429: TOO_MANY_FAILURES,
}
AUTH_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    **PAGE_RESPONSES,
    401: UNAUTHORIZED,
    403: CROSS_ORIGIN,
}
#: ``/login`` and ``/logout`` (``api.routes.pages``): refused when the Origin is another host.
OTHER_ORIGIN: Final[dict[str, Any]] = {
    "model": ErrorOut,
    "description": "the request's Origin names another host",
}


def redirect(why: str) -> dict[str, Any]:
    """The OpenAPI response of a 303 (no body; the page to open in ``Location``), and why."""
    location = {"description": "the page to open", "schema": {"type": "string"}}
    return {"description": why, "headers": {"Location": location}}
