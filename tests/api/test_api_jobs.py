"""Background jobs through the API: upload the planted scenario, load it, analyse it."""

from __future__ import annotations

import asyncio
import csv
import gzip
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request
from starlette.types import Message

from api import jobs as jobs_module
from api.jobs import Job, JobBusy, JobRunner
from api.main import create_app
from api.uploads import UploadTooLarge, receive_files
from graph.backends.base import Backend
from graph.config import Settings
from graph.store import Store
from tests.support.api_client import api_client
from tests.support.scenario import generate_scenario

TABLES = ("users", "posts", "amplifications")
NEO4J_SUITE = "jobs suite"


def _settings(app_settings: Settings, data_dir: Path, **changes: object) -> Settings:
    """``app_settings`` (the backend's) with the jobs' records and uploads in ``data_dir``."""
    return app_settings.model_copy(update={"data_dir": data_dir, **changes})


@pytest.fixture
def client(backend: Backend, app_settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    settings = _settings(app_settings, tmp_path / "data")
    with api_client(create_app(settings, backend=backend)) as test_client:
        yield test_client


def _wait(client: TestClient, job: dict[str, Any], timeout_s: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    seen: list[float] = []
    while True:
        body = client.get(f"/api/jobs/{job['id']}").json()
        assert body["state"] in ("queued", "running", "done", "failed", "interrupted", "cancelled")
        assert 0 <= body["progress"] <= 1
        seen.append(body["progress"])
        if body["state"] in ("done", "failed"):
            assert seen == sorted(seen)
            return dict(body)
        assert time.monotonic() < deadline, body
        time.sleep(0.1)


def _rows(path: Path) -> int:
    with open(path, newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_upload_load_then_analyze(client: TestClient, backend: Backend, tmp_path: Path) -> None:
    folder = tmp_path / "scenario"
    generate_scenario(folder)
    # one of the three gzipped: .gz uploads are read directly
    with open(folder / "posts.csv", "rb") as src, gzip.open(folder / "posts.csv.gz", "wb") as gz:
        gz.write(src.read())
    names = ["users.csv", "posts.csv.gz", "amplifications.csv"]
    files = [("files", (name, (folder / name).read_bytes(), "text/csv")) for name in names]
    started = client.post("/api/jobs/load", files=files)
    assert started.status_code == 202, started.json()
    job = started.json()
    assert set(job) >= {"id", "kind", "state", "progress", "message"} and job["kind"] == "load"
    done = _wait(client, job)
    assert done["state"] == "done", done
    stats = Store(backend).stats()
    assert stats.users == _rows(folder / "users.csv")
    assert stats.posts == _rows(folder / "posts.csv")
    assert stats.amplifications == _rows(folder / "amplifications.csv")
    assert done["result"]["loaded"]["amplifications"] == stats.amplifications
    assert not any((client.app.state.settings.data_dir / "uploads").iterdir())  # type: ignore[attr-defined]

    assert client.get("/api/influencers").json()["total"] == 0
    analysed = client.post("/api/jobs/analyze", json={"profile": "default"})
    assert analysed.status_code == 202 and analysed.json()["kind"] == "analyze"
    result = _wait(client, analysed.json())
    assert result["state"] == "done", result
    assert result["result"]["users_scored"] > 0 and result["result"]["profile"] == "default"
    influencers = client.get("/api/influencers", params={"limit": 5}).json()
    assert influencers["total"] > 0
    assert [item["rank"] for item in influencers["items"]] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    "window",
    [
        {"since": "2026-10-01"},
        {"since": "2026-10-01T12:00Z", "until": "2026-10-02T08:30:15.25+02:00"},
        {"until": "2026-10-02T08:30:15"},
    ],
)
def test_analyze_takes_the_windows_the_document_describes(
    client: TestClient, window: dict[str, str]
) -> None:
    started = client.post("/api/jobs/analyze", json=window)
    assert started.status_code == 202, started.json()
    assert _wait(client, started.json())["state"] == "done"


@pytest.mark.parametrize(
    "body",
    [{"since": ""}, {"until": "2026-10-01 12:00"}, {"since": "20261001"}, {"profile": "../x"}],
)
def test_analyze_refuses_what_the_document_refuses(client: TestClient, body: object) -> None:
    """An empty ``since`` was schema-valid and refused by the route; now the document's
    pattern refuses it, with the field named."""
    refused = client.post("/api/jobs/analyze", json=body)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"][:2] == ["body", next(iter(body))]


def test_an_upload_with_no_file_is_refused(client: TestClient) -> None:
    """The document says so too (``files``: 1 to 20 items): an empty list was schema-valid."""
    refused = client.post("/api/jobs/load", files={"format": (None, "edgelist")})
    assert refused.status_code == 422 and "upload 1 to 20 files" in refused.json()["detail"]


def test_bad_input_and_unknown_jobs(client: TestClient) -> None:
    assert client.get("/api/jobs/nope").status_code == 404
    assert client.post("/api/jobs/analyze", json={"profile": "nope"}).status_code == 422
    assert client.post("/api/jobs/analyze", json={"since": "yesterday"}).status_code == 422
    window = {"since": "2026-10-05", "until": "2026-10-01"}
    assert client.post("/api/jobs/analyze", json=window).status_code == 422
    files = [("files", ("a.txt", b"x", "text/plain"))]
    bad_format = client.post("/api/jobs/load", files=files, data={"format": "nope"})
    assert bad_format.status_code == 422
    hidden = [("files", (".env", b"x", "text/plain"))]
    assert client.post("/api/jobs/load", files=hidden).status_code == 422
    assert client.post("/api/jobs/load").status_code == 422


def test_a_failed_load_says_why(client: TestClient) -> None:
    files = [("files", ("edges.txt", b"a b\nb c\n", "text/plain"))]
    started = client.post("/api/jobs/load", files=files, data={"format": "graphml"})
    if started.status_code == 422:  # refused before it started: also a clear answer
        assert started.json()["detail"]
        return
    done = _wait(client, started.json())
    assert done["state"] == "failed" and done["error"]


def test_rejected_rows_are_listed_in_the_data_directory(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the server's working directory must stay untouched
    edges = b"# an edge list\na b\nnot-an-edge-line with three\nb c\n"
    files = [("files", ("edges.txt", edges, "text/plain"))]
    started = client.post("/api/jobs/load", files=files, data={"format": "edgelist"})
    assert started.status_code == 202, started.json()
    done = _wait(client, started.json())
    assert done["state"] == "done", done
    named = done["result"]["rejects_path"]
    assert named == f"rejects/job-{done['id']}.txt"  # relative to the data directory
    data_dir = client.app.state.settings.data_dir  # type: ignore[attr-defined]
    listed = (data_dir / named).read_text(encoding="utf-8")
    assert listed.startswith("edges.txt:3: ")  # named as uploaded, not by its server path
    assert str(data_dir) not in listed and str(data_dir) not in json.dumps(done)
    assert list(elsewhere.iterdir()) == []


def test_one_job_at_a_time() -> None:
    runner = JobRunner()
    release = threading.Event()

    def slow(report: Any) -> dict[str, Any]:
        report("waiting", 0.5)
        release.wait(10)
        return {"ok": True}

    first = runner.submit("analyze", slow)
    with pytest.raises(JobBusy):
        runner.submit("load", slow)
    release.set()
    deadline = time.monotonic() + 10
    while first.snapshot()["state"] != "done":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert first.snapshot()["result"] == {"ok": True}
    second = runner.submit("load", lambda report: {})
    assert runner.get(second.id) is second


def test_a_second_job_gets_409_while_one_runs(client: TestClient) -> None:
    release = threading.Event()
    runner: JobRunner = client.app.state.jobs  # type: ignore[attr-defined]
    runner.submit("load", lambda report: {"waited": release.wait(10)})
    try:
        busy = client.post("/api/jobs/analyze", json={})
        assert busy.status_code == 409 and "running" in busy.json()["detail"]
    finally:
        release.set()


# Upload limits.


def _limited_client(
    backend: Backend, app_settings: Settings, data_dir: Path, limit: int
) -> TestClient:
    settings = _settings(app_settings, data_dir, max_upload_bytes=limit)
    return api_client(create_app(settings, backend=backend))


def test_an_upload_over_the_limit_is_refused_with_413(
    backend: Backend, app_settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "scenario"
    generate_scenario(folder)
    names = ["users.csv", "posts.csv", "amplifications.csv"]
    sizes = [(folder / name).stat().st_size for name in names]
    limit = sizes[0] + sizes[1] // 2  # posts.csv crosses it
    files = [("files", (name, (folder / name).read_bytes(), "text/csv")) for name in names]
    with _limited_client(backend, app_settings, tmp_path / "data", limit) as client:
        refused = client.post("/api/jobs/load", files=files)
        assert refused.status_code == 413, refused.json()
        detail = refused.json()["detail"]
        assert "posts.csv" in detail and f"{limit:,} bytes" in detail
        assert "RESONANCE_MAX_UPLOAD_BYTES" in detail
        assert not any((tmp_path / "data" / "uploads").iterdir())  # partial files removed
        assert client.get("/api/jobs").json()["total"] == 0  # nothing started
        assert Store(backend).stats().users == 0  # nothing loaded

        # the same files fit a limit of their total size exactly
    with _limited_client(backend, app_settings, tmp_path / "data", sum(sizes)) as client:
        started = client.post("/api/jobs/load", files=files)
        assert started.status_code == 202, started.json()
        assert _wait(client, started.json())["state"] == "done"


def test_a_gzip_upload_is_counted_as_sent(
    backend: Backend, app_settings: Settings, tmp_path: Path
) -> None:
    """The limit is on the bytes uploaded; a .gz is read as a stream, never gunzipped to disk."""
    bomb = gzip.compress(b"0" * (4 << 20))  # 4 MiB of zeros in a few KiB
    files = [("files", ("edges.txt.gz", bomb, "application/gzip"))]
    with _limited_client(backend, app_settings, tmp_path / "data", len(bomb) - 1) as client:
        refused = client.post("/api/jobs/load", files=files)
        assert refused.status_code == 413 and "edges.txt.gz" in refused.json()["detail"]
    with _limited_client(backend, app_settings, tmp_path / "data", len(bomb)) as client:
        accepted = client.post("/api/jobs/load", files=files)
        if accepted.status_code == 202:
            _wait(client, accepted.json())
        else:  # not recognised as any format: refused, but not for its size
            assert accepted.status_code == 422, accepted.json()
        assert list((tmp_path / "data" / "uploads").iterdir()) == []


def _multipart(name: str, size: int) -> tuple[bytes, bytes]:
    boundary = b"resonanceboundary"
    head = (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="files"; filename="' + name.encode() + b'"\r\n'
        b"Content-Type: text/csv\r\n\r\n"
    )
    return boundary, head + b"x" * size + b"\r\n--" + boundary + b"--\r\n"


def test_the_limit_is_enforced_while_the_body_streams(tmp_path: Path) -> None:
    boundary, body = _multipart("big.csv", 8 << 20)
    chunk = 64 << 10
    sent = 0

    async def receive() -> Message:
        nonlocal sent
        part = body[sent : sent + chunk]
        sent += len(part)
        return {"type": "http.request", "body": part, "more_body": sent < len(body)}

    scope = {
        "type": "http",
        "method": "POST",
        "headers": [(b"content-type", b"multipart/form-data; boundary=" + boundary)],
    }
    request = Request(scope, receive)
    with pytest.raises(UploadTooLarge, match=r"big\.csv"):
        asyncio.run(
            receive_files(request, tmp_path, file_field="files", max_bytes=256 << 10, max_files=5)
        )
    assert sent <= (256 << 10) + 2 * chunk  # stopped reading at the limit, not at the end
    assert (tmp_path / "big.csv").stat().st_size <= 256 << 10  # never more written than allowed


def test_more_upload_mistakes_are_422(client: TestClient) -> None:
    twice = [("files", ("a.csv", b"x", "text/csv")), ("files", ("a.csv", b"y", "text/csv"))]
    assert client.post("/api/jobs/load", files=twice).status_code == 422
    other_field = [("upload", ("a.csv", b"x", "text/csv"))]
    assert client.post("/api/jobs/load", files=other_field).status_code == 422
    too_many = [("files", (f"f{i}.csv", b"x", "text/csv")) for i in range(21)]
    assert client.post("/api/jobs/load", files=too_many).status_code == 422
    not_multipart = client.post("/api/jobs/load", content=b"x", headers={"content-type": "a/b"})
    assert not_multipart.status_code == 422 and not_multipart.json()["detail"]
    assert not any((client.app.state.settings.data_dir / "uploads").iterdir())  # type: ignore[attr-defined]


def test_a_busy_runner_refuses_the_upload_before_reading_it(client: TestClient) -> None:
    release = threading.Event()
    runner: JobRunner = client.app.state.jobs  # type: ignore[attr-defined]
    runner.submit("analyze", lambda report: {"waited": release.wait(10)})
    try:
        files = [("files", ("users.csv", b"id\n", "text/csv"))]
        assert client.post("/api/jobs/load", files=files).status_code == 409
    finally:
        release.set()


# Job records kept across restarts.


def _until(runner: JobRunner, job_id: str, state: str) -> None:
    deadline = time.monotonic() + 10
    while (job := runner.get(job_id)) is None or job.snapshot()["state"] != state:
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_a_restarted_runner_lists_the_jobs_and_marks_the_running_one(tmp_path: Path) -> None:
    directory = tmp_path / "jobs"
    first = JobRunner(directory)
    done = first.submit("load", lambda report: {"loaded": {"users": 3}})
    _until(first, done.id, "done")
    failing = first.submit("analyze", lambda report: {"x": 1 // 0})
    _until(first, failing.id, "failed")
    release = threading.Event()

    def stuck(report: Any) -> dict[str, Any]:
        report("halfway", 0.5)
        release.wait(10)
        return {}

    running = first.submit("analyze", stuck)
    _until(first, running.id, "running")
    try:
        # a new runner on the same directory: what the server sees after a restart
        second = JobRunner(directory)
        listed = [job.snapshot() for job in second.jobs()]
        assert [job["id"] for job in listed] == [running.id, failing.id, done.id]
        again = {job["id"]: job for job in listed}
        assert again[done.id]["state"] == "done"
        assert again[done.id]["result"] == {"loaded": {"users": 3}}
        assert again[done.id]["started_at"] and again[done.id]["finished_at"]
        assert again[failing.id]["state"] == "failed" and "division" in again[failing.id]["error"]
        interrupted = again[running.id]
        assert interrupted["state"] == "interrupted"
        assert "server stopped" in interrupted["message"] and interrupted["error"]
        record = json.loads((directory / f"{running.id}.json").read_text())
        assert record["state"] == "interrupted"  # written back, so it stays so
        second.submit("load", lambda report: {})  # an interrupted job does not block a new one
    finally:
        release.set()


def test_jobs_are_listed_again_by_a_restarted_api(
    backend: Backend, app_settings: Settings, tmp_path: Path
) -> None:
    settings = _settings(app_settings, tmp_path / "data")
    with api_client(create_app(settings, backend=backend)) as client:
        runner: JobRunner = client.app.state.jobs  # type: ignore[attr-defined]
        job = runner.submit("analyze", lambda report: {"users_scored": 7})
        _until(runner, job.id, "done")
    with api_client(create_app(settings, backend=backend)) as client:
        listed = client.get("/api/jobs").json()
        assert listed["total"] == 1 and listed["items"][0]["id"] == job.id
        again = client.get(f"/api/jobs/{job.id}").json()
        assert again["state"] == "done" and again["result"] == {"users_scored": 7}
        assert again["submitted_at"] <= again["started_at"] <= again["finished_at"]


def test_records_are_written_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "jobs"
    monkeypatch.setattr(jobs_module, "PROGRESS_EVERY_S", 0.0)
    runner = JobRunner(directory)
    stop = threading.Event()

    def busy(report: Any) -> dict[str, Any]:
        step = 0
        while not stop.is_set():
            step += 1
            report(f"step {step} " + "x" * 5_000, (step % 100) / 100)
        return {"steps": step}

    job = runner.submit("load", busy)
    path = directory / f"{job.id}.json"
    _until(runner, job.id, "running")
    reads = 0
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        record = json.loads(path.read_text())  # never half a record
        assert record["id"] == job.id
        reads += 1
    stop.set()
    _until(runner, job.id, "done")
    assert reads > 10
    assert sorted(p.name for p in directory.iterdir()) == [path.name]  # no temporary left

    # a write that fails leaves the old record, and no temporary file
    def refuse(src: Any, dst: Any) -> None:
        raise OSError("disk full")

    before = path.read_text()
    monkeypatch.setattr(jobs_module.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        jobs_module.write_atomically(path, "{}")
    assert path.read_text() == before
    assert sorted(p.name for p in directory.iterdir()) == [path.name]


def test_progress_writes_are_throttled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    writes: list[str] = []
    original = jobs_module.write_atomically

    def counting(path: Path, text: str) -> None:
        writes.append(json.loads(text)["state"])
        original(path, text)

    monkeypatch.setattr(jobs_module, "write_atomically", counting)
    runner = JobRunner(tmp_path / "jobs")

    def chatty(report: Any) -> dict[str, Any]:
        for step in range(10_000):
            report("working", step / 10_000)
        return {}

    job = runner.submit("load", chatty)
    _until(runner, job.id, "done")
    assert writes[0] == "queued" and writes[-1] == "done"
    assert writes.count("running") < 10  # 10,000 reports in well under a few seconds


def test_only_the_last_records_are_kept(tmp_path: Path) -> None:
    directory = tmp_path / "jobs"
    runner = JobRunner(directory, keep=3)
    ids = []
    for _ in range(5):
        job = runner.submit("load", lambda report: {})
        _until(runner, job.id, "done")
        ids.append(job.id)
    assert [job.id for job in runner.jobs()] == ids[:1:-1]
    assert sorted(p.stem for p in directory.glob("*.json")) == sorted(ids[2:])
    assert runner.get(ids[0]) is None

    smaller = JobRunner(directory, keep=2)  # a restart keeping fewer removes the oldest files
    assert [job.id for job in smaller.jobs()] == ids[:2:-1]
    assert sorted(p.stem for p in directory.glob("*.json")) == sorted(ids[3:])


def test_unreadable_records_are_skipped(tmp_path: Path) -> None:
    directory = tmp_path / "jobs"
    directory.mkdir()
    (directory / "broken.json").write_text("{not json")
    (directory / f"{'a' * 32}.json").write_text(json.dumps({"id": "a" * 32, "kind": "nope"}))
    (directory / ".x.json.1234.tmp").write_text("{")
    runner = JobRunner(directory)
    assert runner.jobs() == []
    assert not (directory / ".x.json.1234.tmp").exists()


# Upload names, leftovers of killed jobs (issue 10, finding 11).


def _named_upload(name: bytes) -> tuple[bytes, bytes]:
    """A multipart body with one file of this exact (raw) name: NUL bytes included."""
    boundary = b"resonanceboundary"
    body = (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="files"; filename="' + name + b'"\r\n'
        b"Content-Type: text/plain\r\n\r\na b\r\n--" + boundary + b"--\r\n"
    )
    return boundary, body


@pytest.mark.parametrize(
    ("name", "why"),
    [
        (b"edges\x00.txt", "control character"),
        (b"e" * 300 + b".txt", "at most 255"),
        ("\u00e9".encode() * 128 + b".txt", "at most 255"),  # 128 characters, 260 bytes
        (b"../edges.txt", "folder parts"),
        (b"sub/edges.txt", "folder parts"),
        (b"sub\\edges.txt", "folder parts"),
    ],
)
def test_upload_names_with_nul_folder_parts_or_over_255_bytes_get_422(
    client: TestClient, name: bytes, why: str
) -> None:
    boundary, body = _named_upload(name)
    refused = client.post(
        "/api/jobs/load",
        content=body,
        headers={"content-type": "multipart/form-data; boundary=" + boundary.decode()},
    )
    assert refused.status_code == 422, refused.text
    detail = refused.json()["detail"]
    assert why in detail and len(detail) < 300  # the name is quoted short
    assert not any((client.app.state.settings.data_dir / "uploads").iterdir())  # type: ignore[attr-defined]


def test_a_255_byte_name_is_accepted(client: TestClient) -> None:
    name = "e" * 251 + ".txt"
    started = client.post("/api/jobs/load", files=[("files", (name, b"a b\n"))])
    assert started.status_code == 202, started.json()
    assert _wait(client, started.json())["state"] == "done"


def test_leftovers_of_killed_jobs_are_removed_when_the_api_starts(
    backend: Backend, app_settings: Settings, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    settings = _settings(app_settings, data)
    remembered = JobRunner(data / "jobs")
    job = remembered.submit("load", lambda control: {})
    _until(remembered, job.id, "done")
    dead_pid = subprocess.Popen(["true"])  # a process that has ended: its id is free
    dead_pid.wait()
    uploads, rejects = data / "uploads", data / "rejects"
    dead = uploads / f"{dead_pid.pid}-abc123"
    alive = uploads / f"{os.getppid()}-def456"  # another server still receiving its upload
    old_style = uploads / "tmpx1y2z3"
    for folder in (dead, alive, old_style):
        folder.mkdir(parents=True)
        (folder / "users.csv").write_text("id\n")
    rejects.mkdir()
    forgotten = rejects / f"job-{'f' * 32}.txt"
    kept = rejects / f"job-{job.id}.txt"
    cli_file = rejects / "20261201T101010.000000Z.txt"  # the CLI's: the user's own
    for path in (forgotten, kept, cli_file):
        path.write_text("x:1: id: bad\n")
    with api_client(create_app(settings, backend=backend)):
        assert sorted(p.name for p in uploads.iterdir()) == [alive.name]
        assert sorted(p.name for p in rejects.iterdir()) == sorted([kept.name, cli_file.name])


def test_a_job_cancelled_while_queued_never_runs(tmp_path: Path) -> None:
    runner = JobRunner(tmp_path / "jobs", lock_path=tmp_path / "job.lock")
    ran = threading.Event()
    job = Job(id="a" * 32, kind="load")
    job.cancel_requested.set()
    runner._run(job, lambda control: {"ran": ran.set()}, None, None)  # what the thread does
    assert not ran.is_set() and job.snapshot()["state"] == "cancelled"


def test_the_runner_lock_refuses_a_second_runner_on_the_same_directory(tmp_path: Path) -> None:
    """Two API processes on one data directory: the second answers busy, naming the first."""
    first = JobRunner(tmp_path / "jobs", lock_path=tmp_path / "job.lock")
    second = JobRunner(tmp_path / "jobs2", lock_path=tmp_path / "job.lock")
    release = threading.Event()
    job = first.submit("analyze", lambda control: {"waited": release.wait(10)})
    try:
        with pytest.raises(JobBusy, match=f"API analyze job {job.id}"):
            second.check_idle()
        with pytest.raises(JobBusy, match=f"API analyze job {job.id}"):
            second.submit("load", lambda control: {})
    finally:
        release.set()
    _until(first, job.id, "done")
    done = second.submit("load", lambda control: {})
    _until(second, done.id, "done")


def test_an_unrecognised_upload_is_refused_naming_the_file_not_its_server_path(
    client: TestClient,
) -> None:
    files = [("files", ("notes.txt", b"just some words here, nothing to load\n"))]
    refused = client.post("/api/jobs/load", files=files)
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert detail.startswith("notes.txt:1: format: not a format"), detail
    assert "/uploads/" not in detail


def test_a_cancel_after_the_work_reported_done_does_not_undo_it(tmp_path: Path) -> None:
    """The analysis reports "done" after switching to the new scores: a cancel asked during the
    switch must not mark a job whose new scores are live as cancelled."""
    runner = JobRunner(tmp_path / "jobs")
    job = Job(id="b" * 32, kind="analyze")

    def switched_then_done(control: Any) -> dict[str, Any]:
        control("switching to the new scores", 0.95)
        job.cancel_requested.set()  # asked while the switch ran
        control("done", 1.0)
        return {"switched": True}

    runner._run(job, switched_then_done, None, None)
    assert job.snapshot()["state"] == "done"
    early = Job(id="c" * 32, kind="analyze")

    def cancelled_before_the_switch(control: Any) -> dict[str, Any]:
        early.cancel_requested.set()
        control("switching to the new scores", 0.95)
        raise AssertionError("went on after a cancel")

    runner._run(early, cancelled_before_the_switch, None, None)
    assert early.snapshot()["state"] == "cancelled"
