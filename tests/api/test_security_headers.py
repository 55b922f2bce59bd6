"""Security headers (issue 10, finding 11): a Content-Security-Policy header with
``frame-ancestors 'none'``, ``X-Frame-Options``, ``nosniff`` and ``Referrer-Policy`` on every
response, the app's refusals included; and, in chromium, another origin framing a logged-in page
gets nothing shown."""

from __future__ import annotations

import asyncio
import json
import re
import urllib.request
from collections.abc import Iterator
from typing import TYPE_CHECKING, Final

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from pydantic import SecretStr
from starlette.types import Message, Receive, Scope, Send

from api.auth import SESSION_COOKIE, issue_session
from api.main import create_app
from api.security_headers import ALWAYS, PAGE_CSP, STRICT_CSP, SecurityHeaders
from graph.analysis.run import analyze
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.models import AmplificationRow, UserRow
from graph.store import Store
from tests.support.api_client import api_client
from tests.support.chromium import chromium, serving
from web.pages import render_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser

TOKEN = "a-token-of-24-characters"


def _with_token() -> Settings:
    return Settings(_env_file=None, RESONANCE_API_TOKEN=SecretStr(TOKEN))  # type: ignore[call-arg]


@pytest.fixture
def analysed(falkordb: FalkorDBBackend) -> FalkorDBBackend:
    store = Store(falkordb, batch_size=100)
    store.ensure_schema()
    store.upsert_users([UserRow(f"u{i}", f"user{i}") for i in range(6)])
    store.upsert_amplifications(
        [
            AmplificationRow(f"u{a}>u{b}", f"u{a}", f"u{b}", "retweet", 0)
            for a in range(6)
            for b in range(3)
            if a != b
        ]
    )
    analyze(store)
    return falkordb


@pytest.fixture
def client(analysed: FalkorDBBackend) -> Iterator[TestClient]:
    with api_client(create_app(Settings(), backend=analysed)) as test_client:
        yield test_client


def _assert_secured(response: object, csp: str) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["content-security-policy"] == csp, (response, headers)
    for name, value in ALWAYS.items():
        assert headers[name] == value, (response, name)


