"""The time window of the influencer lists and the network page.

Scores are those of the latest analysis, which covers one window of amplification (all of it
unless it was run with ``since``/``until``). A list asked for another window cannot be answered
from those scores, so it is refused with 409 and the way to analyse that window; asked for the
analysed window (or none), it is served.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import HTTPException, Query

from api.error_responses import ErrorOut, InvalidOut
from graph.analysis.window import MOMENT, Window
from graph.store import Store

Since = Annotated[
    str | None,
    Query(
        max_length=40,
        pattern=MOMENT,
        description="start of the amplification window (ISO date or date-time, UTC unless "
        "it says): must be the latest analysis's, else 409",
    ),
]
Until = Annotated[
    str | None,
    Query(
        max_length=40,
        pattern=MOMENT,
        description="end of the window (a bare date includes that day): must be the latest "
        "analysis's, else 409",
    ),
]

WINDOW_RESPONSES: dict[int | str, dict[str, Any]] = {
    409: {
        "model": ErrorOut,
        "description": "the window asked for is not the one the latest analysis covers",
    },
    422: {"model": InvalidOut, "description": "bad input (a date that does not exist, ...)"},
}


def _day(ms: int | None, *, end: bool) -> str:
    if ms is None:
        return "the start" if not end else "the end"
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    if end:  # the bound is exclusive: the window's last moment is just before it
        moment -= timedelta(milliseconds=1)
    return moment.strftime("%Y-%m-%d %H:%M UTC").replace(" 00:00 UTC", "").replace(" 23:59 UTC", "")


def describe(since: int | None, until: int | None) -> str:
    """``all the amplification``, or ``2026-10-01 to 2026-10-15`` (inclusive days).

    >>> describe(None, None)
    'all the amplification'
    >>> describe(1790812800000, 1792022400000)
    '2026-10-01 to 2026-10-14'
    """
    if since is None and until is None:
        return "all the amplification"
    return f"{_day(since, end=False)} to {_day(until, end=True)}"


def check_window(
    store: Store,
    since: str | None,
    until: str | None,
    *,
    covered: Mapping[str, Any] | None = None,
) -> None:
    """Nothing when the latest analysis (or the run whose window is ``covered``) covers
    ``[since, until)`` (or none is asked); 409 naming both windows otherwise, 422
    (``InvalidWindow``) for a date that does not parse."""
    if since is None and until is None:
        return
    # Unordered: a window that ends before it starts is not the analysed one either (409).
    wanted = Window.parse(since, until, names=("since", "until"), ordered=False)
    analysis = store.latest_analysis() if covered is None else covered
    if not analysis:
        raise HTTPException(409, "no analysis yet: run one (POST /api/jobs/analyze)")
    # stored as ISO date-times, or empty when the analysis had no bound
    have = Window.parse(analysis.get("since") or None, analysis.get("until") or None, ordered=False)
    if wanted != have:
        raise HTTPException(
            409,
            f"the scores cover {describe(have.since, have.until)}, not "
            f"{describe(wanted.since, wanted.until)}: analyse that window "
            "first (POST /api/jobs/analyze with since and until, or `resonance analyze "
            "--since ... --until ...`)",
        )
