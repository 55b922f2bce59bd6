"""Background jobs of the API (load, analyze): one at a time, in a thread, polled by id."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

JobState = Literal["queued", "running", "done", "failed"]
JobKind = Literal["load", "analyze"]
#: ``report(message, fraction)``: what the job is doing and how far it is (0..1).
Report = Callable[[str, float], None]
Work = Callable[[Report], dict[str, Any]]


class JobBusy(Exception):
    """Another job is queued or running."""


@dataclass
class Job:
    id: str
    kind: JobKind
    state: JobState = "queued"
    progress: float = 0.0
    message: str = "queued"
    result: dict[str, Any] | None = None
    error: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "id": self.id, "kind": self.kind, "state": self.state,
                "progress": self.progress, "message": self.message,
                "result": self.result, "error": self.error,
            }  # fmt: skip

    def report(self, message: str, fraction: float) -> None:
        with self._lock:
            self.message = message
            self.progress = min(max(float(fraction), 0.0), 1.0)


class JobRunner:
    """Runs one job at a time in a daemon thread; remembers the last ``keep`` jobs."""

    def __init__(self, keep: int = 100) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._active: Job | None = None
        self._keep = keep

    def submit(
        self, kind: JobKind, work: Work, *, cleanup: Callable[[], None] | None = None
    ) -> Job:
        """Start ``work`` in the background; :class:`JobBusy` while another job runs."""
        with self._lock:
            if self._active is not None and self._active.state in ("queued", "running"):
                raise JobBusy(f"job {self._active.id} ({self._active.kind}) is still running")
            job = Job(id=uuid.uuid4().hex, kind=kind)
            self._jobs[job.id] = job
            while len(self._jobs) > self._keep:
                del self._jobs[next(iter(self._jobs))]
            self._active = job
        thread = threading.Thread(
            target=self._run, args=(job, work, cleanup), name=f"job-{job.id}", daemon=True
        )
        thread.start()
        return job

    def _run(self, job: Job, work: Work, cleanup: Callable[[], None] | None) -> None:
        with job._lock:
            job.state, job.message = "running", "started"
        try:
            result = work(job.report)
        except Exception as exc:  # a job's failure is its result, never the server's
            with job._lock:
                job.state, job.error = "failed", str(exc) or type(exc).__name__
                job.message = f"failed: {job.error}"
        else:
            with job._lock:
                job.state, job.result, job.progress, job.message = "done", result, 1.0, "done"
        finally:
            if cleanup is not None:
                cleanup()

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)
