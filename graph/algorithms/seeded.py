"""igraph draws from one process-wide generator: seeded calls take turns on it."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import igraph as ig

_TURN = threading.Lock()


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """igraph's generator as ``random.Random(seed)`` for one call, then restored.

    The lock keeps two threads (an analysis job and a page's layout in the API server) from
    drawing from each other's generator, which would make both results depend on timing.
    """
    with _TURN:
        ig.set_random_number_generator(random.Random(seed))
        try:
            yield
        finally:
            ig.set_random_number_generator(random)
