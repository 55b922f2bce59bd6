"""The filters of the influencer lists, declared once for every route that takes them.

``/api/influencers``, ``/api/influencers.csv`` and the network page (``/``) filter the same way:
topic, primary role, community, minimum score, a text search and the time window. Each takes
:data:`FiltersDep`, and reads with ``filters.query(store)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Annotated, Any

from fastapi import Depends, Query

from api.analysis_window import Since, Until, check_window
from api.params import NO_NUL
from api.text_filter import Text, matching_ids
from graph.analysis.roles import RoleName
from graph.models import InfluencerQuery
from graph.store import Store

Topic = Annotated[
    str | None,
    Query(
        max_length=200,
        pattern=NO_NUL,
        description="rank on this topic: rank and score are the topic's",
    ),
]
Role = Annotated[RoleName | None, Query(description="primary role")]
Community = Annotated[int | None, Query(ge=0, description="community number")]
MinScore = Annotated[float | None, Query(ge=0, le=100, description="lowest score shown")]


@dataclass(frozen=True)
class InfluencerFilters:
    """What a list was asked for: the accounts wanted (:class:`InfluencerQuery`, before the text
    search finds its ids), the text search and the time window."""

    wanted: InfluencerQuery
    q: str | None = None
    since: str | None = None
    until: str | None = None

    def check_window(self, store: Store, *, covered: Mapping[str, Any] | None = None) -> None:
        """409 unless the window asked for (if any) is the latest analysis's (or the one
        ``covered``: a past run's ``since`` and ``until``)."""
        check_window(store, self.since, self.until, covered=covered)

    def query(self, store: Store) -> InfluencerQuery:
        """The filters as the reads take them (the text search run into the ids it found)."""
        ids = matching_ids(store, self.q)
        return replace(self.wanted, ids=None if ids is None else tuple(ids))

    def shown(self) -> dict[str, object]:
        """Every filter by name, for the pages' filter bar (the text, not the ids it finds)."""
        wanted = {name: value for name, value in asdict(self.wanted).items() if name != "ids"}
        return {**wanted, "q": self.q, "since": self.since, "until": self.until}


def influencer_filters(
    topic: Topic = None,
    role: Role = None,
    community: Community = None,
    min_score: MinScore = None,
    q: Text = None,
    since: Since = None,
    until: Until = None,
) -> InfluencerFilters:
    wanted = InfluencerQuery(topic=topic, role=role, community=community, min_score=min_score)
    return InfluencerFilters(wanted, q, since, until)


FiltersDep = Annotated[InfluencerFilters, Depends(influencer_filters)]
