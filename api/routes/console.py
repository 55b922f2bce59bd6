"""The read-only Cypher console: one statement, a time limit, a row cap, a memory cap."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request, Response

from api.auth import TOKEN_REQUIRED
from api.deps import ConsolesDep
from api.error_responses import BAD_INPUT, ErrorOut
from api.schemas import ConsoleIn, ConsoleOut
from graph.console.protocol import Console
from web.console_csv import console_csv_lines

router = APIRouter(prefix="/api", tags=["console"], dependencies=[TOKEN_REQUIRED])

RESPONSES: dict[int | str, dict[str, Any]] = {
    **BAD_INPUT,
    422: {**BAD_INPUT[422], "description": "refused: a write, invalid Cypher, over a limit"},
    429: {
        "model": ErrorOut,
        "description": "too many console queries in flight (2 per client address by default, "
        "RESONANCE_CONSOLE_PER_CLIENT), or the console's queue is full; see Retry-After",
    },
    503: {"model": ErrorOut, "description": "the console's database is restarting or down"},
}


def _client(request: Request) -> str:
    """The address the per-client limit counts the query against."""
    return request.client.host if request.client is not None else "unknown"


@router.post(
    "/console", response_model=ConsoleOut, responses=RESPONSES, summary="Run read-only Cypher"
)
async def run_console(consoles: ConsolesDep, body: ConsoleIn, request: Request) -> Response:
    """Run one read-only statement with its parameters. Writes, LOAD CSV and several
    statements are refused (422 with the reason); at most ``RESONANCE_CONSOLE_MAX_ROWS`` rows
    come back (``truncated`` says when there were more). Queries run on the console's own
    threads (``RESONANCE_CONSOLE_WORKERS``), at most ``RESONANCE_CONSOLE_PER_CLIENT`` per
    client address at a time (429 with ``Retry-After`` beyond it)."""

    def answer(console: Console) -> Response:  # on the console's thread, JSON included
        out = ConsoleOut.model_validate(asdict(console.run(body.query, body.params)))
        return Response(out.model_dump_json(), media_type="application/json")

    return await consoles.run(_client(request), answer)


@router.post(
    "/console.csv",
    response_class=Response,
    responses={**RESPONSES, 200: {"content": {"text/csv": {}}, "description": "the rows as CSV"}},
    summary="Run read-only Cypher, rows as CSV",
)
async def run_console_csv(consoles: ConsolesDep, body: ConsoleIn, request: Request) -> Response:
    """``POST /api/console`` with the rows as a CSV download: the same refusals and limits;
    every field quoted, text that a spreadsheet would run as a formula neutralised, a node
    written as its labels and id, a relationship as its type, lists and maps as JSON."""

    def answer(console: Console) -> Response:
        text = "".join(console_csv_lines(console.run(body.query, body.params)))
        return Response(
            text,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="resonance-console.csv"'},
        )

    return await consoles.run(_client(request), answer)
