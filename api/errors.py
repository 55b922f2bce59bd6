"""One place that maps the project's errors to HTTP statuses, as ``{"detail": ...}``.

A 422 of FastAPI's validation lists each failed field with the ``input`` it got: that is cut
to an excerpt of :data:`MAX_ECHO` characters, so a refusal never sends back a whole body (a
megabyte of it, or a neighbour's secret pasted in the wrong field).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Final

from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from graph.analysis.profile import ProfileError
from graph.analysis.profile_fields import ProfileExists
from graph.analysis.window import InvalidWindow
from graph.console.saved_queries import BuiltinQuery
from graph.errors import (
    GraphError,
    GraphUnavailable,
    InvalidQuery,
    LoadError,
    NodeNotFound,
    ServerError,
)
from graph.runs.history import LatestRunKept, TooFewRuns
from graph.runs.profile_runs import ProfileNotRun

_STATUS: tuple[tuple[type[GraphError], int], ...] = (
    (NodeNotFound, 404),
    (GraphUnavailable, 503),
    (ServerError, 503),  # the embedded database (or the console's replica) cannot be started
    (InvalidQuery, 422),
    (LoadError, 422),
    (ProfileExists, 409),  # before ProfileError, its base
    (ProfileError, 422),
    (InvalidWindow, 422),
    (LatestRunKept, 409),  # the latest run's scores are the ones shown
    (TooFewRuns, 409),
    (ProfileNotRun, 409),  # analyse with the profile first
    (BuiltinQuery, 409),  # it ships with the app
)


def status_for(error: GraphError) -> int:
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 500


#: The most characters of a refused input that a 422 echoes.
MAX_ECHO: Final = 100


def excerpt(value: Any) -> Any:
    """``value`` as a 422 may echo it: short values as they are, longer ones (and anything
    JSON cannot carry, such as NaN) as the first :data:`MAX_ECHO` characters of their text.

    >>> excerpt("x" * 101) == "x" * 100 + "…", excerpt([1, 2]), excerpt(float("nan"))
    (True, [1, 2], 'nan')
    """
    if isinstance(value, BaseException) or (isinstance(value, float) and not math.isfinite(value)):
        value = str(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= MAX_ECHO else value[:MAX_ECHO] + "…"
    try:
        text = json.dumps(jsonable_encoder(value), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        text = repr(value)
    else:
        if len(text) <= MAX_ECHO:
            return jsonable_encoder(value)
    return text[:MAX_ECHO] + "…" if len(text) > MAX_ECHO else text


def shortened(errors: Any) -> list[dict[str, Any]]:
    """FastAPI's validation errors with each ``input`` (and each ``ctx`` value) cut short."""
    result = []
    for error in errors:
        item = dict(error)
        if "input" in item:
            item["input"] = excerpt(item["input"])
        if isinstance(item.get("ctx"), dict):
            item["ctx"] = {key: excerpt(value) for key, value in item["ctx"].items()}
        result.append(jsonable_encoder(item))
    return result


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

    async def handle_invalid(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return JSONResponse({"detail": shortened(error.errors())}, status_code=422)

    app.add_exception_handler(GraphError, handle)
    app.add_exception_handler(RequestValidationError, handle_invalid)
    app.add_exception_handler(HTTPException, handle_http)
