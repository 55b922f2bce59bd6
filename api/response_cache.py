"""Whole responses of the explorer's heavy reads, computed once per state of the data.

What the influencer list, its CSV, an account's page, the topics, the communities and the
networks show changes
only when an analysis is switched over or a load ends; :meth:`graph.store.Store.data_stamp`
reads both in one statement (well under a millisecond). So a ``GET`` of those routes is
answered from memory when the same path and query were answered for the same stamp; any
analysis or load, from this process or another, changes the stamp, and nothing older is
served again. A response computed while the stamp changed is not kept.

- Keyed by (stamp, path, the query's parameters sorted); only 200s are kept, each at most
  :data:`MAX_ENTRY_BYTES`, the least recently used dropped beyond ``max_bytes``
  (``RESONANCE_RESPONSE_CACHE_MB``, 0 turns the cache off).
- Every such response carries ``ETag`` (a digest of the stamp and the body) and
  ``Cache-Control: private, no-cache``: a browser keeps it but asks again, and an
  ``If-None-Match`` that matches gets 304 without a body.
- A past run (``run=``) is read from the history, which ``resonance runs delete`` changes
  without changing the stamp: those requests are never cached.
- It runs inside the guard (``api.guard``): only requests that passed it reach the cache.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qsl

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph.errors import GraphError

CACHED: Final = re.compile(
    r"^/api/(influencers(\.csv)?|topics(/[^/]+/network(\.gexf|\.graphml)?)?"
    r"|communities(/[^/]+(/network(\.gexf|\.graphml)?)?)?"
    r"|users/[^/]+(/network(\.gexf|\.graphml)?|/lookalikes)?)$"
)
MAX_ENTRY_BYTES: Final = 8 << 20
#: Set on every answer, so not kept with the entry.
_OWN_HEADERS: Final = frozenset({b"content-length", b"etag", b"cache-control"})


@dataclass(frozen=True, slots=True)
class Entry:
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes


class ResponseCache:
    """The cache (``app.state.responses``) and its middleware, in one."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[Any, ...], Entry] = OrderedDict()
        self._bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.max_bytes <= 0
            or scope["type"] != "http"
            or scope["method"] != "GET"
            or not CACHED.match(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        query = sorted(parse_qsl(scope.get("query_string", b"").decode("latin-1"), True))
        if any(name == "run" for name, _ in query):
            await self.app(scope, receive, send)
            return
        stamp = await self._stamp(scope)
        if stamp is None:  # the database is down: the route says so
            await self.app(scope, receive, send)
            return
        key = (stamp, scope["method"], scope["path"], tuple(query))
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            await _answer(scope, send, entry)
            return
        await self._compute(scope, receive, send, key)

    async def _stamp(self, scope: Scope) -> tuple[Any, ...] | None:
        provider = scope["app"].state.stores

        def read() -> tuple[Any, ...]:
            return tuple(provider.store().data_stamp())

        try:
            return await anyio.to_thread.run_sync(read)
        except GraphError:
            return None

    async def _compute(
        self, scope: Scope, receive: Receive, send: Send, key: tuple[Any, ...]
    ) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._finish(scope, send, key, start, b"".join(chunks))

        await self.app(scope, receive, capture)

    async def _finish(
        self,
        scope: Scope,
        send: Send,
        key: tuple[Any, ...],
        start: Message | None,
        body: bytes,
    ) -> None:
        assert start is not None
        if start["status"] != 200:
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        headers = [(n, v) for n, v in start.get("headers", []) if n.lower() not in _OWN_HEADERS]
        digest = hashlib.blake2b(repr(key[0]).encode() + body, digest_size=16).hexdigest()
        entry = Entry(headers, body, f'"{digest}"'.encode())
        if len(body) <= MAX_ENTRY_BYTES and await self._stamp(scope) == key[0]:
            self._keep(key, entry)
        await _answer(scope, send, entry)

    def _keep(self, key: tuple[Any, ...], entry: Entry) -> None:
        if key in self._entries:
            return
        self._entries[key] = entry
        self._bytes += len(entry.body)
        while self._bytes > self.max_bytes and self._entries:
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= len(dropped.body)

    @property
    def size_bytes(self) -> int:
        return self._bytes


async def _answer(scope: Scope, send: Send, entry: Entry) -> None:
    """The entry, or 304 when the request's ``If-None-Match`` names it."""
    asked = dict(scope["headers"]).get(b"if-none-match", b"")
    caching = [(b"etag", entry.etag), (b"cache-control", b"private, no-cache")]
    if entry.etag in [tag.strip() for tag in asked.split(b",")]:
        await send({"type": "http.response.start", "status": 304, "headers": caching})
        await send({"type": "http.response.body", "body": b""})
        return
    headers = [*entry.headers, (b"content-length", str(len(entry.body)).encode()), *caching]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": entry.body})
