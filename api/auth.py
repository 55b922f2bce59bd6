"""The API token: required for every change when one is set, and for everything under ``/api``
when the server listens beyond this machine (where starting without one is refused)."""

from __future__ import annotations

import hmac

from fastapi import Depends, HTTPException, Request

from graph.config import Settings
from graph.errors import ConfigError

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def is_local(settings: Settings) -> bool:
    return settings.host in LOCAL_HOSTS


def check_exposure(settings: Settings) -> None:
    """Refuse to serve beyond this machine without a token."""
    if not is_local(settings) and settings.api_token is None:
        raise ConfigError(
            f"RESONANCE_HOST={settings.host} serves beyond this machine: set RESONANCE_API_TOKEN "
            "(clients then send 'Authorization: Bearer <token>'), or bind to 127.0.0.1"
        )


def _check(request: Request, settings: Settings) -> None:
    token = settings.api_token
    if token is None:
        return
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    expected = token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
        raise HTTPException(
            401, "missing or wrong API token", headers={"WWW-Authenticate": "Bearer"}
        )


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def require_token(request: Request) -> None:
    """For changes: the token, whenever one is configured."""
    _check(request, _settings(request))


def require_token_when_exposed(request: Request) -> None:
    """For reads: the token, when the server listens beyond this machine."""
    settings = _settings(request)
    if not is_local(settings):
        _check(request, settings)


WRITE = Depends(require_token)
READ = Depends(require_token_when_exposed)
