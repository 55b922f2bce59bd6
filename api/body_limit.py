"""Request bodies read under a cap, and JSON bodies held to the standard, before the app sees
them (pure ASGI: the app's ``receive`` and ``send`` are wrapped, nothing else is buffered).

A body declared (``Content-Length``) or counted (chunked) beyond the cap is answered 413 as
soon as that is known; a JSON body with ``NaN``, ``Infinity`` or ``-Infinity`` (which Python's
``json`` accepts, and which then fail deep inside the app) is answered 422. The app is then
told that the client went away, and whatever it still sends is dropped.
"""

from __future__ import annotations

import json
from typing import Final

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send

#: The most bytes of a request body, unless a route is exempt (see ``api.guard``).
MAX_BODY_BYTES: Final = 1 << 20
DISCONNECT: Final[Message] = {"type": "http.disconnect"}


class NotStandardJSON(ValueError):
    """A constant (``NaN``, ``Infinity``, ``-Infinity``) that JSON does not have."""


def _refuse_constant(name: str) -> object:
    raise NotStandardJSON(f"{name} is not standard JSON: send a number or null")


def is_json(headers: Headers) -> bool:
    """Whether the body is JSON as FastAPI reads it (``application/json`` or ``+json``)."""
    kind = headers.get("content-type", "").partition(";")[0].strip().lower()
    maintype, _, subtype = kind.partition("/")
    return maintype == "application" and (subtype == "json" or subtype.endswith("+json"))


def non_standard_constant(body: bytes) -> str | None:
    """Why ``body`` is not standard JSON because of a constant; None when it has none (or is
    not JSON at all: FastAPI reports that itself)."""
    try:
        text = body.decode(json.detect_encoding(body))
    except (UnicodeDecodeError, LookupError):
        return None
    if "NaN" not in text and "Infinity" not in text:
        return None
    try:
        json.loads(text, parse_constant=_refuse_constant)
    except NotStandardJSON as error:
        return str(error)
    except ValueError:
        return None
    return None


def too_large(limit: int) -> Response:
    return JSONResponse(
        {"detail": f"the request body is larger than the limit of {limit:,} bytes"},
        status_code=413,
    )


def not_standard(reason: str) -> Response:
    error = {"type": "json_invalid", "loc": ["body"], "msg": f"JSON decode error: {reason}",
             "input": {}, "ctx": {"error": reason}}  # fmt: skip
    return JSONResponse({"detail": [error]}, status_code=422)


def declared_length(headers: Headers) -> int | None:
    """``Content-Length`` as a number; None when absent; -1 when it is not a number."""
    value = headers.get("content-length")
    if value is None:
        return None
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() else -1


class LimitedBody:
    """``receive`` and ``send`` for the app: the body counted against ``limit`` (None: no
    cap) and, with ``check_json``, gathered and checked before the app gets any of it."""

    def __init__(
        self, scope: Scope, receive: Receive, send: Send, *, limit: int | None, check_json: bool
    ) -> None:
        self._scope = scope
        self._receive = receive
        self._send = send
        self.limit = limit
        self.check_json = check_json
        self.received = 0
        self.refused = False
        self.started = False
        self._delivered = False

    async def _refuse(self, response: Response) -> Message:
        if not self.started:
            self.started = True
            await response(self._scope, self._receive, self._send)
        self.refused = True
        return DISCONNECT

    def _over(self, message: Message) -> bool:
        self.received += len(message.get("body", b""))
        return self.limit is not None and self.received > self.limit

    async def receive(self) -> Message:
        if self.refused:
            return DISCONNECT
        if not self.check_json or self._delivered:
            message = await self._receive()
            if message["type"] == "http.request" and self._over(message):
                assert self.limit is not None
                return await self._refuse(too_large(self.limit))
            return message
        chunks: list[bytes] = []
        while True:
            message = await self._receive()
            if message["type"] != "http.request":
                return message
            if self._over(message):
                assert self.limit is not None
                return await self._refuse(too_large(self.limit))
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if (reason := non_standard_constant(body)) is not None:
            return await self._refuse(not_standard(reason))
        self._delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(self, message: Message) -> None:
        if self.refused:
            return  # the answer is already out; the app's reply to the "disconnect" is dropped
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)
