"""Background jobs of the API (load, analyze, backtest): one at a time, in a thread, polled by id.

With a directory, each job's record is kept there as ``<id>.json`` (written whole to a temporary
file, then renamed over the old one, at every change of state and at most every
``PROGRESS_EVERY_S`` while it runs), so a restarted server lists the jobs again; those that were
queued or running when it stopped come back ``interrupted``.

With a lock file (``api.job_lock``), "one at a time" holds across processes too: the lock is
taken when a job is submitted and released when it ends, and the CLI's load and analyze take
the same lock. A running job can be cancelled: the work is asked to stop (its ``JobControl``
raises ``loaders.guard.Cancelled`` at its next report or check) and ends ``cancelled``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, get_args

from api.job_lock import HeldLock, LockHeld, acquire, check_free
from api.job_records import (
    cancel_requested,
    forget_cancel,
    read_record,
    record_ids,
    request_cancel,
)
from loaders.guard import Cancelled

JobState = Literal["queued", "running", "done", "failed", "interrupted", "cancelled"]
JobKind = Literal["load", "analyze", "backtest"]
#: ``report(message, fraction)``: what the job is doing and how far it is (0..1).
Report = Callable[[str, float], None]

#: Progress is written to disk at most this often (a change of state always is).
PROGRESS_EVERY_S = 0.5
INTERRUPTED = "interrupted: the server stopped while this job was {state}; run it again"
CANCELLED = "cancelled: what was written before is kept; run it again to finish it"
_ID = re.compile(r"^[0-9a-f]{32}$")
_ACTIVE = ("queued", "running")
logger = logging.getLogger(__name__)


class JobBusy(Exception):
    """Another job is queued or running (here, or in another process holding the lock)."""


class JobFinished(Exception):
    """The job asked to cancel has already ended."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass
class Job:
    id: str
    kind: JobKind
    state: JobState = "queued"
    progress: float = 0.0
    message: str = "queued"
    result: dict[str, Any] | None = None
    error: str | None = None
    submitted_at: str = field(default_factory=_now)
    started_at: str | None = None
    finished_at: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    #: Writes the record (the runner's, when it has a directory); called with ``_lock`` held.
    _save: Callable[[dict[str, Any]], None] | None = field(default=None, repr=False)
    _saved_at: float = field(default=0.0, repr=False)
    #: Set to ask the work to stop.
    cancel_requested: threading.Event = field(default_factory=threading.Event, repr=False)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return self._record()

    def _record(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "state": self.state,
            "progress": self.progress, "message": self.message,
            "result": self.result, "error": self.error, "submitted_at": self.submitted_at,
            "started_at": self.started_at, "finished_at": self.finished_at,
        }  # fmt: skip

    def _persist(self) -> None:
        """Write the record now (``_lock`` held, so records reach the disk in order)."""
        if self._save is not None:
            self._save(self._record())
            self._saved_at = time.monotonic()

    def report(self, message: str, fraction: float) -> None:
        with self._lock:
            self.message = message
            self.progress = min(max(float(fraction), 0.0), 1.0)
            if time.monotonic() - self._saved_at >= PROGRESS_EVERY_S:
                self._persist()

    def _change(self, **changes: Any) -> None:
        with self._lock:
            for name, value in changes.items():
                setattr(self, name, value)
            self._persist()

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Job:
        """A job read back from its file; ValueError when the record is not one."""
        job_id: Any = record.get("id")
        kind: Any = record.get("kind")  # checked next
        state: Any = record.get("state")
        if not isinstance(job_id, str) or not _ID.match(job_id):
            raise ValueError(f"bad id {job_id!r}")
        if kind not in get_args(JobKind) or state not in get_args(JobState):
            raise ValueError(f"bad kind {kind!r} or state {state!r}")
        progress = record.get("progress")
        if not isinstance(progress, int | float) or not 0 <= progress <= 1:
            raise ValueError(f"bad progress {progress!r}")
        texts = {
            name: record.get(name)
            for name in ("message", "error", "submitted_at", "started_at", "finished_at")
        }
        if not all(value is None or isinstance(value, str) for value in texts.values()):
            raise ValueError("a text field is not text")
        result = record.get("result")
        if result is not None and not isinstance(result, dict):
            raise ValueError("the result is not an object")
        return cls(
            id=job_id, kind=kind, state=state, progress=float(progress),
            message=texts["message"] or "", result=result, error=texts["error"],
            submitted_at=texts["submitted_at"] or "", started_at=texts["started_at"],
            finished_at=texts["finished_at"],
        )  # fmt: skip


