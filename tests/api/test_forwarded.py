"""X-Forwarded-Host/-Proto/-For honoured from RESONANCE_TRUSTED_PROXIES only (api/forwarded.py)."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api import forwarded
from api.auth import SESSION_COOKIE
from api.main import create_app
from api.throttle import MAX_FAILURES
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings

TOKEN = "forwarded-tests-token-0123"
PROXY = ("10.0.0.2", 40000)
STRANGER = ("192.0.2.9", 40000)
PUBLIC = "resonance.example"


def client(
    backend: FalkorDBBackend, tmp_path: Path, peer: tuple[str, int], **env: str
) -> TestClient:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        RESONANCE_DATA_DIR=tmp_path,
        RESONANCE_API_TOKEN=TOKEN,
        RESONANCE_ALLOWED_HOSTS=PUBLIC,
        **env,
    )
    app = create_app(settings, backend=backend)
    return TestClient(app, base_url="http://upstream:8000", follow_redirects=False, client=peer)


def via_proxy(host: str = PUBLIC, proto: str = "https", origin: bool = False) -> dict[str, str]:
    headers = {"X-Forwarded-Host": host, "X-Forwarded-Proto": proto}
    if origin:
        headers["Origin"] = f"{proto}://{host}"
    return headers


def test_a_trusted_proxy_names_the_host_the_scheme_and_the_client(
    falkordb: FalkorDBBackend, tmp_path: Path
) -> None:
    env = {"RESONANCE_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"}
    with client(falkordb, tmp_path, PROXY, **env) as proxied:
        # The Host check reads the forwarded host: the upstream name alone would be refused.
        assert proxied.get("/health").status_code == 400
        assert proxied.get("/health", headers=via_proxy()).status_code == 200
        assert proxied.get("/login", headers=via_proxy()).status_code == 200
        assert proxied.get("/login", headers=via_proxy("evil.example")).status_code == 400
        # The login's origin check and its cookie follow the browser's https host.
        login = proxied.post(
            "/login", data={"token": TOKEN, "next": "/"}, headers=via_proxy(origin=True)
        )
        assert login.status_code == 303, login.text
        cookie = login.headers["set-cookie"].lower()
        assert cookie.startswith(SESSION_COOKIE) and "secure" in cookie


def test_the_login_limits_count_the_forwarded_client_not_the_proxy(
    falkordb: FalkorDBBackend, tmp_path: Path
) -> None:
    env = {"RESONANCE_TRUSTED_PROXIES": "10.0.0.0/8"}
    with client(falkordb, tmp_path, PROXY, **env) as proxied:
        guesser = {**via_proxy(), "X-Forwarded-For": "203.0.113.7, 10.0.0.9"}
        other = {**via_proxy(), "X-Forwarded-For": "198.51.100.4"}
        for _ in range(MAX_FAILURES):
            bearer = {**guesser, "Authorization": "Bearer wrong"}
            assert proxied.get("/api/shortlists", headers=bearer).status_code == 401
        assert (
            proxied.get(
                "/api/shortlists", headers={**guesser, "Authorization": "Bearer x"}
            ).status_code
            == 429
        )
        right = {**other, "Authorization": f"Bearer {TOKEN}"}
        assert proxied.get("/api/shortlists", headers=right).status_code == 200


def test_forwarded_headers_from_anyone_else_change_nothing(
    falkordb: FalkorDBBackend, tmp_path: Path
) -> None:
    for env in ({}, {"RESONANCE_TRUSTED_PROXIES": "10.0.0.0/8"}):
        with client(falkordb, tmp_path, STRANGER, **env) as direct:
            # The Host is "upstream": forwarding a known host does not make it acceptable...
            assert direct.get("/login", headers=via_proxy()).status_code == 400
            # ... and from the bound name, a forwarded evil host is ignored.
            here = {**via_proxy("evil.example"), "Host": PUBLIC}
            assert direct.get("/login", headers=here).status_code == 200
            # Nor can a client take another address to escape the login limits.
            for number in range(MAX_FAILURES):
                spoof = {"Host": PUBLIC, "X-Forwarded-For": f"198.51.100.{number}"}
                direct.get("/api/shortlists", headers={**spoof, "Authorization": "Bearer no"})
            again = {"Host": PUBLIC, "X-Forwarded-For": "198.51.100.200"}
            refused = direct.get("/api/shortlists", headers={**again, "Authorization": "Bearer no"})
            assert refused.status_code == 429


def test_trusted_proxies_must_be_addresses_or_networks() -> None:
    with pytest.raises(ValidationError, match="not an IP address or network"):
        Settings(_env_file=None, RESONANCE_TRUSTED_PROXIES="proxy.local")  # type: ignore[call-arg]
    networks = Settings(
        RESONANCE_TRUSTED_PROXIES="127.0.0.1,10.0.0.0/8, ::1"
    ).trusted_proxy_networks
    assert [str(network) for network in networks] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]


def test_doctests() -> None:
    assert doctest.testmod(forwarded).failed == 0
