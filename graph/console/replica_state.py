"""What a shared console replica tells the worker processes that use it, through its folder.

``resonance serve --workers N`` runs one replica for all workers (:mod:`graph.console.shared`):
the serving process owns it (its watchdog, ``graph.console.replica.ConsoleReplica`` with
``shared=True``) and publishes its state in ``<replica folder>/state.json`` (0600, replaced
whole); a worker reads it to find the replica, asks for it by creating ``wanted`` (the first
replica starts on the first console query, as with one process), and records why it killed
one (a query past its time limit, a main server that restarted) in ``kills/<generation>.json``
before it sends the SIGKILL, so that the owner records the death with its reason.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

Reason = Literal["memory", "time", "crash", "restart"]
STATE = "state.json"
WANTED = "wanted"
KILLS = "kills"


@dataclass(frozen=True, slots=True)
class Death:
    """How one replica (one ``generation``) ended."""

    generation: int
    reason: Reason
    detail: str
    peak_rss: int


@dataclass(frozen=True, slots=True)
class ReplicaState:
    """The owner's view of its replica: which generation, where, whether it is synced."""

    generation: int
    pid: int
    port: int
    password: str
    ready: bool
    problem: str
    following: tuple[int, int] | None  # (pid, port) of the main server it replicates
    deaths: dict[int, Death] = field(default_factory=dict)


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (0600) by replacing it, so a reader never sees half."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(partial, path)


def publish(folder: Path, state: ReplicaState) -> None:
    data = asdict(state)
    data["deaths"] = [asdict(death) for death in state.deaths.values()]
    _write_private(folder / STATE, json.dumps(data))


def read_state(folder: Path) -> ReplicaState | None:
    """The published state; None before the first (or once the folder is gone)."""
    try:
        data: dict[str, Any] = json.loads((folder / STATE).read_text())
    except (OSError, ValueError):
        return None
    following = data.get("following")
    deaths = {
        int(death["generation"]): Death(
            int(death["generation"]),
            cast(Reason, death["reason"]),
            str(death["detail"]),
            int(death["peak_rss"]),
        )
        for death in data.get("deaths", [])
    }
    return ReplicaState(
        generation=int(data["generation"]),
        pid=int(data["pid"]),
        port=int(data["port"]),
        password=str(data["password"]),
        ready=bool(data["ready"]),
        problem=str(data["problem"]),
        following=(int(following[0]), int(following[1])) if following else None,
        deaths=deaths,
    )


def want(folder: Path) -> None:
    """Ask the owner for a replica (idempotent)."""
    path = folder / WANTED
    if not path.exists():
        with contextlib.suppress(OSError):
            path.touch()


def wanted(folder: Path) -> bool:
    return (folder / WANTED).exists()


def request_kill(folder: Path, generation: int, reason: Reason, detail: str) -> bool:
    """Record why ``generation`` is about to be killed; False if a kill was already asked."""
    kills = folder / KILLS
    kills.mkdir(mode=0o700, exist_ok=True)
    try:
        fd = os.open(kills / f"{generation}.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as handle:
        handle.write(json.dumps({"reason": reason, "detail": detail}))
    return True


def kill_request(folder: Path, generation: int) -> tuple[Reason, str] | None:
    """Why a worker killed ``generation`` (and forget older requests); None if none did."""
    kills = folder / KILLS
    found: tuple[Reason, str] | None = None
    with contextlib.suppress(OSError, ValueError, KeyError):
        data = json.loads((kills / f"{generation}.json").read_text())
        found = (cast(Reason, data["reason"]), str(data["detail"]))
    with contextlib.suppress(OSError):
        for old in kills.glob("*.json"):
            if old.stem.isdigit() and int(old.stem) <= generation:
                old.unlink(missing_ok=True)
    return found
