"""What the history's reads return."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.backends.base import Row


@dataclass(frozen=True, slots=True)
class RunInfo:
    """One complete run: its window, its profile, when, and what it counted."""

    id: int
    since: str
    until: str
    reference: str
    profile: str
    settings: dict[str, Any]
    analyzed_at: str
    started_at: str
    finished_at: str
    users_scored: int
    ranked: int
    edges: int
    events: int
    topics: int
    communities: int
    discounted_pairs: int
    latest: bool
    engine: str = "local"  # where it ran: "local" (this process) or "spark"
    spark_master: str | None = None
    spark_partitions: int | None = None


@dataclass(frozen=True, slots=True)
class TrajectoryPoint:
    """An account's standing in one run; ``rank`` and ``score`` are None where unranked."""

    run: int
    since: str
    until: str
    analyzed_at: str
    rank: int | None
    score: float | None
    role: str | None
    amplifiers: int | None


@dataclass(frozen=True, slots=True)
class Movement:
    """An account ranked in the later of two runs, with its standing in the earlier one
    (None: unranked then). ``gain`` is the ranks it climbed (negative: it fell); for a riser
    unranked before it counts from just after the earlier run's last rank."""

    id: str
    handle: str
    rank: int
    score: float
    role: str | None
    amplifiers: int
    earlier_rank: int | None
    earlier_score: float | None
    earlier_role: str | None
    earlier_amplifiers: int | None
    gain: int | None
    reasons_gained: tuple[str, ...] = ()  # in the later run's reasons, not the earlier's
    reasons_lost: tuple[str, ...] = ()  # the other way round


@dataclass(frozen=True, slots=True)
class RunStanding:
    """An account's rank, score, role, audience and topic ranks in one run."""

    rank: int
    score: float
    role: str | None
    amplifiers: int
    topics: tuple[str, ...]
    topic_ranks: tuple[int, ...]


def optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def movement_from_row(row: Row) -> Movement:
    return Movement(
        id=str(row["id"]),
        handle=str(row.get("handle") or row["id"]),
        rank=int(row["rank"]),
        score=float(row.get("score") or 0.0),
        role=str(row["role"]) if row.get("role") else None,
        amplifiers=int(row.get("amplifiers") or 0),
        earlier_rank=optional_int(row.get("earlier_rank")),
        earlier_score=optional_float(row.get("earlier_score")),
        earlier_role=str(row["earlier_role"]) if row.get("earlier_role") else None,
        earlier_amplifiers=optional_int(row.get("earlier_amplifiers")),
        gain=optional_int(row.get("gain")),
        **_reason_changes(row.get("reasons") or [], row.get("earlier_reasons") or []),
    )


def _reason_changes(now: list[str], then: list[str]) -> dict[str, tuple[str, ...]]:
    """The reasons gained and lost between two runs, each in its run's order (a run keeps the
    reasons of its top ``graph.store.REASONS_KEPT`` accounts only: beyond, none to compare).

    >>> _reason_changes(["#vegan: rank 1", "bridge"], ["#vegan: rank 3", "bridge"])
    {'reasons_gained': ('#vegan: rank 1',), 'reasons_lost': ('#vegan: rank 3',)}
    """
    return {
        "reasons_gained": tuple(reason for reason in now if reason not in then),
        "reasons_lost": tuple(reason for reason in then if reason not in now),
    }
