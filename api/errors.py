"""One place that maps the project's errors to HTTP statuses, as ``{"detail": ...}``."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from graph.errors import GraphError, GraphUnavailable, InvalidQuery, LoadError, NodeNotFound

_STATUS: tuple[tuple[type[GraphError], int], ...] = (
    (NodeNotFound, 404),
    (GraphUnavailable, 503),
    (InvalidQuery, 422),
    (LoadError, 422),
)


def status_for(error: GraphError) -> int:
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 500


def install(app: FastAPI) -> None:
    async def handle(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, GraphError)
        return JSONResponse({"detail": str(error)}, status_code=status_for(error))

    app.add_exception_handler(GraphError, handle)
