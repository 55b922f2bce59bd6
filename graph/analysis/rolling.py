"""Rolling windows: read the events once, score each window as a run of the history.

``analyze_windows(store, window_ms=7 days, step_ms=7 days)`` lays windows of ``window_ms``
ending at the end of the data (or ``until``) and every ``step_ms`` before it, as far back as the
data (or ``since``) reaches with a whole window; each is analysed oldest first, exactly as
``analyze(since=start, until=end)`` would (``Events.within`` codes the window's events afresh),
so the newest window is the latest analysis and the others are kept runs for trajectories
(only their history is written: each one's scores on the accounts would be replaced by the
next window's at once).
"""

from __future__ import annotations

import re
import time

from graph.analysis.events import Events, fetch_events, gc_paused
from graph.analysis.profile import Profile
from graph.analysis.run import KEEP_RUNS, AnalysisSummary, RunProgress, analyze_events
from graph.analysis.window import InvalidWindow
from graph.models import utc_iso
from graph.store import Store

#: A window's length or step: whole hours, days or weeks.
DURATION = r"^(\d{1,5})([hdw])$"
_DURATION = re.compile(DURATION)
_UNIT_MS = {"h": 3_600_000, "d": 86_400_000, "w": 7 * 86_400_000}
MAX_WINDOWS = 100


class InvalidWindows(InvalidWindow):
    """Rolling windows that cannot be laid: a bad duration, or none fits the data (a 422 in
    the API, as every ``InvalidWindow``)."""


def duration_ms(text: str, *, name: str = "--windows") -> int:
    """``7d`` -> milliseconds (``h`` hours, ``d`` days, ``w`` weeks).

    >>> duration_ms("7d"), duration_ms("12h"), duration_ms("2w")
    (604800000, 43200000, 1209600000)
    """
    found = _DURATION.match(text.strip())
    if not found or int(found.group(1)) == 0:
        raise InvalidWindows(f"{name}: {text!r} is not a duration such as 7d, 12h or 2w")
    return int(found.group(1)) * _UNIT_MS[found.group(2)]


def window_bounds(first: int, end: int, *, window_ms: int, step_ms: int) -> list[tuple[int, int]]:
    """``[start, end)`` of every whole window within ``[first, end)``, oldest first.

    >>> window_bounds(0, 10, window_ms=4, step_ms=3)
    [(0, 4), (3, 7), (6, 10)]
    """
    bounds: list[tuple[int, int]] = []
    stop = end
    while stop - window_ms >= first and len(bounds) < MAX_WINDOWS:
        bounds.append((stop - window_ms, stop))
        stop -= step_ms
    return bounds[::-1]


def laid_windows(
    first_event: int,
    last_event: int,
    since: int | None,
    until: int | None,
    *,
    window_ms: int,
    step_ms: int,
) -> list[tuple[int, int]]:
    """The windows over events from ``first_event`` to ``last_event`` (epoch ms) within
    ``[since, until)``, oldest first; ``InvalidWindows`` when none fits. Every engine lays
    them so (``graph.spark.run``)."""
    first = first_event if since is None else since
    # The second after the last event: whole seconds, as the runs' provenance records them.
    end = (last_event // 1000 + 1) * 1000 if until is None else until
    bounds = window_bounds(first, end, window_ms=window_ms, step_ms=step_ms)
    if not bounds:
        raise InvalidWindows(
            f"no whole window of {window_ms / 86_400_000:g} days fits between {utc_iso(first)} "
            f"and {utc_iso(end)}: choose shorter --windows"
        )
    return bounds


def analyze_windows(
    store: Store,
    profile: Profile | None = None,
    *,
    window_ms: int,
    step_ms: int | None = None,
    since: int | None = None,
    until: int | None = None,
    progress: RunProgress | None = None,
    keep_runs: int = KEEP_RUNS,
) -> list[AnalysisSummary]:
    """Analyse each rolling window (see the module docstring) as a run; their summaries, oldest
    window first. ``InvalidWindows`` when no whole window fits."""
    if keep_runs < 1:
        raise ValueError(f"keep_runs must be at least 1, not {keep_runs}")
    profile = profile or Profile()
    say = progress or (lambda _what, _done: None)
    step = step_ms or window_ms
    say("reading amplification events", 0.0)
    events: Events = fetch_events(
        store,
        since=since,
        until=until,
        progress=lambda done, total: say("reading amplification events", 0.2 * done / total),
    )
    if not events.count:
        raise InvalidWindows("there are no amplification events to lay windows on")
    bounds = laid_windows(
        int(events.at.min()), int(events.at.max()), since, until, window_ms=window_ms, step_ms=step
    )
    summaries: list[AnalysisSummary] = []
    with gc_paused():
        for i, (start, stop) in enumerate(bounds):
            label = f"window {i + 1}/{len(bounds)} ({utc_iso(start)} to {utc_iso(stop)})"

            def report(what: str, done: float, label: str = label, i: int = i) -> None:
                say(f"{label}: {what}", 0.2 + 0.8 * (i + done) / len(bounds))

            summaries.append(
                analyze_events(
                    store,
                    profile,
                    events.within(start, stop),
                    start,
                    stop,
                    report,
                    time.perf_counter(),
                    utc_iso(int(time.time() * 1000)),
                    latest=i == len(bounds) - 1,
                )
            )
    store.prune_runs(keep_runs)
    return summaries
