"""The error bodies every route may answer, and their OpenAPI entries (404, 422, 503, 400)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorOut(BaseModel):
    detail: str = Field(description="what went wrong, in words")


class FieldErrorOut(BaseModel):
    """One failed check of the request, as FastAPI reports it (more keys may come with it)."""

    loc: list[str | int] = Field(description="where: body, query or path, then the field")
    msg: str
    type: str


class InvalidOut(BaseModel):
    detail: str | list[FieldErrorOut] = Field(
        description="why the input was refused: in words, or the fields that failed validation"
    )


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
