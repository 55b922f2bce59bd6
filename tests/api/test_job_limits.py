"""Load jobs against hostile uploads (issue 10, finding 9 and part of 11): gzip bombs, the
rejects cap, the decompressed-bytes cap, progress in decompressed bytes, cancel, names."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.store import Store
from loaders.detect import open_reader
from loaders.guard import LoadGuard
from loaders.pipeline import load
from loaders.records import Reader
from loaders.report import MAX_REJECT_LINES
from tests.support.api_client import api_client
from tests.support.scenario import generate_scenario

ENDED = ("done", "failed", "cancelled", "interrupted")

MakeClient = Callable[..., TestClient]


@pytest.fixture
def make_client(falkordb: FalkorDBBackend, tmp_path: Path) -> Iterator[MakeClient]:
    """``make_client(**settings)``: the app on this test's graph and data directory."""
    opened: list[TestClient] = []

    def make(**settings: Any) -> TestClient:
        config = Settings(RESONANCE_DATA_DIR=tmp_path / "data", **settings)
        client = api_client(create_app(config, backend=falkordb))
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def _upload(client: TestClient, name: str, body: bytes, fmt: str = "edgelist") -> dict[str, Any]:
    started = client.post("/api/jobs/load", files=[("files", (name, body))], data={"format": fmt})
    assert started.status_code == 202, started.json()
    return dict(started.json())


