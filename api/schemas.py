"""The API's response models (the OpenAPI document is generated from these)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, BeforeValidator, Field, field_validator

from graph.console.checks import MAX_PARAM_DEPTH, param_problem


class InfluencerOut(BaseModel):
    id: str
    handle: str
    name: str
    rank: int
    score: float
    pagerank: float
    followers: int | None
    amplifiers: int
    community: int | None
    betweenness: float
    core: int
    is_brand: bool
    bio: str
    role: str | None = None
    roles: list[str] = []
    reasons: list[str] = []
    topics: list[str] = []
    topic_ranks: list[int] = []
    acts: int = 0
    communities_reached: int = 0
    influence: float = 0.0
    top_amplifiers: list[str] = []
    top_amplifier_shares: list[float] = []
    top_posts: list[str] = []


class InfluencerPage(BaseModel):
    items: list[InfluencerOut]
    total: int
    limit: int
    offset: int


class Health(BaseModel):
    status: str
    backend: str


def _number_not_bool(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("a number, not true or false")
    return value


#: For the numbers of request bodies: pydantic reads a JSON ``true`` as 1 in an int field
#: (``{"k": true}`` was a backtest of the top 1), JSON Schema does not.
NOT_BOOL = BeforeValidator(_number_not_bool)


class ConsoleIn(BaseModel):
    query: str = Field(min_length=1, max_length=100_000, description="one read-only statement")
    params: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "the query's $parameters: names and map keys non-empty, without backticks; no NUL "
            f"character anywhere; lists and maps nested at most {MAX_PARAM_DEPTH} deep"
        ),
    )

    @field_validator("params")
    @classmethod
    def _names(cls, params: dict[str, Any]) -> dict[str, Any]:
        if (problem := param_problem(params)) is not None:
            raise ValueError(f"parameters: {problem}")
        return params


class ConsoleOut(BaseModel):
    columns: list[str]
    rows: list[list[Any]] = Field(description="JSON-safe values; nodes and paths as objects")
    truncated: bool = Field(description="there were more rows than the console returns")
    elapsed_ms: float
    nodes: list[dict[str, Any]] = Field(description="every node found in the rows")
    relationships: list[dict[str, Any]] = Field(description="every relationship in the rows")
