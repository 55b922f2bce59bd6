"""The door of every request, before anything of its body is read (pure ASGI middleware, so the
streamed upload keeps streaming):

1. the ``Host`` must name this server: its bound address, ``localhost``, ``127.0.0.1``,
   ``[::1]`` (any port) or a name in ``RESONANCE_ALLOWED_HOSTS``; anything else is 400, which
   is what stops DNS rebinding (another site's name pointed at this machine);
2. a change (any method but GET, HEAD, OPTIONS) must come from the explorer's pages: an
   ``X-Requested-With`` header (``/login`` is exempt: a plain HTML form cannot send one), an
   ``Origin``, when sent, naming the same host, and no ``Sec-Fetch-Site`` other than
   ``same-origin``; else 403. Without a token as with one: another site's
   ``fetch(url, {mode: "no-cors"})`` sends neither;
3. with ``RESONANCE_API_TOKEN`` set, everything but :data:`PUBLIC` needs the token (Bearer or
   the session cookie): ``/api`` and ``/openapi.json`` answer 401, a page (``/docs`` too)
   sends the visitor to ``/login``; wrong tokens (Bearer, or a login's) are counted per
   client address (``api.throttle``: 429 with ``Retry-After`` past the limit);
4. the body is capped at ``MAX_BODY_BYTES`` (1 MiB: a declared ``Content-Length`` beyond it is
   413 at once, a chunked body at the byte that crosses it), and JSON's non-standard constants
   are 422 (``api.body_limit``). ``POST /api/jobs/load`` streams files to disk under its own
   limit (``RESONANCE_MAX_UPLOAD_BYTES``, ``api.uploads``) and is exempt from the cap.
"""

from __future__ import annotations

import functools
from typing import Final

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import REQUESTED_WITH, SAFE_METHODS, Proof, origin_matches, proof
from api.body_limit import MAX_BODY_BYTES, LimitedBody, declared_length, is_json, too_large
from api.routes.pages import login_location
from api.throttle import FailureLimiter
from graph.config import Settings

#: Paths anyone may open, token or not (``/static/...`` too): the login needs them.
PUBLIC: Final = frozenset({"/health", "/login", "/logout"})
STATIC: Final = "/static/"
#: Changes a plain HTML form sends (no custom header possible); their Origin is still checked.
FORM_POSTS: Final = frozenset({("POST", "/login")})
#: Routes that read their body themselves, under a limit of their own.
UNCAPPED: Final = frozenset({("POST", "/api/jobs/load")})
LOOPBACK_NAMES: Final = frozenset({"localhost", "127.0.0.1", "::1"})


def host_name(value: str) -> str:
    """The name in a ``Host`` header (or a configured host), lower case, without the port,
    brackets or a trailing dot.

    >>> [host_name(v) for v in ("LocalHost:8000", "[::1]:80", "::1", "a.example.", "b:x")]
    ['localhost', '::1', '::1', 'a.example', 'b:x']
    """
    value = value.strip().lower()
    if value.startswith("["):
        name, bracket, rest = value[1:].partition("]")
        if bracket and (not rest or (rest[0] == ":" and rest[1:].isdigit())):
            return name
        return value
    name, colon, port = value.partition(":")
    if colon and ":" not in port and (port.isdigit() or not port):
        value = name
    return value.rstrip(".")


def allowed_hosts(settings: Settings) -> frozenset[str]:
    """The names this server answers to."""
    return _allowed_hosts(settings.host, settings.allowed_host_names)


@functools.lru_cache(maxsize=16)
def _allowed_hosts(bound: str, configured: tuple[str, ...]) -> frozenset[str]:
    return LOOPBACK_NAMES | {host_name(bound), *(host_name(name) for name in configured)}


