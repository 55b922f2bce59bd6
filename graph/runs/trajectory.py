"""One account across the kept runs: its rank and score in each, oldest first."""

from __future__ import annotations

from graph.errors import NodeNotFound
from graph.runs import queries as q
from graph.runs.models import TrajectoryPoint, optional_float, optional_int
from graph.store import Store


def trajectory(store: Store, user_id: str) -> list[TrajectoryPoint]:
    """The account's standing in every complete run, oldest first; a run that did not rank it
    has ``rank`` and ``score`` None. :class:`~graph.errors.NodeNotFound` for an unknown id."""
    if not store.read(q.USER_EXISTS, {"id": user_id}):
        raise NodeNotFound("User", user_id)
    return [
        TrajectoryPoint(
            run=int(row["run"]),
            since=str(row.get("since") or ""),
            until=str(row.get("until") or ""),
            analyzed_at=str(row.get("analyzed_at") or ""),
            rank=optional_int(row.get("rank")),
            score=optional_float(row.get("score")),
            role=str(row["role"]) if row.get("role") else None,
            amplifiers=optional_int(row.get("amplifiers")),
        )
        for row in store.read(q.TRAJECTORY, {"id": user_id})
    ]
