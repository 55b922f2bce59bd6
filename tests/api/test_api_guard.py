"""The request guard (api/guard.py) in process: the Host check (DNS rebinding), changes only
from the explorer's pages, the 1 MiB body cap, JSON's non-standard constants and the excerpts
a 422 echoes. The same against a real uvicorn server, with its memory watched, is in
tests/end_to_end/test_api_guard_server.py; from another origin in chromium,
tests/end_to_end/test_browser_cross_origin.py.
"""

from __future__ import annotations

import doctest
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient

from api import errors, guard, serving, throttle
from api.body_limit import MAX_BODY_BYTES
from api.errors import MAX_ECHO
from api.main import create_app
from api.routes import pages
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from tests.support.api_client import api_client

JSON = {"content-type": "application/json"}
CSV = b"id,handle\nu9,nine\n"


@pytest.fixture
def graph(falkordb: FalkorDBBackend) -> FalkorDBBackend:
    falkordb.write("CREATE (:User {id: 'u1', handle: 'one'})")
    return falkordb


@pytest.fixture
def client(graph: FalkorDBBackend, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(_env_file=None, RESONANCE_DATA_DIR=tmp_path)
    with api_client(create_app(settings, backend=graph)) as test_client:
        yield test_client


def _bare(client: TestClient, base_url: str = "http://127.0.0.1") -> TestClient:
    """A client of the same app that sends no X-Requested-With (another site's request)."""
    return TestClient(client.app, base_url=base_url)


def _shortlists(client: TestClient) -> int:
    total: int = client.get("/api/shortlists").json()["total"]
    return total


def _jobs(client: TestClient) -> int:
    total: int = client.get("/api/jobs").json()["total"]
    return total


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "[::2]"]
)
def test_a_host_that_is_not_this_server_is_refused_on_a_read(client: TestClient, host: str) -> None:
    """Was served: a DNS-rebinding page (evil.example pointed at 127.0.0.1) read the API."""
    for path in ("/api/influencers", "/api/shortlists", "/", "/health"):
        refused = client.get(path, headers={"Host": host})
        assert refused.status_code == 400, (host, path)
        assert "RESONANCE_ALLOWED_HOSTS" in refused.json()["detail"]


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "127.0.0.1:8000",
        "localhost",
        "LOCALHOST:1",
        "[::1]",
        "[::1]:8000",
        "localhost.",
    ],
)
def test_the_loopback_names_are_served_with_or_without_a_port(
    client: TestClient, host: str
) -> None:
    assert client.get("/api/influencers", headers={"Host": host}).status_code == 200


def test_configured_names_and_the_bound_address_are_served(
    graph: FalkorDBBackend, tmp_path: Path
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        RESONANCE_DATA_DIR=tmp_path,
        RESONANCE_HOST="192.0.2.10",
        RESONANCE_API_TOKEN="a-token-of-sixteen-or-more",
        RESONANCE_ALLOWED_HOSTS=" explorer.example , Other.Example.:443,",
    )
    bearer = {"Authorization": "Bearer a-token-of-sixteen-or-more"}
    with api_client(create_app(settings, backend=graph), headers=bearer) as client:
        for host in ("192.0.2.10:8000", "explorer.example", "other.example", "localhost"):
            assert client.get("/api/shortlists", headers={"Host": host}).status_code == 200, host
        assert client.get("/api/shortlists", headers={"Host": "evil.example"}).status_code == 400


def test_a_change_without_the_pages_header_is_refused_and_nothing_is_done(
    client: TestClient,
) -> None:
    """Was done: without a token, another site's ``fetch(..., {mode: "no-cors"})`` of the
    upload and the analysis (CORS simple requests) loaded data and ran an analysis."""
    shortlist = client.post("/api/shortlists", json={"name": "mine"}).json()["id"]
    bare = _bare(client)
    files = [("files", ("users.csv", CSV, "text/csv"))]
    refused = [
        bare.post("/api/jobs/load", files=files),
        bare.post("/api/jobs/analyze", content=b"{}", headers={"content-type": "text/plain"}),
        bare.post("/api/jobs/analyze", json={}),
        bare.post("/api/shortlists", json={"name": "theirs"}),
        bare.put(f"/api/shortlists/{shortlist}/members/u1", json={}),
        bare.delete(f"/api/shortlists/{shortlist}"),
        bare.post("/api/console", json={"query": "RETURN 1"}),
        bare.post("/logout"),
        bare.patch("/api/shortlists/x"),
    ]
    for response in refused:
        assert response.status_code == 403, (response.request.url, response.text)
        assert "X-Requested-With" in response.json()["detail"]
    assert _jobs(client) == 0 and _shortlists(client) == 1
    assert client.get(f"/api/shortlists/{shortlist}").json()["members"] == 0
    assert client.get("/api/users/u9").status_code == 404


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://127.0.0.1:9999"},
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
    ids=["other-port", "other-host", "null", "cross-site", "same-site"],
)
def test_a_change_from_another_origin_is_refused_even_with_the_header(
    client: TestClient, headers: dict[str, str]
) -> None:
    for response in (
        client.post("/api/shortlists", json={"name": "x"}, headers=headers),
        client.post("/api/jobs/analyze", json={}, headers=headers),
        client.post("/login", data={"token": "x"}, headers=headers),
    ):
        assert response.status_code == 403, response.request.url
    assert _shortlists(client) == 0 and _jobs(client) == 0


