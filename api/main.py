"""The FastAPI application: ``create_app(settings)`` is one of the two composition roots."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api import docs, errors
from api.auth import AUTH_RESPONSES, GUARD_RESPONSES, PAGE_RESPONSES, TOKEN_REQUIRED, check_exposure
from api.deps import ConsoleProvider, StoreProvider
from api.forwarded import TrustedProxyHeaders
from api.guard import RequestGuard
from api.job_files import start_job_runner
from api.response_cache import ResponseCache
from api.routes import (
    analysis,
    backtest,
    communities,
    health,
    influencers,
    jobs,
    lookalikes,
    pages,
    profiles,
    reading,
    runs,
    saved_queries,
    shortlists,
    target,
    topics,
    users,
)
from api.routes import console as console_routes
from api.security_headers import SecurityHeaders
from api.throttle import FailureLimiter
from graph.backends.base import Backend
from graph.config import Settings
from graph.console.protocol import Console
from web.pages import static_dir


def create_app(
    settings: Settings | None = None,
    *,
    backend: Backend | None = None,
    console: Console | None = None,
) -> FastAPI:
    """Build the app. A ``backend`` or ``console`` passed in stays the caller's to close."""
    settings = settings or Settings()
    check_exposure(settings)
    provider = StoreProvider(settings, backend)
    consoles = ConsoleProvider(settings, console)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            try:
                consoles.close()
            finally:
                provider.close()

    app = FastAPI(
        title="Resonance",
        version="0.1.0",
        description="Influence from who amplified whom, per topic, with every score explained.",
        lifespan=lifespan,
        docs_url=None,  # /docs, /redoc and /openapi.json: api/docs.py (vendored, behind login)
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.stores = provider
    app.state.consoles = consoles
    app.state.jobs = start_job_runner(settings.data_dir)  # one job at a time, across processes
    app.state.auth_failures = FailureLimiter()
    errors.install(app)
    # Inside the guard: whole responses of the heavy reads, once per data stamp.
    app.add_middleware(ResponseCache, max_bytes=settings.response_cache_mb << 20)
    # Host, origin of changes, token and body cap, before any body is read (api/guard.py).
    app.add_middleware(RequestGuard)
    # Outside the guard: a trusted proxy's X-Forwarded-* first (api/forwarded.py).
    app.add_middleware(TrustedProxyHeaders)
    app.include_router(health.router, responses=GUARD_RESPONSES)
    for api_router in (
        influencers.router,
        users.router,
        lookalikes.router,
        topics.router,
        communities.router,
        analysis.router,
        runs.router,
        console_routes.router,
        saved_queries.router,
        shortlists.router,
        jobs.router,
        backtest.router,
        profiles.router,
        reading.router,
        target.router,
    ):
        app.include_router(api_router, dependencies=[TOKEN_REQUIRED], responses=AUTH_RESPONSES)
    app.include_router(pages.router, responses=PAGE_RESPONSES)
    app.include_router(backtest.page_router, responses=PAGE_RESPONSES)
    app.include_router(profiles.page_router, responses=PAGE_RESPONSES)
    app.mount("/static", StaticFiles(directory=static_dir()), name="static")
    docs.install(app)
    app.add_middleware(SecurityHeaders)  # outermost: CSP, frames, nosniff on every response
    return app


def app_from_environment() -> FastAPI:
    """The app of a worker of ``resonance serve --workers N``: its settings from the
    environment, which the command set up (uvicorn imports this in each worker process);
    what is alive once it is built is moved out of the collector's reach, as ``api.serving.run``
    does for one process."""
    built = create_app(Settings())
    gc.collect()
    gc.freeze()
    return built
