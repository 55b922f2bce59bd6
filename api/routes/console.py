"""The read-only Cypher console: one statement, a time limit, a row cap, a memory cap."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

from api.auth import WRITE
from api.deps import ConsoleDep
from api.explorer_schemas import ErrorOut
from api.routes.explorer_deps import BAD_INPUT
from api.schemas import ConsoleIn, ConsoleOut

router = APIRouter(prefix="/api", tags=["console"], dependencies=[WRITE])

RESPONSES: dict[int | str, dict[str, Any]] = {
    **BAD_INPUT,
    422: {**BAD_INPUT[422], "description": "refused: a write, invalid Cypher, over a limit"},
    503: {"model": ErrorOut, "description": "the console's database is restarting or down"},
}


@router.post(
    "/console", response_model=ConsoleOut, responses=RESPONSES, summary="Run read-only Cypher"
)
def run_console(console: ConsoleDep, body: ConsoleIn) -> ConsoleOut:
    """Run one read-only statement with its parameters. Writes, LOAD CSV and several
    statements are refused (422 with the reason); at most ``RESONANCE_CONSOLE_MAX_ROWS`` rows
    come back (``truncated`` says when there were more)."""
    return ConsoleOut.model_validate(asdict(console.run(body.query, body.params)))
