"""Provenance of the latest analysis."""

from __future__ import annotations

from fastapi import APIRouter

from api.error_responses import not_found
from api.explorer_schemas import AnalysisOut
from api.routes.explorer_deps import ExplorerDep

router = APIRouter(prefix="/api", tags=["analysis"])


@router.get(
    "/analysis",
    response_model=AnalysisOut,
    responses=not_found("analysis (nothing analysed yet)"),
    summary="The latest analysis",
)
def latest_analysis(explorer: ExplorerDep) -> AnalysisOut:
    """Which profile (with every setting), which window, when, and what it counted."""
    return AnalysisOut.model_validate(explorer.analysis(), from_attributes=True)
