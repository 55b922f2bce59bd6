"""Analysis windows from what people type: ISO dates or date-times, UTC unless they say."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from graph.errors import GraphError


def window_bound(text: str | None, *, end: bool, name: str | None = None) -> int | None:
    """Epoch milliseconds of ``text``; a bare date as the end of a window means the end of
    that day. ``name`` labels the error (default ``--since``/``--until``).

    >>> window_bound("2026-10-01", end=False), window_bound("2026-10-01", end=True)
    (1790812800000, 1790899200000)
    >>> window_bound("2026-10-01T12:00:00+02:00", end=False)
    1790848800000
    """
    if text is None:
        return None
    label = name or ("--until" if end else "--since")
    try:
        if len(text) == 10:
            day = datetime.fromisoformat(text).replace(tzinfo=UTC)
            return int((day + timedelta(days=1 if end else 0)).timestamp() * 1000)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise GraphError(
            f"{label}: {text!r} is not an ISO date (2026-10-01) or date-time (2026-10-01T12:00:00Z)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)
