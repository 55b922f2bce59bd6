"""Response models and parameters of the run history (``/api/runs``, trajectories, and the
``run`` parameter of the influencer lists and of an account's details)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import BaseModel, Field, StringConstraints

from api.params import NO_NUL
from graph.runs.models import RunInfo
from graph.runs.trajectory import MAX_IDS

RunId = Annotated[int, Path(ge=0, description="the run's id (its stamp, epoch ms)")]
PastRun = Annotated[
    int | None,
    Query(
        ge=0,
        description="a kept run's id (GET /api/runs): its ranking as it was; default the latest",
    ),
]
FromRun = Annotated[
    int | None, Query(ge=0, alias="from", description="the earlier run (default: the one before)")
]
ToRun = Annotated[
    int | None, Query(ge=0, alias="to", description="the later run (default: the latest)")
]
TrajectoryIds = Annotated[
    list[Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=NO_NUL)]],
    Query(
        min_length=1,
        max_length=MAX_IDS,
        description=f"the accounts' ids, repeated (ids=a&ids=b), at most {MAX_IDS}",
    ),
]


class RunOut(BaseModel):
    id: int = Field(description="the run stamp (epoch ms), as on GET /api/analysis")
    latest: bool = Field(description="the run whose scores the accounts carry")
    profile: str
    settings: dict[str, Any] = Field(description="every weight and threshold of the profile")
    since: str | None
    until: str | None
    reference: str | None = Field(description="the time recency is measured from")
    analyzed_at: str | None
    started_at: str | None
    finished_at: str | None
    users_scored: int
    ranked: int
    edges: int
    events: int
    topics: int
    communities: int
    discounted_pairs: int
    engine: str = Field(default="local", description="where it ran: local or spark")
    spark_master: str | None = Field(default=None, description="the Spark master, on Spark")
    spark_partitions: int | None = Field(default=None, description="shuffle partitions")


class TrajectoryPointOut(BaseModel):
    run: int
    since: str | None
    until: str | None
    analyzed_at: str | None
    rank: int | None = Field(description="null: not ranked in that run")
    score: float | None
    role: str | None
    amplifiers: int | None


class TrajectoryOut(BaseModel):
    user_id: str
    points: list[TrajectoryPointOut] = Field(description="one per kept run, oldest first")


class TrajectoriesOut(BaseModel):
    items: list[TrajectoryOut] = Field(
        description="one per known account, in the order asked (unknown ids are left out)"
    )


class MovementOut(BaseModel):
    id: str
    handle: str
    rank: int = Field(description="rank in the later run")
    score: float
    role: str | None
    amplifiers: int = Field(description="distinct amplifiers in the later run")
    earlier_rank: int | None = Field(description="null: not ranked in the earlier run")
    earlier_score: float | None
    earlier_role: str | None
    earlier_amplifiers: int | None
    gain: int | None = Field(description="ranks climbed (negative: fell)")
    reasons_gained: list[str] = Field(
        description="its reasons in the later run that the earlier did not give (a run keeps "
        "the reasons of its top 1,000 accounts)"
    )
    reasons_lost: list[str] = Field(description="its reasons in the earlier run, gone since")


class MovementsOut(BaseModel):
    from_run: int = Field(serialization_alias="from")
    to_run: int = Field(serialization_alias="to")
    items: list[MovementOut]


def run_out(info: RunInfo) -> RunOut:
    """An open window bound (and any time not recorded) is null, as on GET /api/analysis."""
    fields = asdict(info)
    return RunOut.model_validate({k: None if v == "" else v for k, v in fields.items()})
