"""Liveness of the service and of its database."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import StoreDep
from api.error_responses import DOWN
from api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, responses={503: DOWN[503]})
def health(store: StoreDep) -> Health:
    """``ok`` when the database answers; 503 with a message a person can act on when not."""
    store.ping()
    return Health(status="ok", backend=store.backend_name)
