"""What the explorer's routes share: the ``Explorer`` dependency, parameters, error responses."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Query

from api.deps import RunCacheDep, StoreDep
from api.explorer_schemas import NO_NUL, ErrorOut, InvalidOut
from graph.explorer.models import Subgraph
from graph.explorer.reads import Explorer


def network_fields(view: Subgraph) -> dict[str, object]:
    """What every network response has: nodes, edges and whether the limit cut it."""
    return {"nodes": view.network.nodes, "edges": view.network.edges, "truncated": view.truncated}


def get_explorer(store: StoreDep, cache: RunCacheDep) -> Explorer:
    return Explorer(store, cache)


ExplorerDep = Annotated[Explorer, Depends(get_explorer)]

UserId = Annotated[
    str, Path(min_length=1, max_length=200, pattern=NO_NUL, description="the user's id")
]
Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="rows to skip")]
NetworkLimit = Annotated[
    int, Query(ge=1, le=500, description="the most nodes drawn, best score first")
]
PAGE = 50  # the default of ``Limit``
NETWORK = 100  # the default of ``NetworkLimit``

#: A route that asks the database: 422 when the input does not validate (``detail`` lists the
#: fields) or the database refuses the query (``detail`` says why, in words), 503 when down.
DOWN: dict[int | str, dict[str, Any]] = {
    422: {"model": InvalidOut, "description": "invalid input, or a query the database refused"},
    503: {"model": ErrorOut, "description": "the database is not reachable"},
}
#: A route that reads a JSON body: 400 when it is not JSON at all, 422 as above.
BAD_INPUT: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "the body could not be parsed"},
    422: DOWN[422],
}


def not_found(what: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses of a read that names something: 404 when unknown, 503 when down."""
    return {404: {"model": ErrorOut, "description": f"no such {what}"}, **DOWN}
