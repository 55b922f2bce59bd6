"""Two analyses in which the ranking turns over, for the shortlist snapshot tests (API and
browser): ``star`` leads the first run (every account amplifies it in the first week), ``riser``
leads the second, analysed under another profile on the third week only."""

from __future__ import annotations

from graph.analysis.profile import Profile
from graph.analysis.run import analyze
from graph.models import AmplificationRow, UserRow
from graph.store import Store

T0 = 1_790_000_000_000
DAY = 86_400_000
FANS = [f"fan{i}" for i in range(12)]
SECOND_PROFILE = Profile(name="second", half_life_days=30.0)
SECOND_SINCE = T0 + 14 * DAY


def load_accounts(store: Store) -> None:
    """The accounts and the first weeks' events: ``star`` amplified by every fan, ``riser`` by
    three; nothing analysed yet."""
    store.ensure_schema()
    store.upsert_users(
        [UserRow(user, user, f"Fan {user}", 10) for user in FANS]
        + [UserRow("star", "star", "The star", 500), UserRow("riser", "riser", "The riser", 50)]
    )
    events = [
        AmplificationRow(f"s-{fan}-{day}", fan, "star", "retweet", T0 + day * DAY)
        for fan in FANS
        for day in range(4)
    ] + [
        AmplificationRow(f"r-{fan}-{day}", fan, "riser", "retweet", T0 + day * DAY)
        for fan in FANS[:3]
        for day in range(2)
    ]
    store.upsert_amplifications(events)


def first_analysis(store: Store) -> None:
    analyze(store)


def turn_over(store: Store) -> None:
    """The third week, where every fan amplifies ``riser`` and only two amplify ``star``, then
    an analysis of that week alone under :data:`SECOND_PROFILE`."""
    events = [
        AmplificationRow(f"r2-{fan}-{day}", fan, "riser", "retweet", SECOND_SINCE + day * DAY)
        for fan in FANS
        for day in range(4)
    ] + [
        AmplificationRow(f"s2-{fan}", fan, "star", "retweet", SECOND_SINCE + DAY)
        for fan in FANS[:2]
    ]
    store.upsert_amplifications(events)
    analyze(store, SECOND_PROFILE, since=SECOND_SINCE)
