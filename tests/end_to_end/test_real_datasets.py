"""The real public datasets of ../shared/data loaded into the database, counts checked against
their SOURCE.md and against independent counts of the files themselves."""

from __future__ import annotations

import csv
import gzip
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from graph.analysis.run import analyze
from graph.models import InfluencerQuery
from graph.store import Store
from loaders.detect import detect, open_reader
from loaders.pipeline import load
from tests.support.graph_reads import topic_rankings

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
pytestmark = pytest.mark.slow


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: the real datasets live in ../shared/data beside the repo")
    return path


def test_higgs_activity(falkor_store: Store, tmp_path: Path) -> None:
    path = _need(DATA / "higgs-twitter" / "higgs-activity_time.txt.gz")
    assert detect(path) == "snap"
    lines, self_loops, distinct = 0, 0, set()
    with gzip.open(path, "rt") as handle:
        for line in handle:
            a, b, ts, kind = line.split()
            lines += 1
            if a == b:
                self_loops += 1
            else:
                distinct.add((a, b, ts, kind))
    assert lines == 563_069  # SOURCE.md

    report = load(falkor_store, [open_reader(path)], rejects_path=tmp_path / "rejects.txt")
    stats = falkor_store.stats()
    assert stats.users == 304_691  # SOURCE.md: nodes of the activity file
    assert stats.amplifications == len(distinct)
    assert report.read["snap"] == 563_069 and report.rejected_total == 0
    assert report.self_amplifications == self_loops
    assert report.loaded["amplifications"] == len(distinct)
    assert report.duplicates["amplifications"] == lines - self_loops - len(distinct)
    top = falkor_store.read(
        "MATCH (:User)-[r:AMPLIFIED]->(u:User) WHERE r.kind = 'retweet' "
        "RETURN u.id AS id, count(r) AS n ORDER BY n DESC LIMIT 1"
    )
    assert top == [{"id": "88", "n": 18_977}]  # SOURCE.md: most retweeted

    summary = analyze(falkor_store)
    assert summary.events == len(distinct)
    assert summary.users_scored == stats.users - _isolated(falkor_store)
    leaders = falkor_store.influencers(limit=10).items
    assert "88" in {user.id for user in leaders}  # the most amplified account, by distinct people
    assert all(user.reasons for user in leaders)
    assert summary.topics == 0  # an activity file carries no hashtags


def test_congress_edge_list_reversed(falkor_store: Store, tmp_path: Path) -> None:
    path = _need(DATA / "congress-twitter" / "congress_edges_weighted.dat")
    reader = open_reader(path, "edgelist", direction="author-amplifier")
    report = load(falkor_store, [reader], rejects_path=tmp_path / "rejects.txt")
    stats = falkor_store.stats()
    assert (stats.users, stats.amplified_pairs) == (475, 13_289)  # SOURCE.md
    assert report.rejected_total == 0 and report.self_amplifications == 0
    with open(DATA / "congress-twitter" / "congress_members.csv") as handle:
        handles = [row["Handle"] for row in csv.DictReader(handle)]
    amplifiers = falkor_store.read(
        "MATCH (a:User)-[r:AMPLIFIED]->(u:User) RETURN u.id AS id, count(DISTINCT a) AS n "
        "ORDER BY n DESC LIMIT 2"
    )
    # SOURCE.md: largest out-degree (as stored, influencer -> amplifier): Pelosi 210, GOPLeader 157.
    assert [(handles[int(r["id"])], r["n"]) for r in amplifiers] == [
        ("SpeakerPelosi", 210),
        ("GOPLeader", 157),
    ]

    # Through the whole product path (database -> analyze -> u.community): party lines.
    with open(DATA / "congress-twitter" / "congress_members.csv") as handle:
        party = [row["Party"] for row in csv.DictReader(handle)]
    analyze(falkor_store)
    members = falkor_store.community_members()
    by_community: dict[int, Counter[str]] = defaultdict(Counter)
    for user_id, community in members:
        by_community[community][party[int(user_id)]] += 1
    largest = sorted(by_community.values(), key=lambda c: -sum(c.values()))[:2]
    majorities = sorted(max(c, key=lambda p: c[p]) for c in largest)
    assert majorities == ["D", "R"]
    for counts in largest:
        assert max(counts.values()) / sum(counts.values()) >= 0.9, counts


def test_ira_tweets(falkor_store: Store, tmp_path: Path) -> None:
    path = _need(DATA / "ira-russian-trolls" / "ira_tweets_2016-10_2016-11.csv.gz")
    assert detect(path) == "tweet-csv"
    report = load(falkor_store, [open_reader(path)], rejects_path=tmp_path / "rejects.txt")
    stats = falkor_store.stats()
    # 241,947 rows (SOURCE.md), of which 10,919 repeat an earlier row's author, minute and text.
    assert report.read["tweet-csv"] >= 241_947
    assert stats.posts == 241_947 - report.duplicates["posts"] == 231_028
    assert report.rejected_total == 0
    assert stats.amplifications == report.loaded["amplifications"]
    authors = falkor_store.read("MATCH (u:User)-[:POSTED]->(:Post) RETURN count(DISTINCT u) AS n")
    assert authors == [{"n": 490}]

    summary = analyze(falkor_store)
    assert summary.topics > 0  # hashtags: topic authority written back
    assert topic_rankings(falkor_store)
    topic, _ = topic_rankings(falkor_store)[0]
    page = falkor_store.influencers(InfluencerQuery(topic=topic), limit=5)
    assert [user.rank for user in page.items] == list(range(1, len(page.items) + 1))


def test_twitter15_16_cascades(falkor_store: Store, tmp_path: Path) -> None:
    path = _need(DATA / "twitter15-16-cascades" / "twitter1516_cascade_edges.csv.gz")
    assert detect(path) == "cascade"
    report = load(falkor_store, [open_reader(path)], rejects_path=tmp_path / "rejects.txt")
    stats = falkor_store.stats()
    assert stats.users == 677_640  # SOURCE.md: distinct user ids
    assert report.self_amplifications == 2_171  # SOURCE.md: parent and child the same user
    # SOURCE.md: 985,686 user -> user rows; distinct (child, parent) pairs 834,432 with self pairs.
    assert report.loaded["amplifications"] + report.duplicates["amplifications"] == 985_686 - 2_171
    assert stats.posts == 2_308 - report.duplicates["posts"]
    assert report.rejected_total == 0

    summary = analyze(falkor_store)
    assert summary.ranked > 0 and summary.events == stats.amplifications


def _isolated(store: Store) -> int:
    """Users with no amplification either way (only the file's self-loops named them)."""
    rows = store.read("MATCH (u:User) WHERE NOT (u)-[:AMPLIFIED]-() RETURN count(u) AS n")
    return int(rows[0]["n"])
