"""Job records as every worker process sees them: the files of the jobs directory.

Each job's record is written whole to ``<id>.json`` by the process that runs it (``api.jobs``)
at every change of state and every half second of progress. Another worker of the same
``resonance serve --workers N`` answers ``GET /api/jobs/{id}`` from that file, and asks for a
cancellation by creating ``<id>.cancel``, which the running process looks for at each progress
report of the job (and then stops it as if asked directly).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


def read_record(directory: Path, job_id: str) -> dict[str, Any] | None:
    """The record of ``job_id`` on disk, or None (none, or unreadable)."""
    try:
        record = json.loads((directory / f"{job_id}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        if not isinstance(exc, FileNotFoundError):
            logger.warning("cannot read the record of job %s: %s", job_id, exc)
        return None
    return record if isinstance(record, dict) and record.get("id") == job_id else None


def record_ids(directory: Path) -> list[str]:
    """The ids of the records on disk."""
    return [path.stem for path in directory.glob("*.json") if not path.name.startswith(".")]


def request_cancel(directory: Path, job_id: str) -> None:
    """Ask whichever process runs ``job_id`` to stop it."""
    (directory / f"{job_id}.cancel").touch()


def cancel_requested(directory: Path, job_id: str) -> bool:
    return (directory / f"{job_id}.cancel").exists()


def forget_cancel(directory: Path, job_id: str) -> None:
    (directory / f"{job_id}.cancel").unlink(missing_ok=True)
