"""The explorer's reads: one account in depth, network views around an account, a topic or a
community, topic and community overviews, lookalikes, and the latest analysis' provenance.

Every read names what it starts from by its indexed id and is bounded; overviews make one pass.
Unknown users, topics and communities raise :class:`~graph.errors.NodeNotFound`.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Collection, Hashable, Sequence
from typing import Literal, TypeVar

from graph.backends.base import Row
from graph.errors import NodeNotFound
from graph.explorer import queries as q
from graph.explorer.models import (
    AccountRef,
    AnalysisInfo,
    CommunityDetail,
    CommunitySummary,
    Lookalike,
    Lookalikes,
    Subgraph,
    TopAmplifier,
    TopicSummary,
    TopPost,
    UserDetail,
    account_from_row,
    community_summary,
    identity_from_row,
    optional_int,
    post_from_row,
    scores_from_row,
    standing_from_row,
    strings,
)
from graph.explorer.network import edges_among
from graph.explorer.run_cache import RunCache, on_one_run
from graph.explorer.scored_users import scored_users
from graph.models import Network, NetworkEdge
from graph.store import Store

T = TypeVar("T")

LookalikeSort = Literal["shared", "similarity"]
UNRANKED = 2**62  # sorts after every rank
TOP_MEMBERS = 5
LEADER_CUTOFF = 1000  # ranks read in one filtered pass to find every community's leaders
AUDIENCE_LIMIT = 1000


class NoAnalysis(NodeNotFound):
    """``(:Analysis {id: 'latest'})`` is missing: nothing was analysed yet."""

    def __init__(self) -> None:
        super().__init__("Analysis", "latest")
        self.args = ("no analysis yet: run `resonance analyze` first",)


def topic_key(topic: str) -> str:
    """A topic as stored: the lower-cased hashtag without ``#``.

    >>> topic_key(" #Vegan ")
    'vegan'
    """
    return topic.strip().lstrip("#").lower()


class Explorer:
    """Read-only views for the explorer, on top of a :class:`Store`."""

    def __init__(self, store: Store, cache: RunCache | None = None) -> None:
        """``cache`` keeps what only an analysis changes (topic and community figures, ranked
        ids) between requests; without one, everything is read each time."""
        self.store = store
        self._read = store.read
        self._cache = cache

    def _kept(self, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        if self._cache is None:
            return compute()
        return self._cache.get(self.store, ("explorer", *key), compute)

    # ------------------------------------------------------------- accounts
    def accounts(self, ids: Sequence[str]) -> dict[str, AccountRef]:
        """The accounts among ``ids`` that exist, by id."""
        if not ids:
            return {}
        rows = self._read(q.ACCOUNTS, {"ids": list(ids)})
        return {account.id: account for account in map(account_from_row, rows)}

    def user(self, user_id: str) -> UserDetail:
        """Profile, scores, role, topic standings, top amplifiers and top posts of one account
        (all from one analysis run)."""
        return on_one_run(self.store, lambda: self._user(user_id))

    def _user(self, user_id: str) -> UserDetail:
        rows = self._read(q.USER_DETAIL, {"id": user_id})
        if not rows:
            raise NodeNotFound("User", user_id)
        row = rows[0]
        topics = tuple(map(standing_from_row, self._read(q.USER_TOPICS, {"id": user_id})))
        amplifier_ids = strings(row.get("top_amplifiers"))
        known = self.accounts(amplifier_ids)
        shares = [float(x) for x in row.get("top_amplifier_shares") or ()]
        amplifiers = tuple(
            TopAmplifier(known.get(key) or AccountRef(key, key), share)
            for key, share in zip(amplifier_ids, shares, strict=False)
        )
        post_ids = strings(row.get("top_posts"))
        counts = [int(x) for x in row.get("top_post_amplifiers") or ()]
        return UserDetail(
            id=str(row["id"]),
            identity=identity_from_row(row),
            scores=scores_from_row(row),
            role=str(row["role"]) if row.get("role") else None,
            roles=strings(row.get("roles")),
            reasons=strings(row.get("reasons")),
            topics=topics,
            top_amplifiers=amplifiers,
            top_posts=self._posts(post_ids, counts),
        )

    def _posts(self, ids: Sequence[str], amplifiers: Sequence[int]) -> tuple[TopPost, ...]:
        if not ids:
            return ()
        found = {str(row["id"]): row for row in self._read(q.POSTS, {"ids": list(ids)})}
        return tuple(
            post_from_row(key, found.get(key), count)
            for key, count in zip(ids, amplifiers, strict=False)
        )

    # ------------------------------------------------------------- networks
    def ego_network(self, user_id: str, *, depth: int = 1, limit: int = 100) -> Subgraph:
        """The account, the accounts that amplified it or that it amplified and, with
        ``depth=2``, their neighbours: ring by ring, best score first, ``limit`` nodes in all."""
        if not self.accounts([user_id]):
            raise NodeNotFound("User", user_id)
        distance = {user_id: 0}
        frontier, truncated = [user_id], False
        for hops in range(1, depth + 1):
            if not frontier or truncated:
                break
            frontier, truncated = self._neighbours(frontier, distance, limit - len(distance))
            distance.update(dict.fromkeys(frontier, hops))
        return self._subgraph(list(distance), truncated, distance)

    def _neighbours(
        self, ids: Sequence[str], exclude: Collection[str], room: int
    ) -> tuple[list[str], bool]:
        """Up to ``room`` neighbours of ``ids`` not in ``exclude``; True when more exist."""
        params = {"ids": list(ids), "limit": room + len(exclude) + 1}
        found = [str(row["id"]) for row in self._read(q.NEIGHBOURS, params)]
        found = [key for key in found if key not in exclude]
        return found[:room], len(found) > room

    def topic_network(self, topic: str, *, limit: int = 100) -> Subgraph:
        """The topic's best-ranked accounts (rank and score are the topic's) and their edges."""
        key = topic_key(topic)
        if not self._read(q.TOPIC, {"topic": key}):
            raise NodeNotFound("Topic", key)
        rows = self._kept(
            ("topic ranking", key, limit),
            lambda: self._read(q.TOPIC_RANKING, {"topic": key, "limit": limit + 1}),
        )
        ranking = {str(row["id"]): (int(row["rank"]), float(row["score"])) for row in rows}
        ids = list(ranking)[:limit]
        nodes = scored_users(self.store, self._cache, ids, ranking)
        edges = self.edges_among(ids)
        return Subgraph(Network(nodes=nodes, edges=edges), truncated=len(rows) > limit)

    def community_network(self, community: int, *, limit: int = 100) -> Subgraph:
        """The community's best-ranked members and the amplification among them."""
        ids = self._member_ids(community, 0, limit + 1)
        if not ids:
            raise NodeNotFound("Community", str(community))
        return self._subgraph(ids[:limit], len(ids) > limit)

    def _subgraph(
        self, ids: list[str], truncated: bool, distance: dict[str, int] | None = None
    ) -> Subgraph:
        users = {user.id: user for user in scored_users(self.store, self._cache, ids)}
        nodes = [users[key] for key in ids if key in users]
        network = Network(nodes=nodes, edges=self.edges_among(ids))
        return Subgraph(network, truncated, distance or {})

    def edges_among(self, ids: Sequence[str]) -> list[NetworkEdge]:
        """Amplification among ``ids``: :func:`graph.explorer.network.edges_among`."""
        return edges_among(self.store, ids)

    # ------------------------------------------------------------- topics
    def topics(self, *, limit: int = 50, offset: int = 0) -> tuple[list[TopicSummary], int]:
        """The topics the analysis ranked accounts on, busiest first, and how many there are."""
        found = self._kept(("topics",), self._topics)
        return found[offset : offset + limit], len(found)

    def _topics(self) -> list[TopicSummary]:
        found = [
            TopicSummary(str(row["topic"]), int(row["ranked"]), int(row["amplifiers"] or 0))
            for row in self._read(q.TOPICS)
        ]
        found.sort(key=lambda t: (-t.amplifiers, -t.ranked, t.topic))
        return found

    # ------------------------------------------------------------- communities
    def communities(
        self,
        *,
        limit: int = 50,
        offset: int = 0,
        top: int = TOP_MEMBERS,
        cutoff: int = LEADER_CUTOFF,
    ) -> tuple[list[CommunitySummary], int]:
        """Communities, largest first, each with its members' topics and best-ranked members."""
        groups, order = self._kept(("communities",), self._community_groups)
        page = order[offset : offset + limit]
        ranked = {c: sum(int(r["ranked"]) for r in groups[c]) for c in page}
        leaders = self._kept(
            ("community leaders", tuple(page), top, cutoff),
            lambda: self._leaders(ranked, top, cutoff),
        )
        known = self.accounts([key for c in page for key in leaders[c]])
        summaries = [
            community_summary(c, groups[c], [known[k] for k in leaders[c] if k in known])
            for c in page
        ]
        return summaries, len(order)

    def _community_groups(self) -> tuple[dict[int, list[Row]], list[int]]:
        """Rows of COMMUNITIES by community, and the communities largest first."""
        groups: dict[int, list[Row]] = defaultdict(list)
        for row in self._read(q.COMMUNITIES):
            groups[int(row["community"])].append(row)
        order = sorted(groups, key=lambda c: (-sum(int(r["members"]) for r in groups[c]), c))
        return dict(groups), order

    def _leaders(self, ranked: dict[int, int], top: int, cutoff: int) -> dict[int, list[str]]:
        """The ``top`` best-ranked members of each community in ``ranked`` (ranked counts)."""
        found: dict[int, list[tuple[int, str]]] = {c: [] for c in ranked}

        def keep(rows: list[Row]) -> None:
            for row in rows:
                if (community := int(row["community"])) in found:
                    found[community].append((int(row["rank"]), str(row["id"])))

        keep(self._read(q.COMMUNITY_LEADERS, {"cutoff": cutoff}))
        short = [c for c, n in ranked.items() if len(found[c]) < min(top, n)]
        if short:
            keep(self._read(q.COMMUNITY_RANKED_BELOW, {"cutoff": cutoff, "communities": short}))
        return {c: [key for _, key in sorted(pairs)[:top]] for c, pairs in found.items()}

    def community(
        self, community: int, *, limit: int = 50, offset: int = 0, top: int = TOP_MEMBERS
    ) -> CommunityDetail:
        """One community's summary and a page of its members (best rank first)."""
        rows = self._kept(
            ("community", community), lambda: self._read(q.COMMUNITY, {"community": community})
        )
        if not rows:
            raise NodeNotFound("Community", str(community))
        size = sum(int(row["members"]) for row in rows)
        leading = min(top, sum(int(row["ranked"]) for row in rows))
        ids = self._member_ids(community, offset, limit)
        top_ids = ids[:leading] if offset == 0 and limit >= leading else []
        if not top_ids and leading:
            top_ids = self._member_ids(community, 0, leading)
        known = self.accounts(top_ids)
        users = {user.id: user for user in scored_users(self.store, self._cache, ids)}
        return CommunityDetail(
            summary=community_summary(community, rows, [known[k] for k in top_ids if k in known]),
            members=[users[key] for key in ids if key in users],
            total=size,
            limit=limit,
            offset=offset,
        )

    def _member_ids(self, community: int, offset: int, limit: int) -> list[str]:
        params = {"community": community, "offset": offset, "limit": limit, "unranked": UNRANKED}
        return self._kept(
            ("community members", community, offset, limit),
            lambda: [str(row["id"]) for row in self._read(q.COMMUNITY_MEMBERS, params)],
        )

    # ------------------------------------------------------------- lookalikes
    def lookalikes(
        self,
        seeds: Sequence[str],
        *,
        limit: int = 20,
        sort: LookalikeSort = "shared",
        audience: int = AUDIENCE_LIMIT,
    ) -> Lookalikes:
        """Accounts amplified by the seeds' audience (their ``audience`` most engaged
        amplifiers), by distinct amplifiers shared or by similarity; seeds and brand excluded."""
        seeds = list(dict.fromkeys(seeds))
        found = self.accounts(seeds)
        missing = [key for key in seeds if key not in found]
        if missing:
            raise NodeNotFound("User", ", ".join(missing))
        size = int(self._read(q.AUDIENCE, {"ids": seeds})[0]["n"])
        used = min(size, audience)
        fetch = limit + len(seeds) + 4
        while True:  # seeds and brand accounts are dropped here: widen until enough remain
            params = {"ids": seeds, "audience": audience, "limit": fetch}
            rows = self._read(q.LOOKALIKES[sort], params)
            kept = [r for r in rows if str(r["id"]) not in found and not r.get("is_brand")]
            if len(kept) >= limit or len(rows) < fetch:
                break
            fetch *= 4
        items = [
            Lookalike(
                account=account_from_row(row),
                shared=int(row["shared"]),
                similarity=_similarity(int(row["shared"]), used, int(row["amplifiers"] or 0)),
            )
            for row in kept[:limit]
        ]
        return Lookalikes(tuple(found[k] for k in seeds), size, used, items)

    # ------------------------------------------------------------- provenance
    def analysis(self) -> AnalysisInfo:
        """The latest analysis: profile and its settings, window, when, and what it counted."""
        rows = self._read(q.ANALYSIS)
        if not rows:
            raise NoAnalysis()
        row = rows[0]
        settings = json.loads(row["profile_json"]) if row.get("profile_json") else {}
        return AnalysisInfo(
            run=optional_int(row.get("run")),
            profile=str(row.get("profile") or ""),
            settings=dict(settings),
            since=_stamp(row.get("since")),
            until=_stamp(row.get("until")),
            reference=_stamp(row.get("reference")),
            analyzed_at=_stamp(row.get("analyzed_at")),
            users_scored=int(row.get("users_scored") or 0),
            ranked=int(row.get("ranked") or 0),
            edges=int(row.get("edges") or 0),
            events=int(row.get("events") or 0),
            topics=int(row.get("topics") or 0),
            communities=int(row.get("communities") or 0),
            discounted_pairs=int(row.get("discounted_pairs") or 0),
        )


def _stamp(value: object) -> str | None:
    """An ISO time the analysis wrote ("" for none)."""
    return str(value) if value else None


def _similarity(shared: int, audience: int, amplifiers: int) -> float:
    """Cosine of the two audiences: ``shared / sqrt(audience * the candidate's audience)``."""
    reach = max(amplifiers, shared)
    return round(shared / math.sqrt(audience * reach), 4) if audience and reach else 0.0
