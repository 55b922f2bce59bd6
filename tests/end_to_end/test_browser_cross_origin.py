"""Another website in a real browser (Playwright driving Debian's chromium) against the real
app without a token (the default): it cannot load data, run an analysis or read anything.

Two attackers: a page on another local origin (``http.server`` on another 127.0.0.1 port)
that sends the upload and the analysis as CORS simple requests (``mode: "no-cors"``, which the
probe of issue 10 used to load data); and a DNS-rebinding page, served as
``http://evil.example:<the app's port>`` with chromium resolving ``evil.example`` to 127.0.0.1
(``--host-resolver-rules``), whose requests are same-origin to the browser and reach the app
with ``Host: evil.example``.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from api.main import create_app
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.server import ServerInfo
from tests.support.chromium import chromium, serving

with contextlib.suppress(ImportError):  # without playwright chromium() skips (fails under CI)
    from playwright.sync_api import Browser, Page, Route

EVIL = "evil.example"
NETWORK_ACCESS_CHECKS = (
    "BlockInsecurePrivateNetworkRequests",
    "PrivateNetworkAccessSendPreflights",
    "PrivateNetworkAccessRespectPreflightResults",
    "LocalNetworkAccessChecks",
)

ATTACK = """<!doctype html><meta charset="utf-8"><title>attacker</title>
<script>
window.attack = async function (target) {
  const sent = {};
  async function send(name, path, body, headers) {
    try {
      await fetch(target + path, {method: "POST", mode: "no-cors", body: body,
                                  headers: headers || {}, credentials: "include"});
      sent[name] = "sent";
    } catch (error) {
      sent[name] = String(error);
    }
  }
  const upload = new FormData();
  upload.append("files", new Blob(["id,handle\\nintruder,intruder\\n"], {type: "text/csv"}),
                "users.csv");
  await send("load", "/api/jobs/load", upload);
  await send("analyze-form", "/api/jobs/analyze", new FormData());
  await send("analyze-text", "/api/jobs/analyze", "{}", {"Content-Type": "text/plain"});
  await send("shortlist", "/api/shortlists", '{"name": "theirs"}',
             {"Content-Type": "text/plain"});
  return sent;
};
</script>"""

REBOUND = """<!doctype html><meta charset="utf-8"><title>rebound</title>
<script>
window.rebound = async function () {
  const read = await fetch("/api/influencers");
  const change = await fetch("/api/shortlists", {method: "POST", body: '{"name": "theirs"}',
    headers: {"Content-Type": "application/json", "X-Requested-With": "Resonance"}});
  return {read: read.status, readBody: await read.text(), change: change.status};
};
</script>"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium(
        f"--host-resolver-rules=MAP {EVIL} 127.0.0.1",
        # A browser without Private/Local Network Access (Firefox, Safari, older chromium):
        # the server must refuse the rebound page by itself.
        f"--disable-features={','.join(NETWORK_ACCESS_CHECKS)}",
    ) as launched:
        yield launched


@pytest.fixture(scope="module")
def backend(server: ServerInfo) -> Iterator[FalkorDBBackend]:
    connected = FalkorDBBackend.connect(
        server.host,
        server.port,
        server.password,
        f"t_{uuid.uuid4().hex[:12]}",
        query_timeout_ms=60_000,
    )
    connected.write("CREATE (:User {id: 'u1', handle: 'one'})")
    yield connected
    connected.clear()
    connected.close()


@pytest.fixture(scope="module")
def app_url(
    browser: Browser, backend: FalkorDBBackend, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The app, no token set, on a free 127.0.0.1 port in a thread."""
    settings = Settings(_env_file=None, RESONANCE_DATA_DIR=tmp_path_factory.mktemp("data"))
    with serving(create_app(settings, backend=backend)) as url:
        yield url


class _AttackPage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = ATTACK.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def attacker_url() -> Iterator[str]:
    """Another origin on this machine: the same address, another port."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _AttackPage)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def _api(app_url: str, path: str) -> Any:
    with urllib.request.urlopen(app_url + path, timeout=30) as response:
        return json.loads(response.read())


def _nothing_done(app_url: str) -> None:
    assert _api(app_url, "/api/jobs")["total"] == 0
    assert _api(app_url, "/api/shortlists")["total"] == 0
    try:
        _api(app_url, "/api/users/intruder")
    except urllib.error.HTTPError as missing:
        assert missing.code == 404
    else:
        raise AssertionError("the intruder was loaded")


def test_another_origin_can_neither_upload_nor_analyze(
    page: Page, app_url: str, attacker_url: str
) -> None:
    """Was done: a page on another origin loaded data with ``fetch(..., {mode: "no-cors"})``."""
    page.goto(attacker_url + "/attack.html")
    sent = page.evaluate("target => window.attack(target)", app_url)
    assert sent == dict.fromkeys(("load", "analyze-form", "analyze-text", "shortlist"), "sent")
    time.sleep(0.5)  # a job, had one started, would be listed by now
    _nothing_done(app_url)


def test_a_dns_rebinding_page_reads_and_changes_nothing(
    page: Page, app_url: str, attacker_url: str
) -> None:
    """Was served: ``Host: evil.example`` got the API, so a page whose name was rebound to
    127.0.0.1 could read everything, same-origin as far as the browser could tell."""
    port = app_url.rsplit(":", 1)[1]
    rebound = f"http://{EVIL}:{port}"

    def serve_rebound(route: Route) -> None:  # the attacker's page, before the rebinding
        route.fulfill(status=200, content_type="text/html", body=REBOUND)

    page.route(f"{rebound}/rebound.html", serve_rebound)
    page.goto(f"{rebound}/rebound.html")
    result = page.evaluate("window.rebound()")
    assert result["read"] == 400 and "RESONANCE_ALLOWED_HOSTS" in result["readBody"]
    assert result["change"] == 400
    direct = page.goto(f"{rebound}/api/influencers")
    assert direct is not None and direct.status == 400
    _nothing_done(app_url)


def test_the_explorer_itself_still_works_here(page: Page, app_url: str) -> None:
    """The guard lets the explorer's own pages through: a shortlist created from the page."""
    page.goto(app_url + "/shortlists")
    created = page.evaluate(
        "() => Resonance.send('POST', '/api/shortlists', {name: 'ours'}).then(s => s.name)"
    )
    assert created == "ours"
    listed = _api(app_url, "/api/shortlists")
    assert [item["name"] for item in listed["items"]] == ["ours"]
    page.evaluate(f"() => Resonance.send('DELETE', '/api/shortlists/{listed['items'][0]['id']}')")
