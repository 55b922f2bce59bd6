"""The FastAPI application: ``create_app(settings)`` is one of the two composition roots."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api import errors
from api.deps import StoreProvider
from api.routes import (
    analysis,
    communities,
    health,
    influencers,
    lookalikes,
    pages,
    topics,
    users,
)
from graph.backends.base import Backend
from graph.config import Settings
from web.network import static_dir


def create_app(settings: Settings | None = None, *, backend: Backend | None = None) -> FastAPI:
    """Build the app. A ``backend`` passed in stays the caller's to close."""
    settings = settings or Settings()
    provider = StoreProvider(settings, backend)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            provider.close()

    app = FastAPI(
        title="Resonance",
        version="0.1.0",
        description="Influence from who amplified whom, per topic, with every score explained.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.stores = provider
    errors.install(app)
    app.include_router(health.router)
    app.include_router(influencers.router)
    app.include_router(users.router)
    app.include_router(lookalikes.router)
    app.include_router(topics.router)
    app.include_router(communities.router)
    app.include_router(analysis.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=static_dir()), name="static")
    return app
