"""The console's own bounded threads: per-client and total limits, 429 with Retry-After, slots
freed when the work really ends (not when a request gives up), close() cancels what waits."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from api.console_gate import ConsoleBusy, ConsoleGate


def _blocked(release: threading.Event, started: list[str], name: str) -> str:
    started.append(name)
    assert release.wait(10)
    return name


def test_a_client_beyond_its_limit_gets_429_with_retry_after_at_once() -> None:
    gate = ConsoleGate(workers=2, per_client=2, waiting=8)
    release, started = threading.Event(), []

    async def scenario() -> None:
        mine = [
            asyncio.ensure_future(gate.run("a", lambda n=n: _blocked(release, started, n)))
            for n in ("1", "2")
        ]
        await asyncio.sleep(0.05)
        clock = time.perf_counter()
        with pytest.raises(ConsoleBusy) as refused:
            await gate.run("a", lambda: "3")
        assert time.perf_counter() - clock < 0.5
        assert refused.value.status_code == 429
        assert refused.value.headers == {"Retry-After": "1"}
        assert "2 console queries of yours are still running" in refused.value.detail
        other = asyncio.ensure_future(gate.run("b", lambda: "other client"))  # admitted: waits
        await asyncio.sleep(0.05)
        assert not other.done() and gate.in_flight() == 3
        release.set()
        assert await asyncio.gather(*mine, other) == ["1", "2", "other client"]
        assert await gate.run("a", lambda: "again") == "again"  # slots came back

    try:
        asyncio.run(scenario())
    finally:
        release.set()
        gate.close()
    assert gate.in_flight() == 0


def test_a_full_console_refuses_every_client_until_work_ends() -> None:
    gate = ConsoleGate(workers=1, per_client=5, waiting=1)
    release, started = threading.Event(), []

    async def scenario() -> None:
        running = asyncio.ensure_future(gate.run("a", lambda: _blocked(release, started, "r")))
        waiting = asyncio.ensure_future(gate.run("b", lambda: "w"))
        await asyncio.sleep(0.05)
        assert gate.in_flight() == 2 and started == ["r"]
        with pytest.raises(ConsoleBusy, match="the console is busy with 2 queries"):
            await gate.run("c", lambda: "refused")
        release.set()
        assert await asyncio.gather(running, waiting) == ["r", "w"]
        assert await gate.run("c", lambda: "now") == "now"

    try:
        asyncio.run(scenario())
    finally:
        release.set()
        gate.close()


def test_a_query_abandoned_while_it_waits_never_runs_and_frees_its_slot() -> None:
    gate = ConsoleGate(workers=1, per_client=1, waiting=4)
    release, started = threading.Event(), []

    async def scenario() -> None:
        running = asyncio.ensure_future(gate.run("a", lambda: _blocked(release, started, "r")))
        queued = asyncio.ensure_future(gate.run("b", lambda: _blocked(release, started, "q")))
        await asyncio.sleep(0.05)
        queued.cancel()  # the client went away while its query waited for a thread
        await asyncio.sleep(0.05)
        assert gate.in_flight() == 1
        again = asyncio.ensure_future(gate.run("b", lambda: "b again"))  # not "1 of yours..."
        await asyncio.sleep(0.05)
        assert not again.done()
        release.set()
        assert await asyncio.gather(running, again) == ["r", "b again"]

    try:
        asyncio.run(scenario())
    finally:
        release.set()
        gate.close()
    assert "q" not in started


def test_close_cancels_the_waiting_queries() -> None:
    gate = ConsoleGate(workers=1, per_client=5, waiting=4)
    release, started = threading.Event(), []

    async def scenario() -> None:
        running = asyncio.ensure_future(gate.run("a", lambda: _blocked(release, started, "r")))
        queued = asyncio.ensure_future(gate.run("a", lambda: _blocked(release, started, "q")))
        await asyncio.sleep(0.05)
        gate.close()
        with pytest.raises(asyncio.CancelledError):
            await queued
        release.set()
        assert await running == "r"

    asyncio.run(scenario())
    assert started == ["r"] and gate.in_flight() == 0
