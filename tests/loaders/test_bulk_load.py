"""The bulk path (a first big load into an empty FalkorDB graph) writes what MERGE writes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.backends.falkordb import FalkorDBBackend
from graph.server import ServerInfo
from graph.store import Store
from loaders import bulk
from loaders.demo import generate_demo
from loaders.formats.contract import CsvContractReader
from loaders.pipeline import load


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bulk-demo")
    generate_demo(folder, users=300, days=7)
    return folder


@pytest.fixture
def second_store(server: ServerInfo, graph_name: str) -> Iterator[Store]:
    backend = FalkorDBBackend.connect(
        server.host, server.port, server.password, graph_name + "_b", query_timeout_ms=60_000
    )
    yield Store(backend, batch_size=500)
    backend.clear()
    backend.close()


def _content(store: Store) -> dict[str, Any]:
    read = store.read

    def blank(value: Any) -> Any:
        return None if value == "" else value  # the bulk path stores empty text as null

    return {
        "stats": store.stats(),
        "users": sorted(
            (r["id"], r["handle"], blank(r["name"]), r["followers"], r["brand"], r["ph"])
            for r in read(
                "MATCH (u:User) RETURN u.id AS id, u.handle AS handle, u.name AS name, "
                "u.followers AS followers, u.is_brand AS brand, u.placeholder AS ph"
            )
        ),
        "posts": sorted(
            (r["id"], r["author"], r["at"], r["topics"])
            for r in read(
                "MATCH (a:User)-[:POSTED]->(p:Post) OPTIONAL MATCH (p)-[:TAGGED]->(t:Topic) "
                "WITH a, p, t ORDER BY t.id "
                "RETURN p.id AS id, a.id AS author, p.created_at AS at, collect(t.id) AS topics"
            )
        ),
        "events": sorted(
            (r["id"], r["a"], r["b"], r["kind"], r["at"], blank(r["post"]))
            for r in read(
                "MATCH (a:User)-[r:AMPLIFIED]->(b:User) RETURN r.id AS id, a.id AS a, b.id AS b, "
                "r.kind AS kind, r.at AS at, r.post_id AS post"
            )
        ),
    }


def test_bulk_and_batched_write_the_same_graph(
    falkor_store: Store, second_store: Store, demo: Path, tmp_path: Path
) -> None:
    bulk_report = load(
        falkor_store, [CsvContractReader(demo)], bulk=True, rejects_path=tmp_path / "a.txt"
    )
    merge_report = load(
        second_store, [CsvContractReader(demo)], bulk=False, rejects_path=tmp_path / "b.txt"
    )
    assert _content(falkor_store) == _content(second_store)
    assert bulk_report.loaded == merge_report.loaded
    assert bulk_report.read == merge_report.read
    # The schema is in place after a bulk load, and a batched reload changes nothing.
    again = load(falkor_store, [CsvContractReader(demo)], rejects_path=tmp_path / "c.txt")
    assert sum(again.loaded.values()) == 0
    assert _content(falkor_store) == _content(second_store)
    assert falkor_store.search_users("northwind")


def test_bulk_rejects_like_batched(falkor_store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "users.csv").write_text("id,handle\nu1,one\nu2,two\nu2,two again\n")
    (folder / "posts.csv").write_text("id,author_id,created_at\np1,u1,2026-10-03T14:05:00Z\n")
    (folder / "amplifications.csv").write_text(
        "id,amplifier_id,author_id,post_id,kind,created_at\n"
        "a1,u2,u1,p1,retweet,2026-10-03T15:00:00Z\n"
        "a2,u2,u1,p9,retweet,2026-10-03T15:00:00Z\n"
        "a3,u2,u2,,mention,2026-10-03T15:00:00Z\n"
        "a4,u2,ghost,,blink,2026-10-03T15:00:00Z\n"
        "a5,u2,ghost,,mention,2026-10-03T15:00:00Z\n"
    )
    rejects = tmp_path / "rejects.txt"
    report = load(falkor_store, [CsvContractReader(folder)], bulk=True, rejects_path=rejects)
    amplifications = folder / "amplifications.csv"
    assert rejects.read_text().splitlines() == [
        f"{amplifications}:3: post_id: unknown post 'p9'",
        f"{amplifications}:5: kind: unknown kind 'blink'; expected one of "
        "retweet, quote, reply, mention, share, like",
    ]
    assert report.self_amplifications == 1 and report.placeholder_users == 1
    assert report.duplicates["users"] == 1
    stats = falkor_store.stats()
    assert (stats.users, stats.posts, stats.amplifications) == (3, 1, 2)


def test_automatic_choice(falkor_store: Store, demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readers = [CsvContractReader(demo)]
    monkeypatch.setattr(bulk, "BULK_MIN_BYTES", 10**12)
    assert not bulk.supports_bulk(falkor_store, readers)  # too small to pay off
    monkeypatch.setattr(bulk, "BULK_MIN_BYTES", 1)
    assert bulk.supports_bulk(falkor_store, readers)  # empty graph, big enough
    falkor_store.upsert_users([])
    falkor_store.create_placeholder_users(["someone"])
    assert not bulk.supports_bulk(falkor_store, readers)  # the graph holds data: MERGE