def _detail(status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def wrong_host(connection: HTTPConnection, settings: Settings) -> Response | None:
    host = connection.headers.get("host")
    names = allowed_hosts(settings)
    if host is not None and host_name(host) in names:
        return None
    shown = "no Host header" if host is None else f"Host {host[:100]!r}"
    return _detail(
        400,
        f"{shown} does not name this server ({', '.join(sorted(names))}): add the name "
        "clients use to reach it to RESONANCE_ALLOWED_HOSTS (comma-separated)",
    )


def foreign_change(connection: HTTPConnection, method: str, path: str) -> Response | None:
    """Why a change does not come from the explorer's pages; None when it does."""
    why = None
    fetch_site = connection.headers.get("sec-fetch-site", "same-origin").lower()
    if not origin_matches(connection):
        origin = connection.headers.get("origin", "")[:100]
        why = f"its Origin {origin!r} is not this host"
    elif fetch_site not in ("same-origin", "none"):
        why = f"the browser says it comes from another site (Sec-Fetch-Site: {fetch_site[:20]})"
    elif (method, path) not in FORM_POSTS and not connection.headers.get(REQUESTED_WITH):
        why = f"it has no {REQUESTED_WITH} header"
    if why is None:
        return None
    return _detail(
        403,
        f"change refused: {why}. Changes are taken from the explorer's own pages, or from "
        f"scripts that send '{REQUESTED_WITH}: <any value>' (and the token when one is set)",
    )


def is_api(path: str) -> bool:
    """Whether ``path`` is for scripts (401 without the token) rather than a page (login)."""
    return path in ("/api", "/openapi.json") or path.startswith("/api/")


def not_logged_in(connection: HTTPConnection, method: str, path: str) -> Response:
    if not is_api(path) and method in ("GET", "HEAD"):
        return RedirectResponse(login_location(path, connection.url.query), status_code=303)
    return _detail(401, "missing or wrong API token", {"WWW-Authenticate": "Bearer"})


def too_many_failures(retry_after: int) -> Response:
    return _detail(
        429,
        f"too many wrong tokens from this address: try again in {retry_after} s",
        {"Retry-After": str(retry_after)},
    )


class RequestGuard:
    """The checks above, on every HTTP request; settings and the failure counts are read
    from ``app.state`` (``settings``, ``auth_failures``) at each request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        state = connection.app.state
        settings: Settings = state.settings
        failures: FailureLimiter = state.auth_failures
        method: str = scope["method"].upper()
        path: str = scope["path"]
        client = scope.get("client")
        address = str(client[0]) if client else "unknown"
        refusal = wrong_host(connection, settings)
        if refusal is None and method not in SAFE_METHODS:
            refusal = foreign_change(connection, method, path)
        login = (method, path) in FORM_POSTS and settings.api_token is not None
        if refusal is None:
            refusal = self._authenticate(connection, method, path, address, failures, login)
        length = declared_length(connection.headers)
        uncapped = (method, path) in UNCAPPED
        if refusal is None and length == -1:
            refusal = _detail(400, "Content-Length is not a number")
        if refusal is None and length is not None and length > MAX_BODY_BYTES and not uncapped:
            refusal = too_large(MAX_BODY_BYTES)
        if refusal is not None:
            await refusal(scope, receive, send)
            return

        async def watched(message: Message) -> None:
            if login and message["type"] == "http.response.start" and message["status"] == 401:
                failures.record(address)  # the login form's "That is not the API token."
            await send(message)

        body = LimitedBody(
            scope,
            receive,
            watched,
            limit=None if uncapped else MAX_BODY_BYTES,
            check_json=not uncapped and is_json(connection.headers),
        )
        await self.app(scope, body.receive, body.send)

    @staticmethod
    def _authenticate(
        connection: HTTPConnection,
        method: str,
        path: str,
        address: str,
        failures: FailureLimiter,
        login: bool,
    ) -> Response | None:
        settings: Settings = connection.app.state.settings
        if settings.api_token is None:
            return None
        public = path in PUBLIC or path.startswith(STATIC)
        tries_token = login or (not public and "authorization" in connection.headers)
        if tries_token and (retry_after := failures.retry_after(address)) is not None:
            return too_many_failures(retry_after)
        if public:
            return None
        shown = proof(connection, settings)
        if shown is Proof.VALID:
            return None
        if shown is Proof.WRONG:
            failures.record(address)
        return not_logged_in(connection, method, path)