def test_every_response_has_csp_frame_nosniff_and_referrer_headers(client: TestClient) -> None:
    pages = ["/", "/influencers", "/overview", "/shortlists", "/console"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200 and response.headers["content-type"].startswith(
            "text/html"
        )
        _assert_secured(response, PAGE_CSP)
    others = {
        "/health": 200,
        "/api/influencers": 200,
        "/api/influencers.csv": 200,
        "/api/users/nobody": 404,
        "/api/influencers?limit=0": 422,
        "/static/common.js": 200,
        "/static/vendor/vis-network/vis-network.min.js": 200,
        "/no-such-page": 404,
    }
    for path, status in others.items():
        response = client.get(path)
        assert response.status_code == status, (path, response.text[:200])
        _assert_secured(response, STRICT_CSP)
    # The guard's refusals, made before any route runs, carry them too.
    _assert_secured(client.get("/health", headers={"Host": "evil.example"}), STRICT_CSP)
    refused = client.post("/api/shortlists", json={"name": "x"}, headers={"X-Requested-With": ""})
    assert refused.status_code == 403
    _assert_secured(refused, STRICT_CSP)
    assert "frame-ancestors 'none'" in PAGE_CSP and "frame-ancestors 'none'" in STRICT_CSP


def test_login_wall_redirect_and_login_page_have_the_headers(analysed: FalkorDBBackend) -> None:
    settings = _with_token()
    with api_client(create_app(settings, backend=analysed)) as client:
        wall = client.get("/shortlists", follow_redirects=False)
        assert wall.status_code == 303
        _assert_secured(wall, STRICT_CSP)
        login = client.get("/login")
        assert login.status_code == 200
        _assert_secured(login, PAGE_CSP)


def _meta_csp(html: str) -> dict[str, str]:
    match = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert match is not None
    return _directives(match.group(1))


def _directives(csp: str) -> dict[str, str]:
    return dict(d.strip().partition(" ")[::2] for d in csp.split(";"))


def test_page_csp_header_is_the_pages_meta_csp_plus_frame_ancestors() -> None:
    header = _directives(PAGE_CSP)
    assert header.pop("frame-ancestors") == "'none'"
    for template, form_action in (("shortlists.html", "'none'"), ("login.html", "'self'")):
        meta = _meta_csp(render_page(template, title="t", next_path="/", error=None, roles=()))
        assert meta.pop("form-action") == form_action
        assert header.pop("form-action", "'self'") == "'self'"  # the header allows the login's
        assert meta == header, template


def test_streamed_body_passes_through_chunk_by_chunk() -> None:
    """A pure ASGI middleware: each body chunk reaches the client as the app sends it."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", b"text/csv")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for chunk in (b"a\n", b"b\n", b"c\n"):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    scope: Scope = {"type": "http", "method": "GET", "path": "/", "headers": []}
    asyncio.run(SecurityHeaders(app)(scope, receive, send))
    assert [m.get("body") for m in sent[1:]] == [b"a\n", b"b\n", b"c\n", b""]
    headers = dict(sent[0]["headers"])
    assert headers[b"content-security-policy"] == STRICT_CSP.encode()
    assert headers[b"x-content-type-options"] == b"nosniff"


def test_a_response_that_sets_its_own_csp_keeps_it() -> None:
    inner = FastAPI()

    @inner.get("/own")
    def own() -> object:
        return HTMLResponse("<p>x</p>", headers={"Content-Security-Policy": "default-src 'self'"})

    with TestClient(SecurityHeaders(inner)) as client:
        response = client.get("/own")
    assert response.headers["content-security-policy"] == "default-src 'self'"
    assert response.headers["x-frame-options"] == "DENY"


def test_an_unhandled_error_is_a_500_with_the_headers_and_still_raised(
    falkordb: FalkorDBBackend,
) -> None:
    """Starlette answers an unhandled error outside every middleware: the 500 must still carry
    the headers, and the error still reach the server's log (raised on)."""
    app = create_app(Settings(), backend=falkordb)

    @app.get("/boom")
    def boom() -> object:
        raise RuntimeError("boom")

    with api_client(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal server error"}
    assert response.headers["content-security-policy"] == STRICT_CSP
    for name, value in ALWAYS.items():
        assert response.headers[name] == value
    with api_client(app) as client, pytest.raises(RuntimeError, match="boom"):
        client.get("/boom")


FRAMER = """<!doctype html><title>another origin</title>
<iframe id="explorer" src="{explorer}" width="800" height="600"></iframe>
<iframe id="control" src="{control}" width="200" height="100"></iframe>"""


def _static_site(body: str) -> FastAPI:
    site = FastAPI()
    site.get("/")(lambda: HTMLResponse(body))
    return site


def _shown_in_a_frame_of_another_origin(browser: Browser, app: FastAPI, token: str) -> bool:
    """Whether a page of another origin that frames the logged-in ``/shortlists`` shows it.

    The other origin is a real server on this machine (another port: the same site, so the
    session cookie, SameSite=Strict, still goes along); a frameable third one is the control
    that frames do load there."""
    control_site = _static_site("<p id='shown'>framed</p>")
    with serving(app) as url, serving(control_site) as control:
        page = FRAMER.format(explorer=f"{url}/shortlists", control=f"{control}/")
        with serving(_static_site(page)) as other:
            context = browser.new_context()
            context.add_cookies(
                [{"name": SESSION_COOKIE, "value": issue_session(SecretStr(token)), "url": url,
                  "httpOnly": True, "sameSite": "Strict"}]
            )  # fmt: skip
            tab = context.new_page()
            tab.goto(f"{url}/shortlists")  # logged in: not framed, the page opens
            tab.locator("#shortlists").wait_for(state="attached")
            tab.goto(f"{other}/")
            tab.frame_locator("#control").locator("#shown").wait_for()
            handle = tab.locator("#explorer").element_handle()
            frame = handle.content_frame() if handle else None
            assert frame is not None
            frame.wait_for_load_state()
            rendered = frame.url.startswith(url) and frame.locator("#shortlists").count() == 1
            context.close()
            return rendered


def test_another_origin_framing_a_logged_in_page_gets_nothing_shown(
    analysed: FalkorDBBackend,
) -> None:
    settings = _with_token()
    with chromium() as browser:
        assert not _shown_in_a_frame_of_another_origin(
            browser, create_app(settings, backend=analysed), TOKEN
        )
        # The control: the same app without the security headers is framed and shown.
        bare = create_app(settings, backend=analysed)
        bare.user_middleware = [
            m
            for m in bare.user_middleware
            if m.cls is not SecurityHeaders  # type: ignore[comparison-overlap]
        ]
        assert _shown_in_a_frame_of_another_origin(browser, bare, TOKEN)


#: Each page, and an element its script draws from the API once it has run.
DRAWN: Final = {
    "/": "#legend .legend-community",
    "/influencers": "#influencers tbody tr",
    "/overview": "#heatmap tbody tr",
    "/shortlists": "#shortlists li",
    "/console": "[data-example]",
}


def test_every_page_runs_under_the_csp_header_with_no_violation(
    analysed: FalkorDBBackend,
) -> None:
    app = create_app(Settings(_env_file=None), backend=analysed)  # type: ignore[call-arg]
    with chromium() as browser, serving(app) as url:
        request = urllib.request.Request(
            f"{url}/api/shortlists",
            data=json.dumps({"name": "Drawn"}).encode(),
            headers={"Content-Type": "application/json", "X-Requested-With": "Resonance"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as created:
            assert created.status == 201
        context = browser.new_context()  # the CSP header (and the pages' meta) enforced
        tab = context.new_page()
        problems: list[str] = []
        tab.on("pageerror", lambda error: problems.append(str(error)))
        tab.on(  # a CSP violation is a console error; a failed load is listed below
            "console",
            lambda m: (
                problems.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource")
                else None
            ),
        )
        failed: list[str] = []
        tab.on(
            "response",
            lambda r: failed.append(r.url) if r.status >= 400 and "favicon" not in r.url else None,
        )
        for path, drawn in DRAWN.items():
            response = tab.goto(url + path)
            assert response is not None and response.headers["content-security-policy"] == PAGE_CSP
            tab.locator(drawn).first.wait_for(state="attached")
            tab.wait_for_timeout(300)
            assert problems == [] and failed == [], (path, problems, failed)
        context.close()
