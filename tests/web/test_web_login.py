"""The pages' login: the session cookie stands in for the Bearer token, safely."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.auth import SESSION_COOKIE, SESSION_TTL_S, issue_session, session_valid
from api.main import create_app
from api.throttle import MAX_FAILURES
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from web.pages import static_dir

TOKEN = "s3cret-token-for-login-tests"
PAGES = ("/", "/influencers", "/overview", "/shortlists", "/console")
SAME = {"X-Requested-With": "Resonance"}
HERE = {**SAME, "Origin": "http://127.0.0.1"}


def _client(
    backend: FalkorDBBackend, tmp_path: Path, base_url: str = "http://127.0.0.1", **env: str
) -> TestClient:
    """A client that sends no X-Requested-With unless told: these tests prove refusals."""
    settings = Settings(RESONANCE_DATA_DIR=tmp_path, **env)  # type: ignore[arg-type]
    app = create_app(settings, backend=backend)
    return TestClient(app, base_url=base_url, follow_redirects=False)


@pytest.fixture
def graph(falkordb: FalkorDBBackend) -> FalkorDBBackend:
    falkordb.write("CREATE (:User {id: 'u1', handle: 'one'})")
    return falkordb


@pytest.fixture
def local(graph: FalkorDBBackend, tmp_path: Path) -> Iterator[TestClient]:
    with _client(graph, tmp_path, RESONANCE_API_TOKEN=TOKEN) as client:
        yield client


@pytest.fixture
def exposed(graph: FalkorDBBackend, tmp_path: Path) -> Iterator[TestClient]:
    env = {"RESONANCE_HOST": "0.0.0.0", "RESONANCE_API_TOKEN": TOKEN}
    with _client(graph, tmp_path, **env) as client:
        yield client


def _log_in(client: TestClient, next_path: str = "/influencers") -> None:
    response = client.post("/login", data={"token": TOKEN, "next": next_path})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == next_path


def _set_cookie(client: TestClient, value: str) -> None:
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, value)


def test_pages_redirect_to_login_and_static_stays_public(local: TestClient) -> None:
    for path in PAGES:
        response = local.get(path, params={"topic": "a&b"}, follow_redirects=False)
        assert response.status_code == 303, path
        location = urlsplit(response.headers["location"])
        assert location.path == "/login"
        assert parse_qs(location.query) == {"next": [f"{path}?topic=a%26b"]}
    assert local.get("/static/common.js").status_code == 200
    assert local.get("/static/resonance.css").status_code == 200
    assert local.get("/health").status_code == 200
    form = local.get("/login", params={"next": "/console"})
    assert form.status_code == 200
    assert form.headers["cache-control"] == "no-store"
    assert form.headers["x-frame-options"] == "DENY"
    assert '<input type="hidden" name="next" value="/console">' in form.text
    assert 'type="password" name="token"' in form.text
    assert "form-action 'self'" in form.text  # the one page that posts a form
    # ... and its Origin must come along: "no-referrer" would make the browser send "null".
    assert '<meta name="referrer" content="same-origin">' in form.text
    assert "set-cookie" not in form.headers


def test_login_sets_a_signed_strict_http_only_cookie(local: TestClient) -> None:
    response = local.post("/login", data={"token": f" {TOKEN}\n", "next": "/console?x=1"})
    assert response.status_code == 303
    assert response.headers["location"] == "/console?x=1"
    name, *attributes = response.headers["set-cookie"].split(";")
    assert name.startswith(f"{SESSION_COOKIE}=")
    flags = dict([*part.strip().lower().split("=", 1), ""][:2] for part in attributes)
    assert flags["httponly"] == "" and flags["samesite"] == "strict" and flags["path"] == "/"
    assert flags["max-age"] == str(SESSION_TTL_S)
    assert "secure" not in flags  # plain http: a Secure cookie would never come back
    value = local.cookies[SESSION_COOKIE]
    assert TOKEN not in value and session_valid(value, SecretStr(TOKEN))

    page = local.get("/console")
    assert page.status_code == 200
    assert 'data-action="logout"' in page.text and "Log out" in page.text
    assert "form-action 'none'" in page.text
    assert local.get("/login", follow_redirects=False).headers["location"] == "/"


def test_cookie_is_secure_over_https(graph: FalkorDBBackend, tmp_path: Path) -> None:
    with _client(graph, tmp_path, "https://127.0.0.1", RESONANCE_API_TOKEN=TOKEN) as client:
        response = client.post("/login", data={"token": TOKEN, "next": "/"})
        assert response.status_code == 303
        assert "secure" in response.headers["set-cookie"].lower()


def test_wrong_token_shows_the_form_again(local: TestClient) -> None:
    for wrong in ("nope", "", TOKEN + "x", TOKEN.upper()):
        response = local.post("/login", data={"token": wrong, "next": "/shortlists"})
        assert response.status_code == 401
        assert "That is not the API token." in response.text
        assert '<input type="hidden" name="next" value="/shortlists">' in response.text
        assert "set-cookie" not in response.headers
    assert local.get("/shortlists", follow_redirects=False).status_code == 303


def test_cookie_serves_reads_and_writes(exposed: TestClient) -> None:
    assert exposed.get("/api/influencers").status_code == 401
    _log_in(exposed)
    for path in ("/api/influencers", "/api/shortlists", "/api/users/u1", "/api/influencers.csv"):
        assert exposed.get(path).status_code == 200, path
    for path in PAGES:
        assert exposed.get(path, follow_redirects=False).status_code == 200, path
    created = exposed.post("/api/shortlists", json={"name": "x"}, headers=HERE)
    assert created.status_code == 201
    shortlist = created.json()["id"]
    member = f"/api/shortlists/{shortlist}/members/u1"
    assert exposed.put(member, json={"note": "hi"}, headers=SAME).status_code == 200
    assert exposed.delete(member, headers=HERE).status_code == 204
    assert exposed.delete(f"/api/shortlists/{shortlist}", headers=HERE).status_code == 204


def test_cookie_change_from_elsewhere_is_refused(local: TestClient) -> None:
    _log_in(local)
    body = {"name": "x"}
    no_header = local.post("/api/shortlists", json=body)
    assert no_header.status_code == 403 and "X-Requested-With" in no_header.json()["detail"]
    evil = {**SAME, "Origin": "https://evil.example"}
    assert local.post("/api/shortlists", json=body, headers=evil).status_code == 403
    other_port = {**SAME, "Origin": "http://127.0.0.1:8080"}
    assert local.post("/api/shortlists", json=body, headers=other_port).status_code == 403
    assert (
        local.post("/api/shortlists", json=body, headers={**SAME, "Origin": "null"}).status_code
        == 403
    )
    assert local.post("/api/console", json={"query": "RETURN 1"}).status_code == 403
    # A script with the token sends the header too, and no Origin of another site.
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert local.post("/api/shortlists", json=body, headers=bearer).status_code == 403
    assert local.post("/api/shortlists", json=body, headers={**bearer, **SAME}).status_code == 201
    evil_bearer = {**bearer, **SAME, "Origin": "https://evil.example"}
    assert local.post("/api/shortlists", json=body, headers=evil_bearer).status_code == 403
    # A wrong Bearer header is wrong, cookie or not.
    wrong = {**HERE, "Authorization": "Bearer nope"}
    assert local.post("/api/shortlists", json=body, headers=wrong).status_code == 401
    assert local.post("/api/shortlists", json=body, headers=HERE).status_code == 201
    # Logging in from another site is refused too.
    foreign = local.post(
        "/login", data={"token": TOKEN}, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403


@pytest.mark.parametrize(
    "cookie",
    [
        "garbage",
        f"{int(time.time())}.{'0' * 64}",
        issue_session(SecretStr(TOKEN), now=time.time() - SESSION_TTL_S - 1),
        issue_session(SecretStr(TOKEN), now=time.time() + 3600),
        issue_session(SecretStr("another-token")),
        TOKEN,
        "",
    ],
    ids=["garbage", "forged", "expired", "future", "other-token", "raw-token", "empty"],
)
def test_bad_cookies_are_refused(exposed: TestClient, cookie: str) -> None:
    _set_cookie(exposed, cookie)
    assert exposed.get("/api/influencers").status_code == 401
    assert exposed.post("/api/shortlists", json={"name": "x"}, headers=HERE).status_code == 401
    assert exposed.get("/overview", follow_redirects=False).status_code == 303


def test_changing_the_token_ends_sessions(graph: FalkorDBBackend, tmp_path: Path) -> None:
    with _client(graph, tmp_path, RESONANCE_API_TOKEN=TOKEN) as before:
        _log_in(before)
        value = before.cookies[SESSION_COOKIE]
        assert before.get("/overview", follow_redirects=False).status_code == 200
    with _client(graph, tmp_path, RESONANCE_API_TOKEN="a-new-token") as after:
        _set_cookie(after, value)
        assert after.get("/overview", follow_redirects=False).status_code == 303
        refused = after.post("/api/shortlists", json={"name": "x"}, headers=HERE)
        assert refused.status_code == 401


def test_session_expires() -> None:
    token = SecretStr(TOKEN)
    issued = 1_800_000_000.0
    value = issue_session(token, now=issued)
    assert session_valid(value, token, now=issued + SESSION_TTL_S - 1)
    assert not session_valid(value, token, now=issued + SESSION_TTL_S)
    assert not session_valid(value.replace(".", ".x", 1), token, now=issued)
    assert not session_valid("١٢٣." + "0" * 64, token, now=issued)  # digits, but not ASCII
    assert not session_valid("9" * 13 + ".0", token, now=issued)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "/\tevil",
        "http:/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/" + "a" * 3000,
    ],
)
def test_next_never_leaves_the_site(local: TestClient, target: str) -> None:
    response = local.post("/login", data={"token": TOKEN, "next": target})
    assert response.status_code == 303 and response.headers["location"] == "/"
    local.cookies.clear()
    form = local.get("/login", params={"next": target})
    assert '<input type="hidden" name="next" value="/">' in form.text


def test_logout_clears_the_cookie(local: TestClient) -> None:
    _log_in(local)
    assert local.post("/logout", headers={"Origin": "https://evil.example"}).status_code == 403
    assert local.get("/console", follow_redirects=False).status_code == 200
    response = local.post("/logout", headers=HERE, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    header = response.headers["set-cookie"].lower()
    assert header.startswith(f"{SESSION_COOKIE}=") and "max-age=0" in header
    assert SESSION_COOKIE not in local.cookies
    assert local.get("/console", follow_redirects=False).status_code == 303


def test_without_a_token_nothing_changes(graph: FalkorDBBackend, tmp_path: Path) -> None:
    with _client(graph, tmp_path) as client:
        for path in PAGES:
            page = client.get(path, follow_redirects=False)
            assert page.status_code == 200, path
            assert 'data-action="logout"' not in page.text
        assert client.post("/api/shortlists", json={"name": "x"}, headers=SAME).status_code == 201
        login = client.get("/login", params={"next": "/console"}, follow_redirects=False)
        assert login.status_code == 303 and login.headers["location"] == "/console"
        posted = client.post("/login", data={"token": "x"}, follow_redirects=False)
        assert posted.status_code == 303 and "set-cookie" not in posted.headers
        client.cookies.set(SESSION_COOKIE, issue_session(SecretStr(TOKEN)))
        assert 'data-action="logout"' not in client.get("/influencers").text


def test_page_scripts_send_the_change_header() -> None:
    common = (static_dir() / "common.js").read_text(encoding="utf-8")
    assert 'REQUESTED_WITH = "Resonance"' in common
    assert '"X-Requested-With": REQUESTED_WITH' in common
    for name in ("console.js", "influencers.js", "network.js", "shortlists.js", "overview.js"):
        script = (static_dir() / name).read_text(encoding="utf-8")
        assert "headers: {" not in script, f"{name} builds its own headers: use R.headers()"


def test_wrong_logins_get_429_with_retry_after_per_client_address(local: TestClient) -> None:
    """Were plain 401s, 1,000 of them in 30 s: the login form was a token-guessing oracle."""
    for _ in range(MAX_FAILURES):
        assert local.post("/login", data={"token": "guess"}).status_code == 401
    limited = local.post("/login", data={"token": "guess"})
    assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 60
    assert local.post("/login", data={"token": TOKEN}).status_code == 429  # no oracle
    assert "set-cookie" not in limited.headers
    assert local.get("/login").status_code == 200  # the form itself is still shown
    other = TestClient(
        local.app, base_url="http://127.0.0.1", client=("192.0.2.8", 40000), follow_redirects=False
    )
    _log_in(other)


def test_logout_revokes_a_copied_cookie_for_every_worker(
    graph: FalkorDBBackend, tmp_path: Path
) -> None:
    """Two apps on one data directory stand for two workers of ``resonance serve``: the
    cookie copied before a logout on one is refused by both afterwards."""
    env = {"RESONANCE_API_TOKEN": TOKEN}
    with _client(graph, tmp_path, **env) as first, _client(graph, tmp_path, **env) as second:
        _log_in(first)
        copied = first.cookies[SESSION_COOKIE]
        second.cookies.set(SESSION_COOKIE, copied)
        assert second.get("/console").status_code == 200
        assert second.get("/api/shortlists").status_code == 200

        assert first.post("/logout", headers=HERE).status_code == 303
        assert second.get("/console").status_code == 303  # to /login
        assert second.get("/api/shortlists").status_code == 401
        first.cookies.set(SESSION_COOKIE, copied)
        assert first.get("/console").status_code == 303
        # A new login is a new session, which the old logout does not touch.
        second.cookies.clear()
        _log_in(second)
        assert second.cookies[SESSION_COOKIE] != copied
        assert second.get("/console").status_code == 200
