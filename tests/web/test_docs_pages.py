"""``/docs`` and ``/redoc`` (issue 10, finding 11): pinned, vendored Swagger UI and ReDoc, no
script from another origin, a CSP header of their own, working offline in chromium, and inside
the login wall when a token is set. (``tests/test_docs.py`` checks the README.)"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.auth import SESSION_COOKIE, issue_session
from api.docs import REDOC_VERSION, SWAGGER_UI_VERSION, inline_hashes
from api.main import create_app
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from tests.support.api_client import api_client
from tests.support.chromium import chromium, serving
from web.pages import static_dir

TOKEN = "a-token-of-24-characters"
PAGES = ("/docs", "/redoc")
VENDOR = static_dir() / "vendor"


def _settings(token: str | None = None) -> Settings:
    """Settings from defaults (no ``.env`` file) and the API token ``token``."""
    secret = None if token is None else SecretStr(token)
    return Settings(_env_file=None, RESONANCE_API_TOKEN=secret)  # type: ignore[call-arg]


@pytest.fixture
def client(falkordb: FalkorDBBackend) -> Iterator[TestClient]:
    with api_client(create_app(_settings(), backend=falkordb)) as test_client:
        yield test_client


def _assets(html: str) -> list[str]:
    return re.findall(r'(?:src|href|spec-url)="([^"]+)"', html)


def test_docs_pages_load_only_vendored_assets_of_the_pinned_versions(client: TestClient) -> None:
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200 and "text/html" in response.headers["content-type"]
        html = response.text
        assert "http://" not in html and "https://" not in html, path
        assets = _assets(html)
        assert assets and all(a.startswith(("/static/vendor/", "/openapi.json")) for a in assets)
        for asset in assets:
            served = client.get(asset)
            assert served.status_code == 200, asset
            if asset.startswith("/static/"):
                assert (
                    served.content == (static_dir() / asset.removeprefix("/static/")).read_bytes()
                )
    # The files are the npm packages' own, as VERSION.md records them (name, version, sha256).
    for folder, version in (("swagger-ui", SWAGGER_UI_VERSION), ("redoc", REDOC_VERSION)):
        note = (VENDOR / folder / "VERSION.md").read_text(encoding="utf-8")
        assert f" {version} " in note.splitlines()[0]
        listed = dict(
            (name, digest) for digest, name in re.findall(r"^\s+([0-9a-f]{64})  (\S+)$", note, re.M)
        )
        assert listed and (VENDOR / folder / "LICENSE").is_file()
        for name, digest in listed.items():
            assert hashlib.sha256((VENDOR / folder / name).read_bytes()).hexdigest() == digest


def test_docs_csp_header_allows_its_inline_script_by_hash_never_unsafe_inline(
    client: TestClient,
) -> None:
    swagger = client.get("/docs")
    directives = dict(
        d.strip().partition(" ")[::2] for d in swagger.headers["content-security-policy"].split(";")
    )
    assert 'request.headers["X-Requested-With"] = "Resonance"' in swagger.text  # Try it out
    hashes = inline_hashes(swagger.text, "script")
    assert len(hashes) == 1
    assert directives["script-src"] == f"'self' {hashes[0]}"
    assert directives["frame-ancestors"] == "'none'" and directives["default-src"] == "'self'"
    redoc = dict(
        d.strip().partition(" ")[::2]
        for d in client.get("/redoc").headers["content-security-policy"].split(";")
    )
    assert redoc["script-src"] == "'self'" and redoc["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in redoc["script-src"] and "unsafe-eval" not in str(redoc)
    openapi = client.get("/openapi.json")
    assert openapi.status_code == 200 and "/api/influencers" in openapi.json()["paths"]


def test_docs_redoc_and_openapi_need_the_login_when_a_token_is_set(
    falkordb: FalkorDBBackend,
) -> None:
    settings = _settings(TOKEN)
    with api_client(create_app(settings, backend=falkordb)) as client:
        for path in PAGES:
            wall = client.get(path, follow_redirects=False)
            assert wall.status_code == 303 and wall.headers["location"].startswith("/login?")
            assert "swagger" not in wall.text.lower() and "redoc" not in wall.text.lower()
        anonymous = client.get("/openapi.json", follow_redirects=False)
        assert anonymous.status_code in (303, 401) and "paths" not in anonymous.text
        wrong = client.get("/openapi.json", headers={"Authorization": "Bearer wrong-token-xxxxx"})
        assert wrong.status_code == 401 and "paths" not in wrong.text
        bearer = client.get("/openapi.json", headers={"Authorization": f"Bearer {TOKEN}"})
        assert bearer.status_code == 200 and bearer.json()["paths"]
        client.cookies.set(SESSION_COOKIE, issue_session(SecretStr(TOKEN)))
        for path in PAGES:
            assert client.get(path, follow_redirects=False).status_code == 200
        assert client.get("/openapi.json").json()["paths"]


def test_chromium_renders_docs_and_redoc_offline_under_their_csp(
    falkordb: FalkorDBBackend,
) -> None:
    from playwright.sync_api import expect

    app = create_app(_settings(), backend=falkordb)
    with chromium() as browser, serving(app) as url:
        context = browser.new_context()  # the CSP header enforced
        outside: list[str] = []

        def offline(route: object) -> None:
            request_url: str = route.request.url  # type: ignore[attr-defined]
            if request_url.startswith(url + "/"):
                route.continue_()  # type: ignore[attr-defined]
            else:
                outside.append(request_url)
                route.abort()  # type: ignore[attr-defined]

        context.route("**/*", offline)
        tab = context.new_page()
        problems: list[str] = []
        tab.on("pageerror", lambda error: problems.append(str(error)))
        tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

        tab.goto(f"{url}/docs")
        tab.locator(".opblock-summary-path").first.wait_for()
        shown = tab.locator(".opblock-summary-path").all_text_contents()
        assert "/api/influencers" in [text.strip().replace("\u200b", "") for text in shown]
        # "Try it out" of a change goes through (the pages' X-Requested-With header is sent).
        operation = tab.locator("#operations-shortlists-create_shortlist_api_shortlists_post")
        operation.locator(".opblock-summary").click()
        operation.locator(".try-out__btn").click()
        operation.locator(".execute").click()
        status = operation.locator(".live-responses-table tbody .response-col_status").first
        expect(status).to_have_text("201")
        assert problems == [] and outside == []

        tab.goto(f"{url}/redoc")
        tab.locator(".api-content h2").first.wait_for()
        assert tab.locator(".api-content h2").count() >= 10
        assert tab.get_by_text("/api/influencers.csv").count() >= 1
        # ReDoc's "by Redocly" logo is an image from its site: the CSP keeps it off the wire.
        assert all("cdn.redoc.ly" in p and "Content Security Policy" in p for p in problems)
        assert outside == []
        context.close()