def test_the_pages_own_changes_pass(client: TestClient) -> None:
    same = {"Origin": "http://127.0.0.1", "Sec-Fetch-Site": "same-origin"}
    assert client.post("/api/shortlists", json={"name": "x"}, headers=same).status_code == 201
    # The login form is a plain HTML form: no custom header, a same-host Origin
    form = _bare(client).post("/login", data={"token": "x"}, headers={"Origin": same["Origin"]})
    assert form.status_code in (200, 303)


def test_a_declared_body_over_1_mib_is_413(client: TestClient) -> None:
    """Was parsed whatever its size: a 60 MB body of ``[],`` took the server to 1.78 GB.
    (That it is refused before it is read is measured on a real server, in
    tests/end_to_end/test_api_guard_server.py: the test client reads every body first.)"""
    declared = {**JSON, "content-length": str(MAX_BODY_BYTES + 1)}
    body = b"[]," * (MAX_BODY_BYTES // 3 + 1)
    refused = client.post("/api/shortlists", content=body[: MAX_BODY_BYTES + 1], headers=declared)
    assert refused.status_code == 413
    assert f"{MAX_BODY_BYTES:,} bytes" in refused.json()["detail"]
    assert _shortlists(client) == 0


def test_a_chunked_body_over_1_mib_is_413_once_counted(client: TestClient) -> None:
    def body() -> Iterator[bytes]:  # no Content-Length: Transfer-Encoding chunked
        for _ in range(5):
            yield b" " * (1 << 18)

    refused = client.post("/api/shortlists", content=body(), headers=JSON)
    assert refused.status_code == 413
    assert _shortlists(client) == 0


def test_a_body_just_under_1_mib_is_read(client: TestClient) -> None:
    padded = b'{"name": "padded"}' + b" " * (MAX_BODY_BYTES - 100)
    assert client.post("/api/shortlists", content=padded, headers=JSON).status_code == 201


def test_the_streamed_upload_is_exempt_from_the_1_mib_cap(client: TestClient) -> None:
    rows = b"".join(b"u%07d,handle%07d\n" % (i, i) for i in range(100_000))  # 2.3 MB
    assert len(rows) > 2 * MAX_BODY_BYTES
    files = [("files", ("users.csv", b"id,handle\n" + rows, "text/csv"))]
    job = client.post("/api/jobs/load", files=files)
    assert job.status_code == 202, job.text
    deadline = time.monotonic() + 120
    while (state := client.get(f"/api/jobs/{job.json()['id']}").json()["state"]) not in (
        "done",
        "failed",
    ):
        assert time.monotonic() < deadline, state
        time.sleep(0.1)
    assert state == "done"
    assert client.get("/api/users/u0099999").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/shortlists", b'{"name": NaN}'),
        ("POST", "/api/shortlists", b'{"name": -Infinity}'),
        ("POST", "/api/shortlists", b"NaN"),
        ("POST", "/api/lookalikes", b'{"user_ids": ["u1"], "count": NaN}'),
        ("POST", "/api/lookalikes", b'{"user_ids": ["u1"], "audience": Infinity}'),
        ("POST", "/api/console", b'{"query": "RETURN $x", "params": {"x": NaN}}'),
        ("POST", "/api/jobs/analyze", b'{"since": NaN}'),
        ("PUT", "/api/shortlists/x/members/u1", b'{"note": Infinity}'),
    ],
)
def test_nan_and_infinity_in_a_json_body_are_422_not_500(
    client: TestClient, method: str, path: str, body: bytes
) -> None:
    """Were 500s (FastAPI echoed the NaN in its 422, which JSON cannot carry), or taken:
    ``"count": NaN`` got a 200."""
    response = client.request(method, path, content=body, headers=JSON)
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["type"] == "json_invalid" and "not standard JSON" in error["msg"]
    assert _jobs(client) == 0 and _shortlists(client) == 0


def test_nan_inside_a_string_is_just_text(client: TestClient) -> None:
    created = client.post("/api/shortlists", content=b'{"name": "NaN Infinity"}', headers=JSON)
    assert created.status_code == 201 and created.json()["name"] == "NaN Infinity"


def test_a_422_echoes_only_an_excerpt_of_the_input(client: TestClient) -> None:
    """Echoed the whole input: a megabyte sent back, or a secret pasted in the wrong field."""
    secret = "s3cret-" + "x" * 5000
    long_name = client.post("/api/shortlists", json={"name": secret})
    assert long_name.status_code == 422
    [error] = long_name.json()["detail"]
    assert error["input"] == secret[:MAX_ECHO] + "…"
    missing = client.post("/api/shortlists", json={"nam": secret})  # the whole body was echoed
    assert missing.status_code == 422
    assert len(missing.text) < 600 and secret not in missing.text
    short = client.post("/api/shortlists", json={"name": 5})
    assert short.json()["detail"][0]["input"] == 5


@pytest.mark.parametrize(
    "module", [guard, throttle, errors, serving, pages], ids=lambda m: m.__name__
)
def test_the_docstring_examples_hold(module: ModuleType) -> None:
    """api/ is not among pytest's doctest paths: its examples are run here."""
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
