"""One place that maps the project's errors to HTTP statuses, as ``{"detail": ...}``."""

from __future__ import annotations

import re

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from graph.errors import (
    GraphError,
    GraphUnavailable,
    InvalidQuery,
    LoadError,
    NodeNotFound,
    ServerError,
)
from graph.profile import ProfileError

_STATUS: tuple[tuple[type[GraphError], int], ...] = (
    (NodeNotFound, 404),
    (GraphUnavailable, 503),
    (ServerError, 503),  # the embedded database (or the console's replica) cannot be started
    (InvalidQuery, 422),
    (LoadError, 422),
    (ProfileError, 422),
)


def status_for(error: GraphError) -> int:
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 500


METHODS = frozenset({"get", "head", "post", "put", "patch", "delete", "options"})


def documented_methods(request: Request) -> list[str]:
    """The methods the OpenAPI document lists for the request's path (the most literal of the
    templates that match it: ``/api/jobs/analyze`` before ``/api/jobs/{job_id}``); empty when
    the path is not documented. Starlette answers 405 with the methods of the first route
    whose path matches, though each method of a path is its own route."""
    path = request.url.path
    paths: dict[str, dict[str, object]] = request.app.openapi()["paths"]
    matching = [template for template in paths if compile_path(template)[0].match(path)]
    if not matching:
        return []
    template = max(matching, key=lambda found: len(re.sub(r"\{[^}]*\}", "", found)))
    return sorted(method.upper() for method in paths[template] if method in METHODS)


def install(app: FastAPI) -> None:
    async def handle(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, GraphError)
        return JSONResponse({"detail": str(error)}, status_code=status_for(error))

    async def handle_http(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        if error.status_code == 405 and (methods := documented_methods(request)):
            headers = {**(error.headers or {}), "Allow": ", ".join(methods)}
            error = HTTPException(405, error.detail, headers=headers)
        return await http_exception_handler(request, error)

    app.add_exception_handler(GraphError, handle)
    app.add_exception_handler(HTTPException, handle_http)
