"""The API's own documentation: ``/docs`` (Swagger UI), ``/redoc`` (ReDoc) and
``/openapi.json``, served from the pinned copies under ``web/static/vendor`` (see the
``VERSION.md`` there), so that they work offline and no script from another origin ever runs in
this one.

FastAPI's built-in routes load the latest Swagger UI and ReDoc from a CDN: the app is created
without them (``docs_url=None, redoc_url=None, openapi_url=None``) and :func:`install` adds these
instead. With ``RESONANCE_API_TOKEN`` set, the three need the login like the explorer's pages
(the session cookie, or ``Authorization: Bearer``): the pages redirect to ``/login``,
``/openapi.json`` answers 401.

Each page gets a Content-Security-Policy of its own. Swagger UI's start-up is an inline
``<script>``: the policy allows exactly that script by its hash, never ``'unsafe-inline'``.
ReDoc draws with styled-components, which writes ``<style>`` elements at run time, so its page
allows inline styles (never inline scripts) and a ``blob:`` worker for its search.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Final

from fastapi import FastAPI, HTTPException, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from api.auth import REQUESTED_WITH, authenticated
from api.routes.pages import LOGIN
from api.security_headers import PAGE_DIRECTIVES, policy
from graph.config import Settings

SWAGGER_UI_VERSION: Final = "5.35.0"
REDOC_VERSION: Final = "2.5.4"
VENDOR: Final = "/static/vendor"
OPENAPI_URL: Final = "/openapi.json"
SWAGGER_JS: Final = f"{VENDOR}/swagger-ui/swagger-ui-bundle.js"
SWAGGER_CSS: Final = f"{VENDOR}/swagger-ui/swagger-ui.css"
FAVICON: Final = f"{VENDOR}/swagger-ui/favicon-32x32.png"
REDOC_JS: Final = f"{VENDOR}/redoc/redoc.standalone.js"
#: Swagger UI's default validator badge is an image from another site: off.
SWAGGER_PARAMETERS: Final = {"validatorUrl": None}
#: What ``web/static/common.js`` sends as ``X-Requested-With``.
PAGES_REQUESTED_WITH: Final = "Resonance"
_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.S)


def inline_hashes(html: str, tag: str) -> list[str]:
    """CSP sources (``'sha256-...'``) for every inline ``<tag>`` of ``html``.

    >>> inline_hashes("<script>a()</script><style>b</style>", "script")
    ["'sha256-qVpDBgj7bpq5hMAcGp3AOc79J3Y1Z4HvySTwKrWDoy4='"]
    """
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for kind, body in _INLINE.findall(html)
        if kind == tag
    ]


def _page_policy(script_src: str, style_src: str, **more: str) -> str:
    """The pages' policy (:data:`PAGE_DIRECTIVES`) with these scripts and styles, fonts from
    this origin and ``data:`` (after ``img-src``), no form to post, and ``more`` at the end."""
    page = {**PAGE_DIRECTIVES, "script_src": script_src, "style_src": style_src}
    directives: dict[str, str] = {}
    for name, value in page.items():
        directives[name] = value
        if name == "img_src":
            directives["font_src"] = "'self' data:"
    return policy(**{**directives, "form_action": "'none'", **more})


def swagger_page(title: str) -> tuple[str, str]:
    """Swagger UI from the vendored files, and a CSP that allows its one inline script."""
    page = get_swagger_ui_html(
        openapi_url=OPENAPI_URL,
        title=f"{title} · API docs",
        swagger_js_url=SWAGGER_JS,
        swagger_css_url=SWAGGER_CSS,
        swagger_favicon_url=FAVICON,
        oauth2_redirect_url=None,
        swagger_ui_parameters=SWAGGER_PARAMETERS,
    )
    html = with_pages_header(bytes(page.body).decode())
    scripts = " ".join(["'self'", *inline_hashes(html, "script")])
    return html, _page_policy(scripts, "'self'")


def with_pages_header(html: str) -> str:
    """Swagger UI's start-up with a ``requestInterceptor`` that adds the pages'
    ``X-Requested-With`` header, so that "Try it out" of a change is not refused as another
    site's (``api.guard``). A function cannot go through ``swagger_ui_parameters`` (JSON), so it
    is written in before ``presets``; the page is unchanged if FastAPI's template moves on
    (tests/web/test_docs_pages.py then fails)."""
    anchor = "\n    presets: ["
    if html.count(anchor) != 1:
        return html
    interceptor = (
        f"\n    requestInterceptor: (request) => {{ request.headers[{json.dumps(REQUESTED_WITH)}]"
        f" = {json.dumps(PAGES_REQUESTED_WITH)}; return request; }},"
    )
    return html.replace(anchor, interceptor + anchor)


def redoc_page(title: str) -> tuple[str, str]:
    """ReDoc from the vendored file, and a CSP: inline styles (styled-components), no inline
    scripts."""
    page = get_redoc_html(
        openapi_url=OPENAPI_URL,
        title=f"{title} · API reference",
        redoc_js_url=REDOC_JS,
        redoc_favicon_url=FAVICON,
        with_google_fonts=False,
    )
    html = bytes(page.body).decode()
    return html, _page_policy("'self'", "'self' 'unsafe-inline'", worker_src="'self' blob:")


def _html(page: tuple[str, str]) -> HTMLResponse:
    html, csp = page
    return HTMLResponse(html, headers={"Content-Security-Policy": csp, "Cache-Control": "no-store"})


def install(app: FastAPI) -> None:
    """Add ``/docs``, ``/redoc`` and ``/openapi.json`` to ``app`` (created without FastAPI's)."""
    swagger = swagger_page(app.title)
    redoc = redoc_page(app.title)

    @app.get("/docs", include_in_schema=False, dependencies=[LOGIN])
    def docs() -> HTMLResponse:
        return _html(swagger)

    @app.get("/redoc", include_in_schema=False, dependencies=[LOGIN])
    def reference() -> HTMLResponse:
        return _html(redoc)

    @app.get(OPENAPI_URL, include_in_schema=False)
    def openapi(request: Request) -> JSONResponse:
        settings: Settings = request.app.state.settings
        if not authenticated(request, settings):
            raise HTTPException(
                401, "missing or wrong API token", headers={"WWW-Authenticate": "Bearer"}
            )
        return JSONResponse(app.openapi())
