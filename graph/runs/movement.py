"""How the ranking moved between two runs: the later run's top against the earlier run, and
the rising voices.

A riser is an account ranked in the later run, with at least ``min_audience`` distinct
amplifiers there (so that an account two people noticed does not win on noise), that gained
ranks: ``gain = earlier rank - later rank``, where an account unranked in the earlier run
counts as ranked just after that run's last ranked account.
"""

from __future__ import annotations

from typing import Final

from graph.runs import queries as q
from graph.runs.history import pair
from graph.runs.models import Movement, movement_from_row
from graph.store import Store

RISERS: Final = 20
MIN_AUDIENCE: Final = 5
TOP: Final = 20


def compare(
    store: Store, *, earlier: int | None = None, later: int | None = None, top: int = TOP
) -> tuple[int, int, list[Movement]]:
    """The runs compared (the two newest by default) and the later run's ``top`` accounts, in
    its rank order, each with its earlier rank, role and amplifiers (None: unranked then)."""
    earlier, later = pair(store, earlier, later)
    rows = store.read(q.COMPARE, {"from": earlier, "to": later, "top": top})
    return earlier, later, [movement_from_row(row) for row in rows]


def risers(
    store: Store,
    *,
    earlier: int | None = None,
    later: int | None = None,
    limit: int = RISERS,
    min_audience: int = MIN_AUDIENCE,
) -> tuple[int, int, list[Movement]]:
    """The runs compared (the two newest by default) and the ``limit`` accounts that climbed
    most between them, most ranks gained first (then by their later rank)."""
    earlier, later = pair(store, earlier, later)
    params = {"from": earlier, "to": later, "limit": limit, "min_audience": min_audience}
    return earlier, later, [movement_from_row(row) for row in store.read(q.RISERS, params)]
