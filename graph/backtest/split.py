"""The split of a backtest as people write it: a moment, or a share of the events."""

from __future__ import annotations

import re
from typing import Final

from graph.analysis.window import MOMENT, InvalidWindow, window_bound

SHARE: Final = r"^(\d{1,2}(?:\.\d+)?)%$"
#: What a split may look like (the API's pattern): a share such as ``70%``, or an ISO moment.
SPLIT_PATTERN: Final = rf"^(?:\d{{1,2}}(?:\.\d+)?%|{MOMENT[1:-1]})$"
_SHARE = re.compile(SHARE)


def parse_split(text: str, *, name: str = "--split") -> tuple[int | None, float | None]:
    """``(moment, None)`` for a date or date-time (``--until`` semantics: a bare date splits at
    the end of that day), ``(None, share)`` for a share of the events such as ``70%``;
    :class:`InvalidWindow` (``name`` labels it) for anything else.

    >>> parse_split("70%")
    (None, 0.7)
    >>> parse_split("2026-10-01")
    (1790899200000, None)
    >>> parse_split("0%", name="split")
    Traceback (most recent call last):
    graph.analysis.window.InvalidWindow: split 0%: a share of the events is between 0% and 100%
    """
    share = _SHARE.match(text)
    if share:
        value = float(share.group(1)) / 100
        if not 0 < value < 1:
            raise InvalidWindow(f"{name} {text}: a share of the events is between 0% and 100%")
        return None, value
    return window_bound(text, end=True, name=name), None
