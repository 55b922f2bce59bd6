"""The files the API's jobs leave in the data directory, and the removal of those left behind.

An upload is saved in ``uploads/<pid>-<random>/`` (the server's process id first) and removed
when its load ends; a load's rejected rows are listed in ``rejects/job-<job id>.txt``. A server
killed mid-load leaves both behind: at the next start, upload folders of processes that no
longer run and rejects files of jobs no longer remembered are removed. Files the CLI writes
there (``rejects/<timestamp>.txt``) are the user's and never touched.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from api.job_lock import lock_path
from api.jobs import JobRunner

logger = logging.getLogger(__name__)

_JOB_REJECTS = re.compile(r"^(?:job-[0-9a-f]{32}|upload-.+)\.txt$")
_UPLOAD_FOLDER = re.compile(r"^(\d+)-")


def uploads_dir(data_dir: Path) -> Path:
    return data_dir / "uploads"


def rejects_dir(data_dir: Path) -> Path:
    return data_dir / "rejects"


def new_upload_folder(data_dir: Path) -> Path:
    """A fresh folder for one upload, named after this process."""
    folder = uploads_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=folder))


def job_rejects(data_dir: Path, job_id: str) -> Path:
    """Where a load job lists its rejected rows."""
    return rejects_dir(data_dir) / f"job-{job_id}.txt"


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return False  # at start this process has no upload yet: a former process's id
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_leftovers(data_dir: Path, jobs: Iterable[dict[str, Any]]) -> list[Path]:
    """Remove the uploads of processes no longer running and the rejects files of jobs not
    among ``jobs`` (the records of the jobs remembered); return what was removed."""
    removed: list[Path] = []
    uploads = uploads_dir(data_dir)
    if uploads.is_dir():
        for folder in uploads.iterdir():
            owner = _UPLOAD_FOLDER.match(folder.name)
            if owner is not None and _running(int(owner.group(1))):
                continue  # another server on this data directory is receiving or loading it
            if folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
            else:
                folder.unlink(missing_ok=True)
            removed.append(folder)
    kept = set()
    for job in jobs:
        kept.add(job_rejects(data_dir, str(job["id"])).name)
        named = (job.get("result") or {}).get("rejects_path")
        if isinstance(named, str):
            kept.add(Path(named).name)
    rejects = rejects_dir(data_dir)
    if rejects.is_dir():
        for path in rejects.iterdir():
            if not _JOB_REJECTS.match(path.name) or path.name in kept:
                continue
            path.unlink(missing_ok=True)
            removed.append(path)
    for path in removed:
        logger.info("removed %s, left by a job that did not finish", path)
    return removed


def start_job_runner(data_dir: Path) -> JobRunner:
    """The API's job runner on ``data_dir`` (records in ``jobs/``, the lock ``job.lock``),
    with what killed jobs left behind removed."""
    runner = JobRunner(data_dir / "jobs", lock_path=lock_path(data_dir))
    remove_leftovers(data_dir, (job.snapshot() for job in runner.jobs()))
    return runner
