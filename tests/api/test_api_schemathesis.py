"""Every operation of the OpenAPI document, fuzzed by schemathesis against a real graph.

A small demo is loaded and analysed, then each operation gets property-based requests (the
schema's examples, its boundary values, then random valid and invalid ones); every response
must not be a server error and must match what the document says: a documented status code,
the documented content type and headers, a body that fits the documented schema, valid input
accepted and invalid input refused, an ``Allow`` header that lists the path's methods. The job
endpoints run too; the jobs they start are waited for before the graph is dropped.

The document is read from the app at import time (its operations become the test items) and
the requests go, in process, to an app on the real graph. ``schemathesis.pytest.from_fixture``
would load it from a fixture instead, but it sets ``Node._nodeid``, which pytest 9.2 no longer
has.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from pydantic import SecretStr
from schemathesis import Case, CheckFunction
from schemathesis.config import SchemathesisConfig
from schemathesis.config._checks import NegativeDataRejectionConfig
from schemathesis.python.asgi import shutdown_lifespans
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.auth import TOKEN_REQUIRED
from api.jobs import JobRunner
from api.main import create_app
from api.routes import jobs, shortlists
from api.routes.jobs import MAX_FILES
from graph.analysis.run import analyze
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.server import ServerInfo
from graph.store import Store
from loaders.demo import generate_demo
from tests.support.api_client import api_client
from tests.support.ingest import load_csv_dir

JOB_WAIT_S = 60
STARTED: list[str] = []  # ids of the jobs the run started
TOKEN = "schemathesis-token"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
#: What the explorer's pages send with every change (api/guard.py refuses changes without it).
PAGES = {"X-Requested-With": "Resonance"}

#: Checks left out for one operation, and why: input the document calls valid that the route
#: refuses for what it means, which no schema can say.
NOT_CHECKED: dict[str, tuple[tuple[CheckFunction, ...], str]] = {
    **{
        operation: (
            (positive_data_acceptance,),
            "any text is a schema-valid query, yet invalid or writing Cypher is refused (422)",
        )
        for operation in ("POST /api/console", "POST /api/console.csv", "POST /api/queries")
    },
    "POST /api/jobs/analyze": (
        (positive_data_acceptance,),
        "a profile that is neither built in nor saved, a 'since' not before 'until', and a "
        "day the month does not have (2026-02-31) are refused (422)",
    ),
    "POST /api/profiles": (
        (positive_data_acceptance,),
        "a base profile that does not exist is refused (422): the saved profiles are files the "
        "schema cannot list",
    ),
    "POST /api/jobs/backtest": (
        (positive_data_acceptance,),
        "a profile that is neither built in nor saved, a split share of 0%, and a day the "
        "month does not have (2026-02-31) are refused (422)",
    ),
    **{
        operation: (
            (positive_data_acceptance,),
            "a 'since' or 'until' on a day the month does not have (2026-02-31) is refused (422)",
        )
        for operation in ("GET /api/influencers", "GET /api/influencers.csv", "GET /")
    },
    "POST /api/jobs/load": (
        (positive_data_acceptance,),
        "files whose names or contents no reader takes (two of one name, a hidden file, an "
        "image) are refused (422): a schema cannot say what is in a file",
    ),
}


def _excluded(case: Case) -> list[CheckFunction]:
    excluded, _why = NOT_CHECKED.get(case.operation.label, ((), ""))
    return list(excluded)


# The document only: this app never reaches a database (whatever the environment says).
DOCUMENT = create_app(Settings(_env_file=None, RESONANCE_HOST="127.0.0.1")).openapi()
# A body over RESONANCE_MAX_BODY_BYTES is refused with 413 before it is read (api/body_limit.py):
# as good a refusal of invalid input as a 422 (a query over its maxLength drew one).
REFUSALS = [*NegativeDataRejectionConfig._DEFAULT_EXPECTED_STATUSES, "413"]
schema = schemathesis.openapi.from_dict(
    DOCUMENT,
    config=SchemathesisConfig.from_dict(
        {"checks": {"negative_data_rejection": {"expected-statuses": REFUSALS}}}
    ),
)


@pytest.fixture(scope="module")
def app(server: ServerInfo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The app on a small analysed demo, with a console on a replica of the session server."""
    folder = tmp_path_factory.mktemp("schemathesis")
    name = f"t_{uuid.uuid4().hex[:12]}"
    backend = FalkorDBBackend.connect(
        server.host, server.port, server.password, name, query_timeout_ms=60_000
    )
    store = Store(backend, batch_size=500)
    store.ensure_schema()
    generate_demo(folder / "demo", users=150, days=7)
    load_csv_dir(store, folder / "demo", rejects_path=folder / "rejects.txt")
    analyze(store)
    settings = Settings(
        _env_file=None,
        RESONANCE_DATA_DIR=server.data_dir,
        RESONANCE_GRAPH=name,
        RESONANCE_HOST="127.0.0.1",
        RESONANCE_ALLOWED_HOSTS="testserver",  # the Host schemathesis sends in process
    )
    made = create_app(settings, backend=backend)
    yield made
    runner: JobRunner = made.state.jobs
    deadline = time.monotonic() + JOB_WAIT_S
    for job_id in STARTED:
        while (job := runner.get(job_id)) is not None and job.state in ("queued", "running"):
            assert time.monotonic() < deadline, f"job {job_id} still {job.state}"
            time.sleep(0.05)
    STARTED.clear()
    shutdown_lifespans()  # the app's lifespan, started by schemathesis's first request
    made.state.consoles.close()  # when only the plain tests below ran (no lifespan started)
    backend.clear()
    backend.close()


