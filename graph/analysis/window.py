"""Analysis windows from what people type: ISO dates or date-times, UTC unless they say."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from graph.errors import GraphError

#: What a window bound may be: an ISO date, or a date-time (minutes, seconds and their fraction
#: optional, then ``Z``, an offset, or nothing for UTC), in the years 1000 to 2999 (the end of a
#: bare date in 9999 is past what Python can count). The API's parameters carry it as their
#: pattern, so the documentation says exactly what is accepted.
MOMENT = (
    r"^[12][0-9]{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"(?:T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?)?$"
)
_MOMENT = re.compile(MOMENT)


class InvalidWindow(GraphError):
    """A window bound that is no ISO date or date-time, or a start not before the end (the
    API answers 422)."""


@dataclass(frozen=True, slots=True)
class Window:
    """An amplification window in epoch milliseconds, ``[since, until)``; None where open."""

    since: int | None = None
    until: int | None = None

    @classmethod
    def parse(
        cls,
        since: str | None,
        until: str | None,
        *,
        names: tuple[str, str] = ("--since", "--until"),
        ordered: bool = True,
    ) -> Window:
        """The window of what a person typed (``names`` label the errors); ``InvalidWindow``
        for a bound that does not parse or, when ``ordered``, a start not before the end.

        >>> Window.parse("2026-10-01", "2026-10-01")
        Window(since=1790812800000, until=1790899200000)
        >>> Window.parse("2026-10-02", "2026-10-01", names=("since", "until"))
        Traceback (most recent call last):
        graph.analysis.window.InvalidWindow: since 2026-10-02 is not before until 2026-10-01
        """
        window = cls(
            window_bound(since, end=False, name=names[0]),
            window_bound(until, end=True, name=names[1]),
        )
        start, end = window.since, window.until
        if ordered and start is not None and end is not None and start >= end:
            raise InvalidWindow(f"{names[0]} {since} is not before {names[1]} {until}")
        return window


def window_bound(text: str | None, *, end: bool, name: str | None = None) -> int | None:
    """Epoch milliseconds of ``text``; a bare date as the end of a window means the end of
    that day. ``name`` labels the error (default ``--since``/``--until``).

    >>> window_bound("2026-10-01", end=False), window_bound("2026-10-01", end=True)
    (1790812800000, 1790899200000)
    >>> window_bound("2026-10-01T12:00:00+02:00", end=False)
    1790848800000
    >>> window_bound("9999-12-31", end=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    graph.analysis.window.InvalidWindow: --until: '9999-12-31' is not an ISO date ... 1000 to 2999
    """
    if text is None:
        return None
    label = name or ("--until" if end else "--since")
    wrong = InvalidWindow(
        f"{label}: {text!r} is not an ISO date (2026-10-01) or date-time (2026-10-01T12:00:00Z) "
        "of the years 1000 to 2999"
    )
    if not _MOMENT.match(text):
        raise wrong
    try:
        if len(text) == 10:
            day = datetime.fromisoformat(text).replace(tzinfo=UTC)
            return int((day + timedelta(days=1 if end else 0)).timestamp() * 1000)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:  # a day the month does not have
        raise wrong from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)
