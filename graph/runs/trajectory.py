"""One account across the kept runs: its rank and score in each, oldest first; or several
accounts at once."""

from __future__ import annotations

from graph.backends.base import Row
from graph.errors import NodeNotFound
from graph.runs import queries as q
from graph.runs.models import TrajectoryPoint, optional_float, optional_int
from graph.store import Store

#: The most accounts :func:`trajectories` takes at once.
MAX_IDS = 100


def _point(row: Row) -> TrajectoryPoint:
    return TrajectoryPoint(
        run=int(row["run"]),
        since=str(row.get("since") or ""),
        until=str(row.get("until") or ""),
        analyzed_at=str(row.get("analyzed_at") or ""),
        rank=optional_int(row.get("rank")),
        score=optional_float(row.get("score")),
        role=str(row["role"]) if row.get("role") else None,
        amplifiers=optional_int(row.get("amplifiers")),
    )


def trajectory(store: Store, user_id: str) -> list[TrajectoryPoint]:
    """The account's standing in every complete run, oldest first; a run that did not rank it
    has ``rank`` and ``score`` None. :class:`~graph.errors.NodeNotFound` for an unknown id."""
    if not store.read(q.USER_EXISTS, {"id": user_id}):
        raise NodeNotFound("User", user_id)
    return [_point(row) for row in store.read(q.TRAJECTORY, {"id": user_id})]


def trajectories(store: Store, user_ids: list[str]) -> dict[str, list[TrajectoryPoint]]:
    """The trajectory of each known account of ``user_ids`` (at most :data:`MAX_IDS`, repeats
    counted once), in the order first asked, in one read; an unknown id is left out. Each is as
    :func:`trajectory` gives it (empty while no run is kept)."""
    wanted = list(dict.fromkeys(user_ids))
    if len(wanted) > MAX_IDS:
        raise ValueError(f"at most {MAX_IDS} ids at once, not {len(wanted)}")
    found: dict[str, list[TrajectoryPoint]] = {}
    for row in store.read(q.TRAJECTORIES, {"ids": wanted}) if wanted else []:
        points = found.setdefault(str(row["id"]), [])
        if row.get("run") is not None:
            points.append(_point(row))
    return {key: found[key] for key in wanted if key in found}
