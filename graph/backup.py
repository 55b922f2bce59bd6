"""Backups of the embedded FalkorDB: a consistent snapshot out, and back into a stopped server.

``backup`` asks the running server for a snapshot (``BGSAVE``: the server forks and writes
every graph as of that instant while it goes on answering) and copies it, with the custom
profiles of the data directory, into a new folder::

    PATH/resonance.rdb     the snapshot (FalkorDB's RDB: every graph, loads, shortlists, runs)
    PATH/profiles/         the data directory's custom profiles, if any
    PATH/backup.json       when, from where, the snapshot's size and SHA-256

The password file is never copied: a restored server keeps the password of the data directory
it is restored into. ``restore`` checks the SHA-256, refuses a running server, and refuses a
data directory that holds data unless told to replace it; what it replaces is moved aside
(``falkordb/replaced-<UTC time>/``), never deleted. It writes the snapshot as the base of a
fresh append-only file (the server persists with one, and loads only that at start), so the
next ``start`` loads exactly the backup.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis

from graph.errors import ServerError
from graph.server import HOST, EmbeddedServer

SNAPSHOT = "resonance.rdb"
MANIFEST = "backup.json"
#: What of the data directory, besides the database, a backup keeps (custom profiles).
KEPT_FOLDERS = ("profiles",)
_AOF_DIR = "appendonlydir"  # redis' defaults, which the server's configuration keeps
_AOF_NAME = "appendonly.aof"


class BackupError(ServerError):
    """A backup or a restore that cannot be done, and why."""


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    created_at: str
    bytes: int
    sha256: str


def backup(server: EmbeddedServer, path: Path, *, timeout_s: float = 600.0) -> Backup:
    """Snapshot the running server of ``server``'s data directory into the new folder ``path``."""
    info = server.status()
    if info is None:
        raise BackupError(
            f"the embedded database of {server.data_dir} is not running: start it with "
            "`resonance db start`, then back it up"
        )
    target = Path(path).expanduser().resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} already exists and is not an empty folder: choose a new one")
    client = redis.Redis(host=HOST, port=info.port, password=info.password)
    try:
        _snapshot(client, timeout_s)
    except redis.RedisError as exc:
        raise BackupError(f"the database could not write a snapshot: {exc}") from exc
    finally:
        client.close()
    target.mkdir(parents=True, exist_ok=True)
    snapshot = target / SNAPSHOT
    shutil.copyfile(server.db_dir / "dump.rdb", snapshot)
    for name in KEPT_FOLDERS:
        folder = server.data_dir / name
        if folder.is_dir():
            shutil.copytree(folder, target / name)
    made = Backup(
        target,
        datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        snapshot.stat().st_size,
        _sha256(snapshot),
    )
    (target / MANIFEST).write_text(
        json.dumps(
            {
                "created_at": made.created_at,
                "data_dir": str(server.data_dir),
                "snapshot": SNAPSHOT,
                "bytes": made.bytes,
                "sha256": made.sha256,
            },
            indent=2,
        )
        + "\n"
    )
    return made


def restore(server: EmbeddedServer, path: Path, *, force: bool = False) -> Backup:
    """Put the backup in ``path`` in place of ``server``'s data; the server must be stopped."""
    source = Path(path).expanduser().resolve()
    made = _read_manifest(source)
    if server.status() is not None:
        raise BackupError(
            f"the embedded database of {server.data_dir} is running: stop it with "
            "`resonance db stop`, then restore"
        )
    held = [p for p in (server.db_dir / _AOF_DIR, server.db_dir / "dump.rdb") if p.exists()]
    if held and not force:
        raise BackupError(
            f"{server.db_dir} already holds a database: restore with --force to replace it "
            "(it is moved aside, not deleted)"
        )
    server.db_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    kept = [source / name for name in KEPT_FOLDERS if (source / name).is_dir()]
    replaced = held + [
        server.data_dir / p.name for p in kept if (server.data_dir / p.name).exists()
    ]
    if replaced:
        aside = server.db_dir / f"replaced-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"
        aside.mkdir()
        for item in replaced:
            item.rename(aside / item.name)
    aof = server.db_dir / _AOF_DIR
    aof.mkdir(mode=0o700)
    base, incr = f"{_AOF_NAME}.1.base.rdb", f"{_AOF_NAME}.1.incr.aof"
    shutil.copyfile(source / SNAPSHOT, aof / base)
    (aof / incr).touch()
    (aof / f"{_AOF_NAME}.manifest").write_text(
        f"file {base} seq 1 type b\nfile {incr} seq 1 type i\n"
    )
    for folder in kept:
        shutil.copytree(folder, server.data_dir / folder.name)
    return made


def _snapshot(client: redis.Redis, timeout_s: float) -> None:
    """A ``BGSAVE`` of this instant, finished: one already running (begun earlier) is waited
    for and followed by ours; after an append-only rewrite, ours is scheduled."""
    deadline = time.monotonic() + timeout_s
    saves = _persistence(client)
    while True:
        try:
            client.bgsave(schedule=True)
            break
        except redis.ResponseError as exc:
            if "in progress" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
            saves = _persistence(client)
    while time.monotonic() < deadline:
        state = _persistence(client)
        if state["rdb_saves"] > saves["rdb_saves"] and not state["rdb_bgsave_in_progress"]:
            if state["rdb_last_bgsave_status"] != "ok":
                raise BackupError("the database failed to write its snapshot (see server.log)")
            return
        time.sleep(0.05)
    raise BackupError(f"the snapshot took more than {timeout_s:.0f} s")


def _persistence(client: redis.Redis) -> dict[str, Any]:
    """``INFO persistence``: ``rdb_saves`` (snapshots since the start), ``..._in_progress``."""
    return dict(client.info("persistence"))


def _read_manifest(source: Path) -> Backup:
    manifest = source / MANIFEST
    if not manifest.is_file() or not (source / SNAPSHOT).is_file():
        raise BackupError(f"{source} is not a backup: it has no {MANIFEST} and {SNAPSHOT}")
    try:
        meta = json.loads(manifest.read_text())
        made = Backup(source, str(meta["created_at"]), int(meta["bytes"]), str(meta["sha256"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{manifest} is unreadable: {exc}") from exc
    if _sha256(source / SNAPSHOT) != made.sha256:
        raise BackupError(
            f"{source / SNAPSHOT} does not match its SHA-256 in {MANIFEST}: the backup is damaged"
        )
    return made


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