def _ended(client: TestClient, job_id: str, timeout_s: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while (body := client.get(f"/api/jobs/{job_id}").json())["state"] not in ENDED:
        assert time.monotonic() < deadline, body
        time.sleep(0.05)
    return dict(body)


def _data_dir(client: TestClient) -> Path:
    path: Path = client.app.state.settings.data_dir  # type: ignore[attr-defined]
    return path


def test_a_gzip_of_bad_lines_lists_the_first_10000_rejects_and_counts_them_all(
    make_client: MakeClient,
) -> None:
    bad = 30_000
    lines = ("a b 1\n" + "".join(f"a{i} b{i} x\n" for i in range(bad))).encode()
    client = make_client()
    done = _ended(client, _upload(client, "bad.txt.gz", gzip.compress(lines))["id"])
    assert done["state"] == "done", done
    assert done["result"]["rejected"] == {"edgelist.weight": bad}  # the report counts all
    listed = (_data_dir(client) / done["result"]["rejects_path"]).read_text().splitlines()
    assert len(listed) == MAX_REJECT_LINES + 1
    assert listed[0].startswith("bad.txt.gz:2: weight: ")
    assert listed[-1].startswith(f"... and {bad - MAX_REJECT_LINES:,} more rejected rows")


def test_an_upload_unpacking_past_the_cap_fails_naming_the_file_and_keeps_rows_before(
    make_client: MakeClient, falkordb: FalkorDBBackend
) -> None:
    lines = "".join(f"u{i} u{i + 1}\n" for i in range(200_000)).encode()  # ~2.6 MB unpacked
    cap = 150_000
    client = make_client(RESONANCE_MAX_UNPACKED_BYTES=cap, RESONANCE_BATCH_SIZE=1_000)
    failed = _ended(client, _upload(client, "edges.txt.gz", gzip.compress(lines))["id"])
    assert failed["state"] == "failed", failed
    error = failed["error"]
    assert error.startswith("edges.txt.gz:") and "RESONANCE_MAX_UNPACKED_BYTES" in error
    assert f"{cap:,} bytes" in error
    assert str(_data_dir(client)) not in json.dumps(failed)  # no server path anywhere
    loaded = Store(falkordb).stats().amplifications
    assert 1_000 <= loaded < 200_000  # what was read before the cap stays loaded


def test_a_gzip_of_duplicate_lines_stops_at_the_unpacked_cap_in_seconds(
    make_client: MakeClient,
) -> None:
    bomb = gzip.compress(b"a b\n" * (25 << 20))  # 100 MiB of one line, ~100 KiB packed
    client = make_client(RESONANCE_MAX_UNPACKED_BYTES=4 << 20)
    started = time.monotonic()
    failed = _ended(client, _upload(client, "dup.txt.gz", bomb)["id"], timeout_s=30)
    assert failed["state"] == "failed" and "RESONANCE_MAX_UNPACKED_BYTES" in failed["error"]
    assert time.monotonic() - started < 15


def test_a_gzip_of_duplicate_lines_is_cancelled_within_two_seconds(
    make_client: MakeClient, falkordb: FalkorDBBackend
) -> None:
    bomb = gzip.compress(b"a b\n" * (100 << 20))  # 400 MiB of one line: minutes to read
    client = make_client()
    job = _upload(client, "dup.txt.gz", bomb)
    deadline = time.monotonic() + 30
    while (seen := client.get(f"/api/jobs/{job['id']}").json())["progress"] == 0:
        assert time.monotonic() < deadline, seen
        time.sleep(0.05)
    assert seen["state"] == "running" and 0 < seen["progress"] < 0.5  # not 100% at once
    assert "unpacked" in seen["message"] and "dup.txt.gz" in seen["message"]
    asked = time.monotonic()
    cancelling = client.delete(f"/api/jobs/{job['id']}")
    assert cancelling.status_code == 202, cancelling.json()
    ended = _ended(client, job["id"], timeout_s=10)
    assert time.monotonic() - asked < 2
    assert ended["state"] == "cancelled" and "kept" in ended["message"]
    assert client.delete(f"/api/jobs/{job['id']}").status_code == 409  # it has ended
    assert not any((_data_dir(client) / "uploads").iterdir())  # the upload is removed
    # the next job may start at once
    assert client.post("/api/jobs/analyze", json={}).status_code == 202


def test_cancel_of_an_unknown_job_is_404_and_of_an_ended_one_409(make_client: MakeClient) -> None:
    client = make_client()
    assert client.delete(f"/api/jobs/{'0' * 32}").status_code == 404
    done = _ended(client, _upload(client, "e.txt", b"a b\n")["id"])
    assert done["state"] == "done"
    refused = client.delete(f"/api/jobs/{done['id']}")
    assert refused.status_code == 409 and "already ended" in refused.json()["detail"]


def test_a_cancelled_analysis_stops_at_its_next_step_and_leaves_the_previous_run(
    make_client: MakeClient, falkordb: FalkorDBBackend, tmp_path: Path
) -> None:
    folder = tmp_path / "scenario"
    generate_scenario(folder)
    client = make_client()
    files = [("files", (n, (folder / n).read_bytes())) for n in ("users.csv", "amplifications.csv")]
    files.insert(1, ("files", ("posts.csv", (folder / "posts.csv").read_bytes())))
    loaded = client.post("/api/jobs/load", files=files)
    assert _ended(client, loaded.json()["id"])["state"] == "done"
    first = _ended(client, client.post("/api/jobs/analyze", json={}).json()["id"])
    assert first["state"] == "done"
    before = client.get("/api/analysis").json()
    runner = client.app.state.jobs  # type: ignore[attr-defined]
    job = client.post("/api/jobs/analyze", json={"since": "2026-10-01"}).json()
    runner.get(job["id"]).cancel_requested.set()  # as DELETE does, before its first step
    ended = _ended(client, job["id"])
    assert ended["state"] == "cancelled", ended
    assert client.get("/api/analysis").json() == before


def test_load_progress_counts_decompressed_bytes_and_ends_at_the_gzip_size(
    falkordb: FalkorDBBackend, tmp_path: Path
) -> None:
    """Progress used to count compressed bytes read from disk: a .gz read in one 1 MiB buffer
    showed 100% at the first report."""
    raw = "".join(f"u{i} u{i + 1}\n" for i in range(100_000)).encode()  # 1.6 MB, 0.4 packed
    path = tmp_path / "edges.txt.gz"
    path.write_bytes(gzip.compress(raw))
    seen: list[tuple[int, int]] = []

    def progress(reader: Reader, rows: int, done: int, total: int) -> None:
        seen.append((done, total))

    reader = open_reader(path, "edgelist")
    assert reader.unpacked_size() == len(raw)  # from the gzip trailer, before reading
    load(Store(falkordb), [reader], progress=progress, guard=LoadGuard(), bulk=False)
    assert len(seen) >= 5
    assert all(done < total for done, total in seen[:-1])  # never 100% before the end
    assert seen[0][0] < len(raw) // 4
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert seen[-1] == (len(raw), len(raw))


def test_contract_notices_and_errors_name_files_as_uploaded(make_client: MakeClient) -> None:
    client = make_client(RESONANCE_MAX_UNPACKED_BYTES=100_000)
    users = b"id,handle,shoe_size\nu1,one,42\n"
    done = _ended(
        client, client.post("/api/jobs/load", files=[("files", ("users.csv", users))]).json()["id"]
    )
    assert done["state"] == "done", done
    assert done["result"]["notices"] == [
        "users.csv: column 'shoe_size' is not in the contract; ignored"
    ]

    many = b"id,handle\n" + b"".join(b"u%d,h%d\n" % (i, i) for i in range(50_000))
    files = [("files", ("users.csv.gz", gzip.compress(many)))]
    failed = _ended(client, client.post("/api/jobs/load", files=files).json()["id"])
    assert failed["state"] == "failed" and failed["error"].startswith("users.csv.gz:"), failed
    assert str(_data_dir(client)) not in json.dumps([done, failed])
