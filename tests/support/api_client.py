"""A test client that talks to the app as the explorer's own pages do.

The app refuses a ``Host`` that is not this machine or a configured name (DNS rebinding) and a
change without ``X-Requested-With`` (another website's form or ``fetch``), so a plain
``TestClient`` (``Host: testserver``, no header) is refused. :func:`api_client` sends
``Host: 127.0.0.1`` and the pages' header; tests that prove a refusal build their request
explicitly (a ``TestClient`` of their own, or ``headers=`` overriding these).
"""

from __future__ import annotations

from typing import Any, Final

from fastapi.testclient import TestClient
from starlette.types import ASGIApp

BASE_URL: Final = "http://127.0.0.1"
PAGES_HEADERS: Final = {"X-Requested-With": "Resonance"}


def api_client(app: ASGIApp, **kwargs: Any) -> TestClient:
    """A ``TestClient`` for ``app`` on ``http://127.0.0.1`` that sends the pages'
    ``X-Requested-With`` header; ``kwargs`` go to ``TestClient`` (``headers`` are merged)."""
    kwargs.setdefault("base_url", BASE_URL)
    kwargs["headers"] = {**PAGES_HEADERS, **(kwargs.get("headers") or {})}
    return TestClient(app, **kwargs)
