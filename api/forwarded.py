"""``X-Forwarded-*`` from the reverse proxies listed in ``RESONANCE_TRUSTED_PROXIES`` only.

Behind a proxy that rewrites ``Host`` (``proxy_pass http://127.0.0.1:8000``), every request
names the proxy's upstream, the login limits count the proxy's address as the one client, and
the scheme is http although the browser spoke https. With ``RESONANCE_TRUSTED_PROXIES`` set
(comma-separated addresses or networks, such as ``127.0.0.1,10.0.0.0/8``), a request that
comes *from* one of them is taken as the proxy describes it, before any other check:

- ``X-Forwarded-Host`` (its last value) becomes the ``Host`` that the Host check
  (``api.guard``) and the origin checks compare;
- ``X-Forwarded-Proto`` (its last value, ``http`` or ``https``) the scheme (``Secure`` cookies);
- ``X-Forwarded-For`` the client: the rightmost address that is not itself a trusted proxy,
  which the login limits (``api.throttle``) then count.

From any other address these headers change nothing, so a client cannot claim another
address or host by sending them. uvicorn's own handling of ``X-Forwarded-Proto`` and ``-For``
(which trusts 127.0.0.1) is turned off when this is on (``api.serving``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from graph.config import Settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted(address: str, networks: Sequence[Network]) -> bool:
    """Whether ``address`` (an IP address as text) lies in one of ``networks``.

    >>> trusted("10.1.2.3", [ipaddress.ip_network("10.0.0.0/8")]), trusted("x", [])
    (True, False)
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def forwarded_client(header: str, networks: Sequence[Network]) -> str | None:
    """The client an ``X-Forwarded-For`` value names: its rightmost address that is not a
    trusted proxy (the leftmost when all are), None when it holds no address.

    >>> forwarded_client("1.2.3.4, 10.0.0.2", [ipaddress.ip_network("10.0.0.0/8")])
    '1.2.3.4'
    """
    hops = [hop.strip() for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not trusted(hop, networks):
            return hop
    return hops[0] if hops else None


def _last(value: str) -> str:
    return value.split(",")[-1].strip()


class TrustedProxyHeaders:
    """Rewrites the scope of requests from trusted proxies, as described above; settings are
    read from ``app.state.settings`` at each request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            settings: Settings = HTTPConnection(scope).app.state.settings
            networks = settings.trusted_proxy_networks
            client = scope.get("client")
            if networks and client and trusted(str(client[0]), networks):
                scope = _as_forwarded(scope, networks)
        await self.app(scope, receive, send)


def _as_forwarded(scope: Scope, networks: Sequence[Network]) -> Scope:
    headers: list[tuple[bytes, bytes]] = list(scope["headers"])
    found = {name.lower(): value.decode("latin-1") for name, value in headers}
    changed = dict(scope)
    host = found.get(b"x-forwarded-host")
    if host is not None and _last(host):
        headers = [(n, v) for n, v in headers if n.lower() != b"host"]
        headers.append((b"host", _last(host).encode("latin-1")))
        changed["headers"] = headers
    proto = found.get(b"x-forwarded-proto")
    if proto is not None and _last(proto).lower() in ("http", "https"):
        changed["scheme"] = _last(proto).lower()
    chain = found.get(b"x-forwarded-for")
    if chain is not None and (address := forwarded_client(chain, networks)) is not None:
        changed["client"] = (address, 0)
    return changed