SETTINGS = settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _call(case: Case, app: FastAPI, headers: dict[str, str] | None = None) -> None:
    # The app's own answer is checked, not the page a redirect leads to.
    response = case.call_and_validate(
        app=app,
        headers={**PAGES, **(headers or {})},
        allow_redirects=False,
        excluded_checks=_excluded(case),
    )
    if case.path.startswith("/api/jobs/") and response.status_code == 202:
        STARTED.append(response.json()["id"])


@schema.parametrize()
@SETTINGS
def test_every_operation_conforms(case: Case, app: FastAPI) -> None:
    _call(case, app)


@pytest.fixture
def token_app(app: FastAPI) -> Iterator[FastAPI]:
    """The same app with RESONANCE_API_TOKEN set, for one test: the token is read from the
    settings at each request (a second app would start a second console and job runner)."""
    plain: Settings = app.state.settings
    app.state.settings = plain.model_copy(update={"api_token": SecretStr(TOKEN)})
    app.state.auth_failures.clear()  # the fuzzed logins' wrong tokens count from zero
    yield app
    app.state.settings = plain
    app.state.auth_failures.clear()


@schema.parametrize()
@settings(
    SETTINGS,
    max_examples=3,
    suppress_health_check=[*SETTINGS.suppress_health_check, HealthCheck.function_scoped_fixture],
)
def test_every_operation_conforms_with_a_token(case: Case, token_app: FastAPI) -> None:
    """With a token set and sent as Bearer: the guards let everything through, and the login
    answers a wrong token with the form again (401, documented)."""
    _call(case, token_app, BEARER)


# What the fuzzing found, kept as plain examples: it need not draw them again to keep them fixed.


@pytest.fixture(scope="module")
def client(app: FastAPI) -> TestClient:
    return api_client(app)


