"""Communities named by what they are about: the analyst's name when one was given, else their
members' top topics and their top voice ("camping · vegan, around @lijoie_alderby").

A name is kept in the graph as ``(:CommunityName {anchor, name, named_at})``, anchored on the
community's best-ranked member when it was named: a later analysis numbers communities afresh,
and the name follows that account into its new community. When several named anchors share a
community, the best-ranked one's name is shown.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from graph.errors import NodeNotFound
from graph.explorer import queries as q
from graph.explorer.models import CommunitySummary
from graph.explorer.reads import UNRANKED
from graph.store import Store

MAX_NAME: Final = 80
LABEL_TOPICS: Final = 2


def community_names(store: Store) -> dict[int, str]:
    """The analysts' names of the current communities."""
    names: dict[int, str] = {}
    for row in store.read(q.COMMUNITY_NAMES, {"unranked": UNRANKED}):
        names.setdefault(int(row["community"]), str(row["name"]))
    return names


def name_community(store: Store, community: int, name: str) -> str:
    """Name ``community`` (its earlier names dropped); NodeNotFound when it has no member."""
    rows = store.read(q.COMMUNITY_ANCHOR, {"community": community, "unranked": UNRANKED})
    if not rows:
        raise NodeNotFound("Community", str(community))
    store.write(q.DROP_COMMUNITY_NAMES, {"community": community})
    now = datetime.now(UTC).isoformat()
    store.write(q.NAME_COMMUNITY, {"anchor": str(rows[0]["id"]), "name": name, "now": now})
    store.count_an_edit()
    return name


def clear_community_name(store: Store, community: int) -> None:
    """Back to the name made from its topics and top voice."""
    store.write(q.DROP_COMMUNITY_NAMES, {"community": community})
    store.count_an_edit()


def topic_label(summary: CommunitySummary) -> str:
    """``"camping · vegan, around @voice"`` from the members' top topics and top voice
    (``"Community N"`` when it has neither)."""
    topics = " · ".join(topic.topic for topic in summary.topics[:LABEL_TOPICS])
    voice = summary.top_members[0].handle if summary.top_members else ""
    voice = voice if not voice or voice.startswith("@") else f"@{voice}"
    if topics and voice:
        return f"{topics}, around {voice}"
    return topics or (f"around {voice}" if voice else f"Community {summary.community}")
