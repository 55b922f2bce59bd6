"""The explorer's endpoints on the planted scenario, checked against the CSV files it wrote.

The scenario (``tests.support.scenario``) is loaded with a hostile account added to its files,
analysed, then read through the API; neighbours, edge weights, topic and community figures
and lookalikes are recomputed here from the CSV files (and, where an ordering needs them, from
the scores the analysis stored).
"""

from __future__ import annotations

import csv
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.analysis.run import analyze
from graph.analysis.weighting import DAY_MS, pair_weight
from graph.backends.base import Backend
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.explorer import queries as explorer_queries
from graph.explorer.leaderboard import Leaderboard
from graph.explorer.reads import Explorer
from graph.explorer.run_cache import RunCache
from graph.models import InfluencerQuery
from graph.server import EmbeddedServer, ServerInfo
from graph.store import Store
from loaders.demo import HOSTILE_HANDLE
from tests.conftest import BACKENDS, open_test_backend, settings_env
from tests.support.api_client import api_client
from tests.support.graph_reads import topic_rankings
from tests.support.ingest import load_csv_dir
from tests.support.scenario import Scenario, generate_scenario

HOSTILE_NAME = "</script><script>alert('name')</script>"
HOSTILE_TEXT = '<script>alert("post")</script> & "quotes" #vegan'
SENT: set[str] = set()  # every statement the module's backends ran
GRAPH = "api_explorer"
NEO4J_SUITE = "explorer suite"


@dataclass(frozen=True)
class Data:
    """What the CSV files say, computed without the database."""

    folder: Path
    scenario: Scenario
    users: dict[str, dict[str, str]]
    posts: dict[str, dict[str, str]]
    events: list[dict[str, str]]
    brand: set[str]
    amplifiers: dict[str, set[str]]  # who amplified each account
    amplified: dict[str, set[str]]  # whom each account amplified

    def amplifiers_of(self, user: str) -> set[str]:
        return self.amplifiers.get(user, set())

    def amplified_by(self, user: str) -> set[str]:
        return self.amplified.get(user, set())

    def neighbours(self, users: set[str]) -> set[str]:
        return {n for user in users for n in self.amplifiers_of(user) | self.amplified_by(user)}


def _ms(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _append(path: Path, rows: list[list[object]]) -> None:
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(rows)


def _add_hostile_account(folder: Path) -> None:
    """An account whose handle, name, bio and posts are markup, amplified by twelve regulars."""
    _append(
        folder / "users.csv",
        [["evil", HOSTILE_HANDLE, HOSTILE_NAME, 10, '<b>bold</b> & "quoted"', "", "false", "x"]],
    )
    stamp = "2026-10-20T12:00:00Z"
    posts = [f"evil-post-{k}" for k in range(3)]
    _append(
        folder / "posts.csv",
        [[p, "evil", stamp, HOSTILE_TEXT, "vegan", "en", f"https://x.example/{p}"] for p in posts],
    )
    fans = [f"u{k:04d}" for k in range(1, 13)]
    events: list[list[object]] = [
        [f"evil-{fan}-{k}", fan, "evil", posts[k % 3], "retweet", f"2026-10-2{k % 3}T13:00:00Z"]
        for k, fan in enumerate(fans)
    ]
    events += [[f"evil-out-{k}", "evil", f"u{k:04d}", "", "mention", stamp] for k in (20, 21)]
    _append(folder / "amplifications.csv", events)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Data:
    folder = tmp_path_factory.mktemp("explorer")
    scenario = generate_scenario(folder)
    _add_hostile_account(folder)
    users = {row["id"]: row for row in _read(folder / "users.csv")}
    events = _read(folder / "amplifications.csv")
    amplifiers: dict[str, set[str]] = defaultdict(set)
    amplified: dict[str, set[str]] = defaultdict(set)
    for e in events:
        amplifiers[e["author_id"]].add(e["amplifier_id"])
        amplified[e["amplifier_id"]].add(e["author_id"])
    return Data(
        folder=folder,
        scenario=scenario,
        users=users,
        posts={row["id"]: row for row in _read(folder / "posts.csv")},
        events=events,
        brand={key for key, row in users.items() if row["is_brand"] == "true"},
        amplifiers=dict(amplifiers),
        amplified=dict(amplified),
    )


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest, server: ServerInfo, data: Data) -> Iterator[Backend]:
    backend = open_test_backend(request, server, GRAPH)
    store = Store(backend, batch_size=2000)
    report = load_csv_dir(store, data.folder, rejects_path=data.folder / "rejects.txt")
    assert report.rejected_total == 0
    analyze(store)
    originals = {name: getattr(backend, name) for name in ("read", "read_columns", "write")}

    def recording(name: str) -> Any:
        def sent(query: Any, params: Any = None, **options: Any) -> Any:
            SENT.add(query)
            return originals[name](query, params, **options)

        return sent

    for name in originals:  # the community names write too
        setattr(backend, name, recording(name))
    yield backend
    backend.clear()
    backend.close()