def _nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "params",
    [
        {"a": _nested(400)},
        {"a": {"": 1}},
        {"a": [{"x`y": 1}]},
        {"": 1},
        {"a": "x\x00y"},
        {"a": [{"k\x00": 1}]},
        {"a\x00": 1},
    ],
    ids=["deep", "empty-key", "backtick-key", "empty-name", "nul-text", "nul-key", "nul-name"],
)
def test_console_parameters_cypher_cannot_write_are_refused(
    client: TestClient, params: dict[str, object]
) -> None:
    """Were a 500: the parameter header recursed past the interpreter's limit, or the client
    refused an empty map key with a ValueError; a NUL was FalkorDB's parse error."""
    response = client.post("/api/console", json={"query": "RETURN 1", "params": params})
    assert response.status_code == 422
    assert "parameters:" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/jobs/backtest", {"k": True}),
        ("/api/jobs/backtest", {"horizon": True}),
        ("/api/jobs/analyze", {"profile": 1}),
        ("/api/lookalikes", {"user_ids": ["u1"], "limit": True}),
        ("/api/console", {"query": "RETURN 1", "params": 5}),
    ],
)
def test_a_value_of_another_json_type_is_invalid_input(
    client: TestClient, path: str, body: object
) -> None:
    """Was a 202: ``{"k": true}`` started a backtest of the top 1 (a JSON true read as 1)."""
    response = client.post(path, json=body)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/users/a%00b", None),
        ("GET", "/api/topics/a%00b/network", None),
        ("POST", "/api/lookalikes", {"user_ids": ["a\x00b"]}),
        ("GET", "/api/shortlists/a%00b", None),
        ("GET", "/api/shortlists/a%00b.csv", None),
        ("DELETE", "/api/shortlists/a%00b", None),
        ("PUT", "/api/shortlists/a%00b/members/u1", {}),
        ("DELETE", "/api/shortlists/a%00b/members/u1", None),
        ("GET", "/api/influencers?topic=a%00b", None),
        ("GET", "/api/influencers.csv?topic=a%00b", None),
        ("GET", "/?topic=a%00b", None),
    ],
)
def test_a_nul_in_an_id_is_invalid_input(
    client: TestClient, method: str, path: str, body: object
) -> None:
    """Was a 422 with FalkorDB's parse error: a NUL cuts the query short."""
    response = client.request(method, path, json=body)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/api/shortlists/x", "DELETE, GET"),
        ("/api/shortlists/x.csv", "GET"),
        ("/api/jobs/analyze", "POST"),
        ("/api/jobs/backtest", "POST"),
        ("/api/jobs/x", "DELETE, GET"),  # DELETE cancels the job
        ("/api/console", "POST"),
    ],
)
def test_method_not_allowed_lists_the_paths_methods(
    client: TestClient, path: str, allow: str
) -> None:
    """Was the methods of the first route on the path only (``GET`` for the shortlist)."""
    response = client.request("PATCH", path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/lookalikes"),
        ("POST", "/api/shortlists"),
        ("PUT", "/api/shortlists/x/members/u1"),
        ("POST", "/api/jobs/analyze"),
        ("POST", "/api/console"),
    ],
)
def test_a_body_that_is_not_json_is_a_documented_400(
    client: TestClient, method: str, path: str
) -> None:
    """Was undocumented for the shortlists and the analysis."""
    response = client.request(
        method, path, content=b"\xff0", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "400" in _documented(method, path)


def _documented(method: str, path: str) -> dict[str, Any]:
    """The responses the document lists for the operation that serves ``path``."""
    operation = schema.find_operation_by_path(method, path)
    assert operation is not None, (method, path)
    responses: dict[str, Any] = operation.definition.raw["responses"]
    return responses


def _ref(response: dict[str, Any]) -> str:
    return str(response["content"]["application/json"]["schema"]["$ref"]).rsplit("/", 1)[-1]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/api/shortlists/x/members/u1", {"tags": "not a list"}),
        ("POST", "/api/jobs/analyze", {"since": ""}),
        ("POST", "/api/jobs/analyze", {"until": "2026-10-01 12:00"}),
        ("POST", "/api/jobs/analyze", {"profile": "../jobs/x"}),
    ],
)
def test_validation_errors_fit_the_documented_422(
    client: TestClient, method: str, path: str, body: object
) -> None:
    """Were documented as ErrorOut (``detail`` a string) though FastAPI's 422 has a list; and
    an empty ``since`` was schema-valid (the document now says what a window bound is, and
    what a profile's name is: a path was read as a profile's)."""
    response = client.request(method, path, json=body)
    assert response.status_code == 422 and isinstance(response.json()["detail"], list)
    assert _ref(_documented(method, path)["422"]) == "InvalidOut"


def test_the_load_documents_how_many_files() -> None:
    """An empty ``files`` list was schema-valid, and refused."""
    body = schema["/api/jobs/load"]["POST"].definition.raw["requestBody"]
    files = body["content"]["multipart/form-data"]["schema"]["properties"]["files"]
    assert (files["minItems"], files["maxItems"]) == (1, MAX_FILES)
    assert _ref(_documented("POST", "/api/jobs/load")["422"]) == "InvalidOut"


@pytest.mark.parametrize(
    ("method", "path", "location"),
    [("GET", "/login?next=/console", "/console"), ("POST", "/login", "/"),
     ("POST", "/logout", "/login")],
)  # fmt: skip
def test_the_login_redirects_are_documented(
    client: TestClient, method: str, path: str, location: str
) -> None:
    """The 303s (no token is set here) were undocumented."""
    response = client.request(method, path, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == location
    assert "Location" in _documented(method, path.partition("?")[0])["303"]["headers"]


def test_login_and_logout_document_their_refusals() -> None:
    assert {"303", "401", "403"} <= set(_documented("POST", "/login"))
    assert {"303", "403"} <= set(_documented("POST", "/logout"))
    assert "200" not in _documented("POST", "/login")  # it never answers 200


def test_changes_document_the_guards_refusals() -> None:
    """Were undocumented: a change needs the token whenever one is set (401), must come from
    the explorer's pages (403), from a Host that names this server (400), with a body under
    the cap (413), and wrong tokens are limited (429)."""
    changes = [
        (method, route.path)
        for route in (*shortlists.router.routes, *jobs.router.routes)
        if isinstance(route, APIRoute) and TOKEN_REQUIRED in route.dependencies
        for method in sorted(route.methods or ())
    ]
    assert len(changes) >= 6
    for method, path in changes:
        documented = set(_documented(method, path))
        assert {"400", "401", "403", "413", "429"} <= documented, (method, path)


def test_every_guarded_operation_documents_401() -> None:
    """Reads need the token whenever one is set, whatever the bind address."""
    guarded = [
        (method, path)
        for path, operations in DOCUMENT["paths"].items()
        if path.startswith("/api/") and path != "/api/health"
        for method in operations
    ]
    missing = [(method, path) for method, path in guarded if "401" not in _documented(method, path)]
    assert not missing
