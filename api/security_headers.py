"""Security headers on every response, as a pure ASGI middleware (``BaseHTTPMiddleware`` would
buffer streamed bodies such as the CSV exports).

* ``Content-Security-Policy``: :data:`PAGE_CSP` on HTML (the explorer's pages load only this
  origin's scripts, styles and data, and no other site may frame them), :data:`STRICT_CSP` on
  everything else (JSON, CSV, static files: nothing runs, nothing frames them). A response that
  sets its own policy keeps it (``/docs`` and ``/redoc``, see :mod:`api.docs`).
* ``X-Frame-Options: DENY``: ``frame-ancestors`` for browsers that predate it.
* ``X-Content-Type-Options: nosniff``: a CSV or JSON body is never run as a script or page.
* ``Referrer-Policy: same-origin``: no address of this explorer leaks to another site; same
  origin requests keep theirs (the login form's ``Origin`` check needs it; the pages' ``<meta>``
  asks for ``no-referrer`` where nothing is posted).

The pages' ``<meta>`` CSP stays: both policies apply, so a page may be stricter than
:data:`PAGE_CSP` (``form-action 'none'`` where it has no form) but never looser.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def policy(**directives: str) -> str:
    """A CSP header value from ``directive=sources`` (underscores written as dashes).

    >>> policy(default_src="'none'", frame_ancestors="'none'")
    "default-src 'none'; frame-ancestors 'none'"
    """
    return "; ".join(f"{name.replace('_', '-')} {value}" for name, value in directives.items())


PAGE_DIRECTIVES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "default_src": "'self'",
        "script_src": "'self'",
        "style_src": "'self'",
        "img_src": "'self' data:",
        "connect_src": "'self'",
        "object_src": "'none'",
        "base_uri": "'none'",
        "form_action": "'self'",
        "frame_ancestors": "'none'",
    }
)
"""The directives of :data:`PAGE_CSP`, in order, for a page that adapts them (:mod:`api.docs`)."""
PAGE_CSP: Final = policy(**PAGE_DIRECTIVES)
"""HTML pages: what ``web/templates/_base.html``'s ``<meta>`` allows, plus ``frame-ancestors``
(which a ``<meta>`` cannot say)."""
STRICT_CSP: Final = policy(default_src="'none'", frame_ancestors="'none'")
"""Everything that is not HTML: nothing in it may run, load or be framed."""
ALWAYS: Final = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class SecurityHeaders:
    """Adds :data:`ALWAYS` and a Content-Security-Policy to every HTTP response that does not
    set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                if "content-security-policy" not in headers:
                    html = headers.get("content-type", "").startswith("text/html")
                    headers["Content-Security-Policy"] = PAGE_CSP if html else STRICT_CSP
                for name, value in ALWAYS.items():
                    headers.setdefault(name, value)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # Starlette answers an unhandled error outside every middleware, so its 500 would
            # carry none of the headers: answer it here, then let the error go on to be logged.
            if not started:
                await _internal_error(send_with_headers)
            raise


async def _internal_error(send: Send) -> None:
    body = b'{"detail":"internal server error"}'
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
