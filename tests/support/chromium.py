"""Debian's chromium driven by Playwright, and the app served by uvicorn in a thread on a free
127.0.0.1 port: what the browser tests outside ``tests/end_to_end/test_browser.py`` start from.

Skipped when chromium or playwright is missing, except under CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn
from starlette.types import ASGIApp

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page

CHROMIUM = Path("/usr/bin/chromium")


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the environment
        return "the Python package playwright is not installed (pip install playwright)"
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


@contextmanager
def chromium(*args: str) -> Iterator[Browser]:
    """A headless chromium given ``args`` besides ``--no-sandbox``, closed afterwards; the test
    is skipped (failed under CI) without."""
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run under CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", *args]
        )
        try:
            yield browser
        finally:
            browser.close()


def open_page(
    browser: Browser,
    url: str,
    *,
    width: int = 1280,
    height: int = 800,
    locale: str | None = None,
    console: bool = True,
) -> tuple[Page, list[str]]:
    """A page in a new context on ``url`` (the viewport, and ``locale`` for Accept-Language and
    the browser's language) and the problems it reports: its script errors and, unless
    ``console`` is false, the console's errors (a CSP violation is one; the favicon aside).
    Close it with ``page.context.close()``."""
    options: dict[str, object] = {"base_url": url, "viewport": {"width": width, "height": height}}
    if locale is not None:
        options["locale"] = locale
    page = browser.new_context(**options).new_page()  # type: ignore[arg-type]
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))

    def said(message: ConsoleMessage) -> None:
        if message.type == "error" and not message.location.get("url", "").endswith("favicon.ico"):
            problems.append(message.text)

    if console:
        page.on("console", said)
    return page, problems


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serving(app: ASGIApp) -> Iterator[str]:
    """``app`` on ``http://127.0.0.1:<free port>`` until the block ends."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