@pytest.fixture(scope="module")
def store(backend: Backend) -> Store:
    return Store(backend)


@pytest.fixture(scope="module")
def client(
    backend: Backend, server: ServerInfo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    env = settings_env(backend, server, GRAPH, tmp_path_factory.mktemp("explorer-data"))
    settings = Settings(**env)  # type: ignore[arg-type]
    with api_client(create_app(settings, backend=backend)) as test_client:
        yield test_client


def _get(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


# ------------------------------------------------------------------- one account
def test_user_detail_matches_the_files(client: TestClient, data: Data, store: Store) -> None:
    blogger = data.scenario.bloggers["vegan"][0]
    body = _get(client, f"/api/users/{blogger}")
    row = data.users[blogger]
    assert body["id"] == blogger
    assert body["profile"] == {
        "handle": row["handle"],
        "name": row["name"],
        "bio": row["bio"],
        "url": row["url"],
        "followers": int(row["followers"]),
        "is_brand": False,
        "platform": "twitter",
        "placeholder": False,
    }
    scores = body["scores"]
    stored = store.user(blogger)
    assert scores["rank"] == stored.rank and scores["score"] == stored.score
    assert scores["amplifiers"] == len(data.amplifiers_of(blogger))
    assert scores["acts"] == sum(e["author_id"] == blogger for e in data.events)
    assert scores["community"] == stored.community
    assert set(scores) >= {"pagerank", "betweenness", "core", "influence", "passivity"}
    assert body["role"] == "thematic_blogger" and body["reasons"] == list(stored.reasons)
    # Topic ranks are the INFLUENTIAL_IN relationships: the same as the topic's ranking.
    assert body["topics"][0]["topic"] == "vegan"
    for standing in body["topics"]:
        ranking = store.influencers(InfluencerQuery(topic=standing["topic"]), limit=5000).items
        mine = next(user for user in ranking if user.id == blogger)
        assert (standing["rank"], standing["score"]) == (mine.rank, mine.score)
        assert 0 < standing["focus"] <= 1 and standing["amplifiers"] >= 3
    # Top amplifiers: handles from users.csv, shares as stored, each really amplified it.
    amplifiers = body["top_amplifiers"]
    assert [a["account"]["id"] for a in amplifiers] == list(stored.top_amplifiers)
    assert [a["share"] for a in amplifiers] == list(stored.top_amplifier_shares)
    for entry in amplifiers:
        assert entry["account"]["handle"] == data.users[entry["account"]["id"]]["handle"]
        assert entry["account"]["id"] in data.amplifiers_of(blogger)
    # Top posts: text, date, URL from posts.csv; distinct amplifiers from amplifications.csv.
    posts = body["top_posts"]
    assert len(posts) == 3
    for post in posts:
        source = data.posts[post["id"]]
        assert source["author_id"] == blogger
        assert (post["text"], post["created_at"], post["url"]) == (
            source["text"],
            source["created_at"],
            source["url"],
        )
        assert post["topics"] == ["vegan"]
        distinct = {e["amplifier_id"] for e in data.events if e["post_id"] == post["id"]}
        assert post["amplifiers"] == len(distinct)
    counts = [post["amplifiers"] for post in posts]
    assert counts == sorted(counts, reverse=True)


def test_brand_accounts_and_quiet_accounts(client: TestClient, data: Data) -> None:
    brand = _get(client, f"/api/users/{data.scenario.brand[0]}")
    assert brand["profile"]["is_brand"] is True and brand["role"] == "brand"
    assert brand["scores"]["rank"] is None and brand["topics"] == []
    quiet = next(key for key in sorted(data.users) if not data.amplifiers_of(key))
    body = _get(client, f"/api/users/{quiet}")
    assert body["scores"]["amplifiers"] == 0 and body["top_posts"] == []


def test_hostile_text_is_returned_verbatim_as_json(client: TestClient) -> None:
    response = client.get("/api/users/evil")
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["profile"]["handle"] == HOSTILE_HANDLE
    assert body["profile"]["name"] == HOSTILE_NAME
    assert body["profile"]["bio"] == '<b>bold</b> & "quoted"'
    assert body["top_posts"] and {post["text"] for post in body["top_posts"]} == {HOSTILE_TEXT}
    network = _get(client, "/api/users/u0001/network", limit=500)
    assert HOSTILE_HANDLE in {node["handle"] for node in network["nodes"]}
    seeds = _get(client, "/api/users/evil/lookalikes")["seeds"]
    assert seeds[0]["handle"] == HOSTILE_HANDLE


@pytest.mark.parametrize(
    "path", ["/api/users/nobody", "/api/users/nobody/network", "/api/users/nobody/lookalikes"]
)
def test_unknown_user_is_404(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"detail": "User 'nobody' not found"}


# ------------------------------------------------------------------- networks
def _check_edges(body: dict[str, Any], data: Data) -> None:
    """Every amplification among the nodes, once per pair, weighted from the files."""
    ids = {node["id"] for node in body["nodes"]}
    evidence: dict[tuple[str, str], dict[str, tuple[set[str], set[int]]]] = defaultdict(dict)
    events: Counter[tuple[str, str]] = Counter()
    for e in data.events:
        pair = (e["amplifier_id"], e["author_id"])
        if pair[0] in ids and pair[1] in ids:
            posts, days = evidence[pair].setdefault(e["kind"], (set(), set()))
            posts.add(e["post_id"])
            days.add(_ms(e["created_at"]) // DAY_MS)
            events[pair] += 1
    got = {(edge["source"], edge["target"]): edge for edge in body["edges"]}
    assert set(got) == set(evidence)
    for pair, by_kind in evidence.items():
        assert got[pair]["events"] == events[pair]
        expected = pair_weight({k: (len(p), len(d)) for k, (p, d) in by_kind.items()})
        assert got[pair]["weight"] == pytest.approx(expected)
        assert got[pair]["kinds"] == sorted(by_kind)


def _best(scores: dict[str, float], ids: set[str], n: int) -> list[str]:
    return sorted(ids, key=lambda key: (-scores.get(key, -1.0), key))[:n]


@pytest.mark.parametrize("who", ["blogger-vegan-1", "brand-1", "fan-1", "u0007", "evil"])
def test_ego_network_is_the_neighbourhood_in_the_files(
    client: TestClient, data: Data, who: str
) -> None:
    body = _get(client, f"/api/users/{who}/network", limit=500)
    expected = data.neighbours({who}) - {who}
    assert expected  # every one of them amplified or was amplified
    ids = [node["id"] for node in body["nodes"]]
    assert ids[0] == who and body["center"] == who and body["depth"] == 1
    assert len(ids) == len(set(ids))
    if len(expected) < 500:
        assert set(ids) == expected | {who} and body["truncated"] is False
    else:
        assert len(ids) == 500 and set(ids) < expected | {who} and body["truncated"] is True
    assert body["distance"] == {key: int(key != who) for key in ids}
    _check_edges(body, data)


def test_ego_network_keeps_the_best_scored_neighbours(
    client: TestClient, data: Data, store: Store
) -> None:
    who = data.scenario.bloggers["camping"][0]
    neighbours = data.neighbours({who}) - {who}
    scores = {user.id: user.score for user in store.users(sorted(neighbours))}
    body = _get(client, f"/api/users/{who}/network", limit=12)
    assert [node["id"] for node in body["nodes"]] == [who, *_best(scores, neighbours, 11)]
    assert body["truncated"] is True
    _check_edges(body, data)


def test_ego_network_at_depth_two_goes_ring_by_ring(
    client: TestClient, data: Data, store: Store
) -> None:
    who = "evil"
    ring1 = data.neighbours({who}) - {who}
    ring2 = data.neighbours(ring1) - ring1 - {who}
    everyone = ring1 | ring2
    scores = {user.id: user.score for user in store.users(sorted(everyone))}
    limit = 1 + len(ring1) + 30
    assert len(ring2) > 30
    body = _get(client, f"/api/users/{who}/network", depth=2, limit=limit)
    ids = [node["id"] for node in body["nodes"]]
    assert ids == [who, *_best(scores, ring1, len(ring1)), *_best(scores, ring2, 30)]
    assert body["truncated"] is True
    assert Counter(body["distance"].values()) == {0: 1, 1: len(ring1), 2: 30}
    _check_edges(body, data)
    small = next(
        key
        for key in sorted(data.users)
        if 0 < len(data.neighbours({key}) | data.neighbours(data.neighbours({key}))) < 150
    )
    whole = data.neighbours({small}) | data.neighbours(data.neighbours({small})) | {small}
    body = _get(client, f"/api/users/{small}/network", depth=2, limit=500)
    assert {node["id"] for node in body["nodes"]} == whole and body["truncated"] is False


@pytest.mark.parametrize(
    "params", [{"depth": 0}, {"depth": 3}, {"limit": 0}, {"limit": 501}, {"depth": "x"}]
)
def test_bad_network_parameters_are_422(client: TestClient, params: dict[str, object]) -> None:
    response = client.get("/api/users/fan-1/network", params=params)
    assert response.status_code == 422 and "detail" in response.json()


# ------------------------------------------------------------------- topics
def test_topics_are_listed_busiest_first(client: TestClient, data: Data, store: Store) -> None:
    body = _get(client, "/api/topics")
    items = body["items"]
    ranked = dict(topic_rankings(store))
    assert body["total"] == len(ranked) == len(items)
    assert {item["topic"] for item in items} >= set(data.scenario.topics)
    tags = {key: row["hashtags"] for key, row in data.posts.items()}
    for item in items:
        topic = item["topic"]
        accounts = store.influencers(InfluencerQuery(topic=topic), limit=5000).items
        assert item["ranked"] == ranked[topic] == len(accounts)
        on_topic: dict[str, set[str]] = defaultdict(set)
        for e in data.events:
            if e["post_id"] and topic in tags[e["post_id"]].lower().split(";"):
                on_topic[e["author_id"]].add(e["amplifier_id"])
        assert item["amplifiers"] == sum(len(on_topic[user.id]) for user in accounts)
    keys = [(-item["amplifiers"], -item["ranked"], item["topic"]) for item in items]
    assert keys == sorted(keys)
    page = _get(client, "/api/topics", limit=2, offset=1)
    assert page["items"] == items[1:3] and page["total"] == body["total"]


def test_topic_network(client: TestClient, data: Data, store: Store) -> None:
    body = _get(client, "/api/topics/vegan/network", limit=10)
    expected = store.influencers(InfluencerQuery(topic="vegan"), limit=10).items
    assert [(n["id"], n["rank"], n["score"]) for n in body["nodes"]] == [
        (user.id, user.rank, user.score) for user in expected
    ]
    assert {n["id"] for n in body["nodes"][:3]} == set(data.scenario.bloggers["vegan"])
    assert body["truncated"] is True
    _check_edges(body, data)
    assert _get(client, "/api/topics/%23Vegan/network", limit=10) == body
    missing = client.get("/api/topics/no-such-topic/network")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Topic 'no-such-topic' not found"}


# ------------------------------------------------------------------- communities
def _members(store: Store, data: Data) -> dict[int, list[tuple[int, float, str]]]:
    """Per community: (rank or a big number, -score, id) of every analysed member."""
    found: dict[int, list[tuple[int, float, str]]] = defaultdict(list)
    for user in store.users(sorted(data.users)):
        if user.community is not None:
            key = (user.rank or 2**62, -user.score, user.id)
            found[user.community].append(key)
    return {c: sorted(members) for c, members in found.items()}


def test_communities_overview(client: TestClient, data: Data, store: Store) -> None:
    members = _members(store, data)
    body = _get(client, "/api/communities", limit=500)
    items = body["items"]
    assert body["total"] == len(members) == len(items)
    assert sum(item["size"] for item in items) == len(store.community_members())
    sizes = [(-item["size"], item["community"]) for item in items]
    assert sizes == sorted(sizes)
    users = {user.id: user for user in store.users(sorted(data.users))}
    for item in items:
        ours = members[item["community"]]
        assert item["size"] == len(ours)
        ranked = [key for rank, _, key in ours if rank < 2**62]
        assert item["ranked"] == len(ranked)
        assert [m["id"] for m in item["top_members"]] == ranked[:5]
        assert [m["rank"] for m in item["top_members"]] == [users[k].rank for k in ranked[:5]]
        firsts = Counter(users[key].topics[0] for _, _, key in ours if users[key].topics)
        assert {t["topic"]: t["members"] for t in item["topics"]} == firsts
    # The planted topical communities are there, each led by its topic's bloggers.
    leaders = {m["id"] for item in items for m in item["top_members"]}
    assert sum(b in leaders for group in data.scenario.bloggers.values() for b in group) >= 8
    page = _get(client, "/api/communities", limit=2, offset=1)
    assert page["items"] == items[1:3] and page["total"] == body["total"]


def test_community_leaders_past_the_cutoff_are_found(store: Store) -> None:
    explorer = Explorer(store)
    assert explorer.communities(cutoff=3, limit=500) == explorer.communities(limit=500)


def test_community_detail_pages_its_members(client: TestClient, data: Data, store: Store) -> None:
    members = _members(store, data)
    community = max(members, key=lambda c: len(members[c]))
    ordered = [key for _, _, key in members[community]]
    first = _get(client, f"/api/communities/{community}", limit=20)
    second = _get(client, f"/api/communities/{community}", limit=20, offset=20)
    assert first["community"] == community and first["size"] == len(ordered)
    assert [m["id"] for m in first["members"]["items"]] == ordered[:20]
    assert [m["id"] for m in second["members"]["items"]] == ordered[20:40]
    assert first["members"]["total"] == second["members"]["total"] == len(ordered)
    assert [m["id"] for m in second["top_members"]] == ordered[:5]
    overview = _get(client, "/api/communities", limit=500)["items"]
    summary = next(item for item in overview if item["community"] == community)
    assert {k: v for k, v in first.items() if k != "members"} == summary
    small = _get(client, f"/api/communities/{community}", limit=2)
    assert [m["id"] for m in small["top_members"]] == ordered[:5]


def test_community_network(client: TestClient, data: Data, store: Store) -> None:
    members = _members(store, data)
    community = max(members, key=lambda c: len(members[c]))
    body = _get(client, f"/api/communities/{community}/network", limit=25)
    assert [n["id"] for n in body["nodes"]] == [key for _, _, key in members[community][:25]]
    assert body["truncated"] is True
    _check_edges(body, data)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/communities/9999", 404),
        ("/api/communities/9999/network", 404),
        ("/api/communities/-1", 422),
        ("/api/communities/abc", 422),
        ("/api/communities/0/network?limit=0", 422),
        ("/api/communities?limit=0", 422),
        ("/api/communities?offset=-1", 422),
        ("/api/topics?limit=501", 422),
    ],
)
def test_community_and_topic_errors(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status and "detail" in response.json()
    if status == 404:
        assert response.json() == {"detail": "Community '9999' not found"}


# ------------------------------------------------------------------- lookalikes
def _lookalikes(
    data: Data, seeds: list[str], sort: str, limit: int, audience: int = 1000
) -> list[tuple[str, int, float]]:
    """The same ranking in pure Python, from the files."""
    acts = Counter(e["amplifier_id"] for e in data.events if e["author_id"] in seeds)
    engaged = sorted(acts, key=lambda a: (-acts[a], a))[:audience]
    shared: Counter[str] = Counter()
    for amplifier in engaged:
        for author in data.amplified_by(amplifier):
            shared[author] += 1
    for key in [*seeds, *data.brand]:
        shared.pop(key, None)

    def similarity(key: str) -> float:
        return shared[key] / math.sqrt(max(len(data.amplifiers_of(key)), shared[key]))

    order: Callable[[str], tuple[Any, ...]] = (
        (lambda k: (-shared[k], k))
        if sort == "shared"
        else (lambda k: (-similarity(k), -shared[k], k))
    )
    best = sorted(shared, key=order)[:limit]
    return [(k, shared[k], similarity(k) / math.sqrt(len(engaged))) for k in best]


def _pairs(body: dict[str, Any]) -> list[tuple[str, int, float]]:
    return [(i["account"]["id"], i["shared"], i["similarity"]) for i in body["items"]]


@pytest.mark.parametrize("sort", ["shared", "similarity"])
def test_lookalikes_of_one_account(client: TestClient, data: Data, sort: str) -> None:
    seed = data.scenario.bloggers["climbing"][1]
    body = _get(client, f"/api/users/{seed}/lookalikes", limit=15, sort=sort)
    expected = _lookalikes(data, [seed], sort, 15)
    assert [(k, n) for k, n, _ in _pairs(body)] == [(k, n) for k, n, _ in expected]
    for (_, _, got), (_, _, want) in zip(_pairs(body), expected, strict=True):
        assert got == pytest.approx(want, abs=1e-4)
    assert body["audience"] == body["audience_used"] == len(data.amplifiers_of(seed))
    assert [s["id"] for s in body["seeds"]] == [seed]
    for item in body["items"]:
        account = item["account"]
        assert account["id"] != seed and not account["is_brand"]
        assert account["amplifiers"] == len(data.amplifiers_of(account["id"]))
    if sort == "shared":  # the seed's fellow bloggers share its audience
        top = {item["account"]["id"] for item in body["items"][:5]}
        assert top & set(data.scenario.bloggers["climbing"])


def test_lookalikes_of_a_shortlist(client: TestClient, data: Data) -> None:
    seeds = [data.scenario.bloggers["vegan"][0], data.scenario.bloggers["camping"][1]]
    response = client.post(
        "/api/lookalikes", json={"user_ids": [*seeds, seeds[0]], "limit": 25, "sort": "shared"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [s["id"] for s in body["seeds"]] == seeds
    assert [(k, n) for k, n, _ in _pairs(body)] == [
        (k, n) for k, n, _ in _lookalikes(data, seeds, "shared", 25)
    ]
    audience = data.amplifiers_of(seeds[0]) | data.amplifiers_of(seeds[1])
    assert body["audience"] == len(audience)


def test_lookalikes_compare_the_most_engaged_audience(client: TestClient, data: Data) -> None:
    brand = data.scenario.brand[0]
    body = _get(client, f"/api/users/{brand}/lookalikes", limit=20, audience=10)
    assert body["audience_used"] == 10 < body["audience"] == len(data.amplifiers_of(brand))
    assert [(k, n) for k, n, _ in _pairs(body)] == [
        (k, n) for k, n, _ in _lookalikes(data, [brand], "shared", 20, audience=10)
    ]
    assert not {item["account"]["id"] for item in body["items"]} & data.brand


@pytest.mark.parametrize(
    "payload",
    [
        {"user_ids": []},
        {"user_ids": [f"u{k:04d}" for k in range(101)]},
        {"user_ids": ["fan-1"], "limit": 0},
        {"user_ids": ["fan-1"], "sort": "followers"},
        {"user_ids": [""]},
        {"limit": 5},
        {"user_ids": "fan-1"},
    ],
)
def test_bad_lookalike_requests_are_422(client: TestClient, payload: dict[str, Any]) -> None:
    response = client.post("/api/lookalikes", json=payload)
    assert response.status_code == 422 and "detail" in response.json()


def test_unknown_seeds_are_404(client: TestClient) -> None:
    response = client.post("/api/lookalikes", json={"user_ids": ["fan-1", "ghost", "nobody"]})
    assert response.status_code == 404
    assert response.json() == {"detail": "User 'ghost, nobody' not found"}
    assert client.get("/api/users/fan-1/lookalikes", params={"limit": 0}).status_code == 422


# ------------------------------------------------------------------- analysis
def test_latest_analysis(client: TestClient, data: Data) -> None:
    body = _get(client, "/api/analysis")
    assert body["profile"] == "default" and body["settings"]["damping"] == 0.85
    assert body["since"] is None and body["until"] is None
    assert body["reference"] == max(e["created_at"] for e in data.events)
    assert datetime.fromisoformat(body["analyzed_at"].replace("Z", "+00:00")).tzinfo
    assert body["events"] == len(data.events)
    assert body["communities"] == _get(client, "/api/communities")["total"]
    assert body["topics"] >= _get(client, "/api/topics")["total"] >= 4  # some rank nobody
    assert body["users_scored"] > body["ranked"] > 1000 and isinstance(body["run"], int)


def test_database_down_is_503(tmp_path: Path) -> None:
    # FalkorDB only: it kills an embedded server of its own under the app.
    embedded = EmbeddedServer(tmp_path / "data")
    info = embedded.start()
    backend = FalkorDBBackend.connect(
        info.host, info.port, info.password, "down", query_timeout_ms=5_000
    )
    try:
        embedded.kill()
        with api_client(create_app(Settings(), backend=backend)) as down:
            for path in ("/api/users/u1", "/api/topics", "/api/communities", "/api/analysis"):
                response = down.get(path)
                assert response.status_code == 503, path
                assert "not reachable" in response.json()["detail"]
            response = down.post("/api/lookalikes", json={"user_ids": ["u1"]})
            assert response.status_code == 503
    finally:
        backend.close()
        embedded.stop()


# ------------------------------------------------------------------- documentation
ENDPOINTS = {
    ("get", "/api/users/{user_id}"),
    ("get", "/api/users/{user_id}/network"),
    ("get", "/api/users/{user_id}/lookalikes"),
    ("post", "/api/lookalikes"),
    ("get", "/api/topics"),
    ("get", "/api/topics/{topic}/network"),
    ("get", "/api/communities"),
    ("get", "/api/communities/{community}"),
    ("get", "/api/communities/{community}/network"),
    ("get", "/api/analysis"),
}


def test_openapi_documents_the_explorer(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for method, path in ENDPOINTS:
        operation = paths[path][method]
        assert operation["summary"] and operation["description"], path
        assert "200" in operation["responses"] and "503" in operation["responses"], path
        assert "$ref" in str(operation["responses"]["200"]["content"]), path
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), (path, parameter["name"])
        if "{" in path or path == "/api/analysis" or method == "post":
            assert "404" in operation["responses"], path


def test_leaderboard_pages_are_the_stores(store: Store) -> None:
    """The leaderboard's column reads (``RANKING_COLUMNS``, ``TOPIC_RANKING_COLUMNS``) serve
    the pages the store reads itself."""
    leaderboard = Leaderboard(RunCache())
    for topic in (None, "vegan"):
        assert leaderboard.influencers(
            store, InfluencerQuery(topic=topic), limit=10
        ) == store.influencers(InfluencerQuery(topic=topic), limit=10)


def test_reading_and_community_names_on_these_files(client: TestClient) -> None:
    """The reads of what to read and of community names, on the same files (their behaviour
    is tested in tests/api/test_api_reading.py and test_api_community_names.py)."""
    top = _get(client, "/api/influencers", limit=1)["items"][0]["id"]
    reading = _get(client, f"/api/users/{top}/reading")
    assert reading["seeds"] == [top] and reading["voices"]
    assert client.put("/api/communities/0/name", json={"name": "Named"}).status_code == 200
    assert _get(client, "/api/communities")["items"][0]["name"] == "Named"
    assert client.delete("/api/communities/0/name").status_code == 200
    assert _get(client, "/api/communities")["items"][0]["name"] is None


def test_every_explorer_statement_ran_on_falkordb() -> None:
    """The tests above sent each statement of ``graph.explorer.queries`` to FalkorDB."""
    assert set(explorer_queries.all_queries()) - SENT == set()


# ------------------------------------------------------------------- network files
def _read_back(content: bytes, file_format: str, folder: Path) -> nx.DiGraph:
    path = folder / f"view.{file_format}"
    path.write_bytes(content)
    graph = nx.read_gexf(path) if file_format == "gexf" else nx.read_graphml(path)
    assert isinstance(graph, nx.DiGraph)
    return graph


@pytest.mark.parametrize("file_format", ["gexf", "graphml"])
@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/users/u0001/network", {"limit": 500}),
        ("/api/users/blogger-vegan-1/network", {"depth": 2, "limit": 60}),
        ("/api/topics/vegan/network", {"limit": 40}),
        ("/api/communities/0/network", {"limit": 40}),
    ],
)
def test_network_files_hold_the_view_with_its_attributes(
    client: TestClient, path: str, params: dict[str, Any], file_format: str, tmp_path: Path
) -> None:
    view = _get(client, path, **params)
    response = client.get(f"{path}.{file_format}", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(f"application/{file_format}+xml")
    assert "attachment" in response.headers["content-disposition"]
    assert response.headers["content-disposition"].endswith(f'.{file_format}"')
    graph = _read_back(response.content, file_format, tmp_path)
    assert sorted(graph.nodes) == sorted(node["id"] for node in view["nodes"])
    for node in view["nodes"]:
        got = graph.nodes[node["id"]]
        assert got["handle"] == node["handle"] and got["name"] == node["name"]
        assert float(got["score"]) == pytest.approx(node["score"])
        assert got.get("rank") == (node["rank"] or None)
        assert got.get("role") == node["role"]
        assert got.get("community") == node["community"]
        pairs = zip(node["topics"], node["topic_ranks"], strict=False)
        ranks = ", ".join(f"{t}:{r}" for t, r in pairs)
        assert got["topic_ranks"] == ranks
        if "distance" in view:
            assert got["distance"] == view["distance"][node["id"]]
    assert graph.number_of_edges() == len(view["edges"])
    for edge in view["edges"]:
        got = graph.edges[edge["source"], edge["target"]]
        assert float(got["weight"]) == pytest.approx(edge["weight"])
        assert got["events"] == edge["events"] and got["kinds"] == ", ".join(edge["kinds"])


def test_network_files_escape_hostile_text(client: TestClient, tmp_path: Path) -> None:
    for file_format in ("gexf", "graphml"):
        response = client.get(f"/api/users/evil/network.{file_format}")
        assert response.status_code == 200
        assert b"<script" not in response.content.lower()  # escaped: &lt;script
        graph = _read_back(response.content, file_format, tmp_path)
        assert graph.nodes["evil"]["handle"] == HOSTILE_HANDLE
        assert graph.nodes["evil"]["name"] == HOSTILE_NAME


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/users/nobody/network.gexf", 404),
        ("/api/topics/nothing/network.graphml", 404),
        ("/api/users/u0001/network.png", 422),
        ("/api/users/u0001/network.gexf?depth=3", 422),
    ],
)
def test_network_files_refuse_what_the_view_refuses(
    client: TestClient, path: str, status: int
) -> None:
    assert client.get(path).status_code == status