class JobControl:
    """What the work is handed: call it to report progress; it raises ``Cancelled`` once the
    job is asked to stop (so an analysis stops at its next step). ``cancel`` is the flag
    itself, for work that checks more often (the loader, between records)."""

    def __init__(self, job: Job, directory: Path | None = None) -> None:
        self.job_id = job.id
        self.cancel = job.cancel_requested
        self._job = job
        self._directory = directory  # where another worker asks for a cancellation

    def __call__(self, message: str, fraction: float) -> None:
        if fraction < 1:  # the work's own "done" (an analysis already switched over) stands
            self.check()
        self._job.report(message, fraction)

    def check(self) -> None:
        if self._directory is not None and cancel_requested(self._directory, self.job_id):
            self.cancel.set()
        if self.cancel.is_set():
            raise Cancelled("cancelled")


Work = Callable[[JobControl], dict[str, Any]]


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path`` and rename it over ``path``:
    a reader (or a crash) sees the old record or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class JobRunner:
    """Runs one job at a time in a daemon thread; remembers the last ``keep`` jobs.

    With ``directory``, the records are kept there too and read back by the next runner.
    """

    def __init__(
        self, directory: Path | None = None, *, keep: int = 100, lock_path: Path | None = None
    ) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        #: Jobs submitted here: this process runs them, so its memory is their truth (their
        #: records on disk lag behind their progress by up to PROGRESS_EVERY_S).
        self._mine: set[str] = set()
        self._active: Job | None = None
        self._keep = keep
        self._directory = directory
        self._lock_path = lock_path
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
            self._restore(directory)

    def _path(self, job_id: str) -> Path:
        assert self._directory is not None
        return self._directory / f"{job_id}.json"

    def _save(self, record: dict[str, Any]) -> None:
        """Write one record; a full or read-only disk is logged, never fails the job."""
        try:
            write_atomically(
                self._path(record["id"]), json.dumps(record, indent=1, default=str) + "\n"
            )
        except (OSError, TypeError, ValueError) as exc:
            logger.warning("cannot save job %s: %s", record["id"], exc)

    def _restore(self, directory: Path) -> None:
        for stale in directory.glob(".*.tmp"):  # left by a crash mid-write
            stale.unlink(missing_ok=True)
        jobs: list[Job] = []
        for path in directory.glob("*.json"):
            try:
                job = Job.from_record(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, AttributeError) as exc:
                logger.warning("ignoring the job record %s: %s", path, exc)
                continue
            if path.name != f"{job.id}.json":
                logger.warning("ignoring the job record %s: it holds job %s", path, job.id)
                continue
            jobs.append(job)
        jobs.sort(key=lambda job: (job.submitted_at, job.id))
        for job in jobs[: max(len(jobs) - self._keep, 0)]:
            self._path(job.id).unlink(missing_ok=True)
        for job in jobs[max(len(jobs) - self._keep, 0) :]:
            job._save = self._save
            if job.state in _ACTIVE and not self._held_elsewhere():
                message = INTERRUPTED.format(state=job.state)
                job._change(state="interrupted", message=message, error=message)
            self._jobs[job.id] = job

    def submit(
        self, kind: JobKind, work: Work, *, cleanup: Callable[[], None] | None = None
    ) -> Job:
        """Start ``work`` in the background; :class:`JobBusy` while another job runs."""
        with self._lock:
            self.check_idle()
            job = Job(id=uuid.uuid4().hex, kind=kind)
            held = self._take_lock(job)
            if self._directory is not None:
                job._save = self._save
            job._change()  # the queued record
            self._jobs[job.id] = job
            self._mine.add(job.id)
            while len(self._jobs) > self._keep:
                evicted = self._jobs.pop(next(iter(self._jobs)))
                self._mine.discard(evicted.id)
                if self._directory is not None:
                    self._path(evicted.id).unlink(missing_ok=True)
            self._active = job
        thread = threading.Thread(
            target=self._run, args=(job, work, cleanup, held), name=f"job-{job.id}", daemon=True
        )
        thread.start()
        return job

    def _held_elsewhere(self) -> bool:
        """Whether another process holds the job lock (a job runs there: another worker)."""
        if self._lock_path is None:
            return False
        try:
            check_free(self._lock_path)
        except LockHeld:
            return True
        return False

    def _take_lock(self, job: Job) -> HeldLock | None:
        if self._lock_path is None:
            return None
        try:
            return acquire(self._lock_path, f"API {job.kind} job {job.id}")
        except LockHeld as exc:
            raise JobBusy(str(exc)) from None

    def check_idle(self) -> None:
        """:class:`JobBusy` when a job is queued or running, here or in another process
        (asked before a long upload)."""
        active = self._active
        if active is not None and active.state in _ACTIVE:
            raise JobBusy(f"job {active.id} ({active.kind}) is still running")
        if self._lock_path is not None:
            try:
                check_free(self._lock_path)
            except LockHeld as exc:
                raise JobBusy(str(exc)) from None

    def cancel(self, job_id: str) -> Job:
        """Ask a queued or running job to stop, here or in another worker; ``KeyError`` when
        unknown, :class:`JobFinished` when it has ended. It ends ``cancelled`` once the work
        stops."""
        with self._lock:
            job = self._jobs.get(job_id)
            ours = job is not None and job_id in self._mine
        if not ours:
            found = self.get(job_id)
            if found is None:
                raise KeyError(job_id)
            if found.state not in _ACTIVE:
                raise JobFinished(f"job {job_id} has already ended ({found.state})")
            assert self._directory is not None  # a record from another process
            request_cancel(self._directory, job_id)
            found.message = "cancelling"
            return found
        assert job is not None
        with job._lock:
            if job.state not in _ACTIVE:
                raise JobFinished(f"job {job_id} has already ended ({job.state})")
            job.cancel_requested.set()
            job.message = "cancelling"
            job._persist()
        return job

    def _run(
        self,
        job: Job,
        work: Work,
        cleanup: Callable[[], None] | None,
        held: HeldLock | None,
    ) -> None:
        final: dict[str, Any] = {"state": "failed", "error": "stopped", "message": "stopped"}
        try:
            job._change(state="running", message="started", started_at=_now())
            control = JobControl(job, self._directory)
            control.check()  # cancelled while queued
            result = work(control)
            final = {"state": "done", "result": result, "progress": 1.0, "message": "done"}
        except Cancelled:
            final = {"state": "cancelled", "message": CANCELLED, "error": CANCELLED}
        except Exception as exc:  # a job's failure is its result, never the server's
            error = str(exc) or type(exc).__name__
            final = {"state": "failed", "error": error, "message": f"failed: {error}"}
        finally:
            # Files removed and the lock released before the job reads as ended, so whoever
            # sees it ended can start the next one at once.
            try:
                if cleanup is not None:
                    cleanup()
            finally:
                if held is not None:
                    held.release()
                job._change(**final, finished_at=_now())
                if self._directory is not None:
                    forget_cancel(self._directory, job.id)

    def get(self, job_id: str) -> Job | None:
        """The job as it stands: one submitted here from memory, any other from its record on
        disk (another worker may run it, or have run it since this one started), else from
        memory."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None and job_id in self._mine:
                return job
        if self._directory is not None and _ID.match(job_id):
            record = read_record(self._directory, job_id)
            if record is not None:
                try:
                    return Job.from_record(record)
                except ValueError:
                    pass
        return job

    def jobs(self) -> list[Job]:
        """Every job remembered here or recorded by another worker, the latest first."""
        with self._lock:
            ids = list(self._jobs)
        if self._directory is not None:
            ids += [job_id for job_id in record_ids(self._directory) if job_id not in ids]
        found = [job for job in map(self.get, ids) if job is not None]
        return sorted(found, key=lambda job: (job.submitted_at, job.id), reverse=True)
