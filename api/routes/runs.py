"""The history of analyses: the kept runs, one run, deleting one, comparing two, rising voices
and an account's trajectory."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api.auth import AUTH_RESPONSES, TOKEN_REQUIRED
from api.deps import StoreDep
from api.error_responses import DOWN, ErrorOut, not_found
from api.params import UserId
from api.run_schemas import (
    FromRun,
    MovementOut,
    MovementsOut,
    RunId,
    RunOut,
    ToRun,
    TrajectoriesOut,
    TrajectoryIds,
    TrajectoryOut,
    TrajectoryPointOut,
    run_out,
)
from graph.runs import movement
from graph.runs.history import delete_run, get_run, list_runs
from graph.runs.models import Movement
from graph.runs.trajectory import trajectories, trajectory

router = APIRouter(prefix="/api", tags=["runs"])

PAIR_RESPONSES: dict[int | str, dict[str, Any]] = {
    **not_found("run"),
    409: {"model": ErrorOut, "description": "fewer than two runs are kept"},
}
Limit = Annotated[int, Query(ge=1, le=500, description="how many risers")]
Top = Annotated[int, Query(ge=1, le=500, description="the later run's top N")]
MinAudience = Annotated[
    int, Query(ge=0, le=1_000_000, description="fewest distinct amplifiers in the later run")
]


def _movements(found: tuple[int, int, list[Movement]]) -> MovementsOut:
    earlier, later, items = found
    return MovementsOut(
        from_run=earlier,
        to_run=later,
        items=[MovementOut.model_validate(item, from_attributes=True) for item in items],
    )


@router.get("/runs", response_model=list[RunOut], responses=DOWN, summary="The kept runs")
def runs(store: StoreDep) -> list[RunOut]:
    """Every kept analysis run, newest first, with its provenance (profile, window, counts)."""
    return [run_out(info) for info in list_runs(store)]


# Before /runs/{run_id}, whose ``:int`` keeps "risers" and "compare" from matching it (a
# DELETE of /runs/risers is a 405, not a 422).
@router.get(
    "/runs/risers",
    response_model=MovementsOut,
    response_model_by_alias=True,
    responses=PAIR_RESPONSES,
    summary="Rising voices between two runs",
)
def risers(
    store: StoreDep,
    from_run: FromRun = None,
    to_run: ToRun = None,
    limit: Limit = movement.RISERS,
    min_audience: MinAudience = movement.MIN_AUDIENCE,
) -> MovementsOut:
    """Accounts ranked in the later run, with at least ``min_audience`` amplifiers there, that
    climbed most (an account unranked before counts from just after the earlier run's last
    rank). Default: the two latest runs."""
    return _movements(
        movement.risers(
            store, earlier=from_run, later=to_run, limit=limit, min_audience=min_audience
        )
    )


@router.get(
    "/runs/compare",
    response_model=MovementsOut,
    response_model_by_alias=True,
    responses=PAIR_RESPONSES,
    summary="Compare two runs",
)
def compare(
    store: StoreDep, from_run: FromRun = None, to_run: ToRun = None, top: Top = movement.TOP
) -> MovementsOut:
    """The later run's top ``top`` with their earlier rank, rank change, role and amplifier
    count then and now. Default: the two latest runs."""
    return _movements(movement.compare(store, earlier=from_run, later=to_run, top=top))


@router.get(
    "/runs/trajectories",
    response_model=TrajectoriesOut,
    responses=DOWN,
    summary="Several accounts' ranks across the kept runs",
)
def user_trajectories(store: StoreDep, ids: TrajectoryIds) -> TrajectoriesOut:
    """The trajectory of each account asked for (as on GET /api/users/{id}/trajectory), in one
    read: what the influencer table's sparklines draw. Unknown ids are left out."""
    found = trajectories(store, ids)
    return TrajectoriesOut(
        items=[
            TrajectoryOut(
                user_id=key,
                points=[
                    TrajectoryPointOut.model_validate(point, from_attributes=True)
                    for point in points
                ],
            )
            for key, points in found.items()
        ]
    )


@router.get(
    "/runs/{run_id:int}", response_model=RunOut, responses=not_found("run"), summary="One run"
)
def run(store: StoreDep, run_id: RunId) -> RunOut:
    return run_out(get_run(store, run_id))


@router.delete(
    "/runs/{run_id:int}", status_code=204, dependencies=[TOKEN_REQUIRED], summary="Delete a run",
    responses={
        **not_found("run"), **AUTH_RESPONSES,
        409: {"model": ErrorOut, "description": "the latest run (its scores are shown)"},
    },
)  # fmt: skip
def remove_run(store: StoreDep, run_id: RunId) -> Response:
    """Delete a kept run and its rankings; the latest cannot be deleted."""
    delete_run(store, run_id)
    return Response(status_code=204)


@router.get(
    "/users/{user_id}/trajectory",
    response_model=TrajectoryOut,
    responses=not_found("user"),
    tags=["users"],
    summary="The account's rank across the kept runs",
)
def user_trajectory(store: StoreDep, user_id: UserId) -> TrajectoryOut:
    """Rank and score in each kept run, oldest first (null where it was not ranked)."""
    points = [
        TrajectoryPointOut.model_validate(point, from_attributes=True)
        for point in trajectory(store, user_id)
    ]
    return TrajectoryOut(user_id=user_id, points=points)
