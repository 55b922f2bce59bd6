"""Two job runners on one jobs directory and one lock: two workers of `resonance serve`."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from api.job_records import cancel_requested
from api.jobs import JobBusy, JobControl, JobFinished, JobRunner

DEADLINE_S = 20


def until(runner: JobRunner, job_id: str, *states: str) -> dict[str, Any]:
    deadline = time.monotonic() + DEADLINE_S
    while True:
        job = runner.get(job_id)
        if job is not None and job.state in states:
            return job.snapshot()
        assert time.monotonic() < deadline, (job_id, states, job and job.snapshot())
        time.sleep(0.02)


def test_a_job_run_by_one_worker_is_read_listed_and_cancelled_through_another(
    tmp_path: Path,
) -> None:
    directory, lock = tmp_path / "jobs", tmp_path / "jobs.lock"
    first = JobRunner(directory, lock_path=lock)
    second = JobRunner(directory, lock_path=lock)
    release = threading.Event()

    def work(control: JobControl) -> dict[str, Any]:
        for step in range(1000):
            control(f"step {step}", 0.25)
            if release.wait(0.05):
                return {"steps": step}
        return {}

    job = first.submit("analyze", work)
    until(second, job.id, "running")
    deadline = time.monotonic() + DEADLINE_S
    while not (seen := second.get(job.id).snapshot())["message"].startswith("step"):  # type: ignore[union-attr]
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert seen["kind"] == "analyze" and seen["progress"] == 0.25
    assert [listed.id for listed in second.jobs()] == [job.id]
    with pytest.raises(JobBusy):  # one job at a time, across the workers
        second.submit("load", lambda control: {})
    # A runner started meanwhile (a restarted worker) does not call it interrupted.
    third = JobRunner(directory, lock_path=lock)
    assert third.get(job.id) is not None and third.get(job.id).state == "running"  # type: ignore[union-attr]

    asked = second.cancel(job.id)
    assert asked.message == "cancelling" and cancel_requested(directory, job.id)
    ended = until(second, job.id, "cancelled")
    assert ended["error"] and until(first, job.id, "cancelled")["state"] == "cancelled"
    assert not cancel_requested(directory, job.id)
    with pytest.raises(JobFinished):
        second.cancel(job.id)
    with pytest.raises(KeyError):
        second.cancel("0" * 32)

    # The next job can go through the other worker, and the first sees it end.
    done = second.submit("load", lambda control: {"loaded": 1})
    assert until(first, done.id, "done")["result"] == {"loaded": 1}
    assert [listed.id for listed in first.jobs()] == [done.id, job.id]
    release.set()
