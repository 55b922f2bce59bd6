"""Failed logins and wrong Bearer tokens, counted per client address: past
:data:`MAX_FAILURES` within :data:`WINDOW_S` seconds, every request of that address that tries
a token gets 429 with ``Retry-After`` until the oldest failure leaves the window.

In memory, per process: a restart forgets. IPv6 addresses count by their /64 network (one
machine usually holds a whole /64, so its addresses are one client); the table holds at most
:data:`MAX_CLIENTS` addresses (the stalest are forgotten first), so a flood of addresses
cannot grow it without bound.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Final

MAX_FAILURES: Final = 10
WINDOW_S: Final = 60.0
MAX_CLIENTS: Final = 10_000


def client_key(address: str) -> str:
    """The address a failure counts against: an IPv6 address's /64 network, else as given.

    >>> client_key("2001:db8::1"), client_key("10.0.0.7"), client_key("testclient")
    ('2001:db8::/64', '10.0.0.7', 'testclient')
    """
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


class FailureLimiter:
    """The recent failures of each client; only the event loop calls it (no lock)."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window_s: float = WINDOW_S,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, key: str, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if times is not None and not times:
            del self._failures[key]
            return None
        return times

    def retry_after(self, address: str) -> int | None:
        """Seconds until ``address`` may try a token again; None when it may now."""
        now = self._clock()
        times = self._recent(client_key(address), now)
        if times is None or len(times) < self.max_failures:
            return None
        return max(1, math.ceil(times[0] + self.window_s - now))

    def record(self, address: str) -> None:
        """One more failure of ``address``."""
        key = client_key(address)
        now = self._clock()
        times = self._recent(key, now)
        if times is None:
            times = self._failures[key] = deque(maxlen=self.max_failures)
            while len(self._failures) > MAX_CLIENTS:
                self._failures.popitem(last=False)
        self._failures.move_to_end(key)
        times.append(now)

    def clear(self) -> None:
        self._failures.clear()
