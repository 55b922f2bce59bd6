"""Saved targeting queries: list, keep one, delete one (the built-in ones stay)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field

from api.auth import AUTH_RESPONSES, TOKEN_REQUIRED
from api.deps import StoreDep
from api.error_responses import BAD_INPUT, DOWN, ErrorOut, not_found
from api.params import NO_NUL
from graph.console.saved_queries import MAX_DESCRIPTION, MAX_LABEL, MAX_QUERY, SavedQueries

router = APIRouter(prefix="/api/queries", tags=["console"])

QueryId = Annotated[
    str, Path(min_length=1, max_length=64, pattern=NO_NUL, description="the query's id")
]


class SavedQueryIn(BaseModel):
    label: str = Field(min_length=1, max_length=MAX_LABEL, pattern=r"^[^\x00]*\S[^\x00]*$")
    description: str = Field(default="", max_length=MAX_DESCRIPTION, pattern=NO_NUL)
    query: str = Field(min_length=1, max_length=MAX_QUERY, description="read-only Cypher")
    params: dict[str, Any] = Field(
        default_factory=dict, description="the $parameters and their defaults"
    )


class SavedQueryOut(BaseModel):
    id: str
    label: str
    description: str
    query: str
    params: dict[str, Any]
    builtin: bool = Field(description="ships with the app; cannot be deleted")
    created_at: str


class SavedQueriesOut(BaseModel):
    items: list[SavedQueryOut]


@router.get("", response_model=SavedQueriesOut, responses=DOWN, summary="Saved targeting queries")
def list_queries(store: StoreDep) -> SavedQueriesOut:
    """The built-in targeting queries, then the saved ones, oldest first; run one with
    ``POST /api/console`` (its ``params`` are the defaults)."""
    items = [SavedQueryOut(**asdict(query)) for query in SavedQueries(store).list()]
    return SavedQueriesOut(items=items)


@router.post(
    "",
    status_code=201,
    response_model=SavedQueryOut,
    responses={**BAD_INPUT, **AUTH_RESPONSES},
    dependencies=[TOKEN_REQUIRED],
    summary="Keep a targeting query",
)
def save_query(store: StoreDep, body: SavedQueryIn) -> SavedQueryOut:
    """Keep a query with its label, description and parameters' defaults (422 for what the
    console refuses before running: LOAD CSV, parameters no server can take). The console's
    read-only rules apply when it runs, unchanged."""
    saved = SavedQueries(store).create(
        body.label.strip(), body.query, body.params, body.description
    )
    return SavedQueryOut(**asdict(saved))


@router.delete(
    "/{query_id}",
    status_code=204,
    response_class=Response,
    responses={
        **not_found("saved query"),
        409: {"model": ErrorOut, "description": "a built-in query"},
        **AUTH_RESPONSES,
    },
    dependencies=[TOKEN_REQUIRED],
    summary="Delete a saved query",
)
def delete_query(store: StoreDep, query_id: QueryId) -> Response:
    SavedQueries(store).delete(query_id)
    return Response(status_code=204)
