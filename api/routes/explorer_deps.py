"""What the explorer's routes share: the ``Explorer`` dependency, parameters, error responses."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Query

from api.deps import StoreDep
from api.explorer_schemas import ErrorOut
from graph.explorer import Explorer


def get_explorer(store: StoreDep) -> Explorer:
    return Explorer(store)


ExplorerDep = Annotated[Explorer, Depends(get_explorer)]

UserId = Annotated[str, Path(min_length=1, max_length=200, description="the user's id")]
Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="rows to skip")]
NetworkLimit = Annotated[
    int, Query(ge=1, le=500, description="the most nodes drawn, best score first")
]

DOWN: dict[int | str, dict[str, Any]] = {
    503: {"model": ErrorOut, "description": "the database is not reachable"}
}


def not_found(what: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses of a read that names something: 404 when unknown, 503 when down."""
    return {404: {"model": ErrorOut, "description": f"no such {what}"}, **DOWN}
