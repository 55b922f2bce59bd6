"""The API's response models (the OpenAPI document is generated from these)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator


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


MAX_PARAM_DEPTH = 32  # lists and maps in lists and maps; the parameter header is recursive


def _param_problem(params: dict[str, Any]) -> str | None:
    """Why the parameters cannot be sent: a name or map key Cypher cannot write (empty, or with
    a backtick), or nesting deeper than ``MAX_PARAM_DEPTH``; ``None`` when they can. Walked
    with a stack: a deeply nested body must not exhaust the interpreter's."""
    pending: list[tuple[Any, int]] = [(params, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list) and depth > MAX_PARAM_DEPTH:
            return f"nested deeper than {MAX_PARAM_DEPTH} levels"
        if isinstance(item, dict):
            for key in item:
                if not key or "`" in key:
                    return f"name or map key {key!r} is empty or holds a backtick"
            pending.extend((value, depth + 1) for value in item.values())
        elif isinstance(item, list):
            pending.extend((value, depth + 1) for value in item)
    return None


class ConsoleIn(BaseModel):
    query: str = Field(min_length=1, max_length=100_000, description="one read-only statement")
    params: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "the query's $parameters: names and map keys non-empty, without backticks; "
            f"lists and maps nested at most {MAX_PARAM_DEPTH} deep"
        ),
    )

    @field_validator("params")
    @classmethod
    def _names(cls, params: dict[str, Any]) -> dict[str, Any]:
        if (problem := _param_problem(params)) is not None:
            raise ValueError(f"parameters: {problem}")
        return params


class ConsoleOut(BaseModel):
    columns: list[str]
    rows: list[list[Any]] = Field(description="JSON-safe values; nodes and paths as objects")
    truncated: bool = Field(description="there were more rows than the console returns")
    elapsed_ms: float
    nodes: list[dict[str, Any]] = Field(description="every node found in the rows")
    relationships: list[dict[str, Any]] = Field(description="every relationship in the rows")
