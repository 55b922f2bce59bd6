"""Steps of the Spark engine on their own, in local mode: the k-core against igraph, the
Parquet the engine reads (a clear error naming the file, the row and the field), and the export
from the store (resumed, redone after a load)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from graph.algorithms.components import k_core as local_k_core
from graph.algorithms.pagerank import pagerank_many
from graph.backends.falkordb import FalkorDBBackend
from graph.errors import LoadError
from graph.server import ServerInfo
from graph.store import Store
from loaders.demo import generate_demo
from loaders.formats.contract import CsvContractReader
from loaders.pipeline import load
from tests.support.spark import MASTER, need_spark


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    need_spark()
    from graph.spark.session import spark_place, spark_session

    place = spark_place(MASTER, 2, tmp_path_factory.mktemp("spark"))
    with spark_session(place) as session:
        yield session


def test_k_core_is_igraphs_coreness(spark: Any) -> None:
    from graph.spark.communities import k_core

    rng = np.random.default_rng(3)
    n = 400
    source = rng.integers(0, n, 1600)
    target = (source + rng.integers(1, 40, 1600)) % n  # parallel and reciprocal edges too
    source[:5], target[:5] = 7, 7  # self-loops are dropped
    nodes = spark.createDataFrame([(i,) for i in range(n + 3)], "code long")  # 3 isolated
    pairs = spark.createDataFrame(
        [(int(a), int(b)) for a, b in zip(source, target, strict=True)], "source long, target long"
    )
    found = {row["code"]: row["core"] for row in k_core(nodes, pairs).collect()}
    expected = local_k_core(n + 3, source, target)
    assert [found[i] for i in range(n + 3)] == expected.tolist()
    assert expected.max() >= 3


def test_pagerank_on_bucketed_tables_is_the_local_one_and_leaves_nothing(spark: Any) -> None:
    """The global column and two topic columns (one teleporting to nobody) on a random graph
    with dangling nodes, against ``pagerank_many``; afterwards no table of the iteration is
    registered and none of its files is left under the checkpoint folder."""
    from graph.spark.pagerank import RankColumn, pagerank_columns

    rng = np.random.default_rng(5)
    n, m = 300, 1500
    source = rng.integers(0, n - 40, m)  # the last 40 accounts amplify no one
    target = rng.integers(0, n, m)
    weight = rng.uniform(0.1, 3.0, m)
    teleport = np.zeros((n, 2))
    teleport[rng.integers(0, n, 30), 0] = rng.uniform(0.5, 2.0, 30)
    nodes = spark.createDataFrame(
        [(i, float(teleport[i, 0]), 0.0) for i in range(n)], "code long, tel0 double, tel1 double"
    )
    edges = spark.createDataFrame(
        [(int(a), int(b), float(w)) for a, b, w in zip(source, target, weight, strict=True)],
        "source long, target long, weight double",
    )
    columns = [RankColumn("weight"), RankColumn("weight", "tel0"), RankColumn("weight", "tel1")]
    ranks, steps = pagerank_columns(nodes, edges, columns, [[0], [1, 2]], node_count=n)
    found = ranks.toPandas().set_index("code").sort_index()
    assert len(found) == n and min(steps) > 5
    uniform = pagerank_many(n, source, target, weight, None)[:, 0]
    topical = pagerank_many(n, source, target, weight, teleport)
    assert np.abs(found["r0"].to_numpy() - uniform).max() <= 1e-9
    assert np.abs(found["r1"].to_numpy() - topical[:, 0]).max() <= 1e-9
    assert np.abs(found["r2"].to_numpy()).max() == 0.0
    assert [table.name for table in spark.catalog.listTables()] == []
    checkpoints = Path(spark.sparkContext.getCheckpointDir().removeprefix("file:"))
    assert not list(checkpoints.glob("resonance_*/*"))


def _events(path: Path, rows: dict[str, list[Any]]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(rows), path / "part-0.parquet")
    return path


def test_parquet_without_a_column_is_refused_naming_it(spark: Any, tmp_path: Path) -> None:
    from graph.spark.events import read_events

    folder = _events(tmp_path / "events", {"source": ["a"], "target": ["b"], "at": [1]})
    with pytest.raises(LoadError) as refused:
        read_events(spark, folder, None)
    assert refused.value.field == "kind"
    assert str(folder) in str(refused.value)


def test_an_event_without_a_target_is_refused_naming_file_row_and_field(
    spark: Any, tmp_path: Path
) -> None:
    from graph.spark.events import read_events

    folder = _events(
        tmp_path / "events",
        {
            "source": ["a", "b", "c"],
            "target": ["b", "c", None],
            "kind": ["retweet"] * 3,
            "at": [1, 2, 3],
            "post": ["p1", None, "p2"],
        },
    )
    with pytest.raises(LoadError) as refused:
        read_events(spark, folder, None)
    assert (refused.value.line, refused.value.field) == (3, "target")
    assert refused.value.path.endswith("part-0.parquet")


def test_timestamps_and_codes_in_id_order(spark: Any, tmp_path: Path) -> None:
    from graph.spark.events import read_events

    stamps = pa.array([1_000, 2_000, 90_000_000], type=pa.timestamp("ms", tz="UTC"))
    folder = _events(
        tmp_path / "events",
        {
            "source": ["zed", "amy", "amy"],
            "target": ["amy", "bob", "zed"],
            "kind": ["retweet", "mention", "podcast"],
            "at": stamps,
            "post": ["p2", "", "p1"],
        },
    )
    coded = read_events(spark, folder, None)
    users = {row["id"]: row["code"] for row in coded.users.collect()}
    assert users == {"amy": 0, "bob": 1, "zed": 2}
    rows = sorted(
        tuple(row)
        for row in coded.events.select("source", "target", "kind", "at", "post", "day").collect()
    )
    assert rows == [(0, 1, 3, 2_000, -1, 0), (0, 2, -1, 90_000_000, 0, 1), (2, 0, 0, 1_000, 1, 0)]
    assert (coded.user_count, coded.post_count, coded.event_count, coded.latest) == (
        3,
        2,
        3,
        90_000_000,
    )


def test_the_export_resumes_and_follows_loads(server: ServerInfo, tmp_path: Path) -> None:
    need_spark()
    from graph.spark.export import export_events

    generate_demo(tmp_path / "demo", users=120, days=5)
    backend = FalkorDBBackend.connect(
        server.host, server.port, server.password, f"t_export_{uuid.uuid4().hex[:8]}",
        query_timeout_ms=60_000,
    )  # fmt: skip
    try:
        store = Store(backend)
        store.ensure_schema()
        load(store, [CsvContractReader(tmp_path / "demo")])
        folder = tmp_path / "export"
        files = export_events(store, folder, chunk=40)
        parts = sorted(files.events.glob("part-*.parquet"))
        table = pa.concat_tables([pq.read_table(part) for part in parts])
        expected = backend.read("MATCH ()-[r:AMPLIFIED]->() RETURN count(r) AS n")[0]["n"]
        assert table.num_rows == expected > 0
        assert len(parts) >= 3
        assert table.column_names == ["source", "target", "kind", "at", "post"]
        stamps = {part: part.stat().st_mtime_ns for part in parts}
        parts[0].unlink()  # as if the export had stopped there
        export_events(store, folder, chunk=40)
        assert parts[0].exists()
        assert all(part.stat().st_mtime_ns == stamps[part] for part in parts[1:])
        store.count_a_load()  # new data: everything is exported again
        export_events(store, folder, chunk=40)
        assert all(part.stat().st_mtime_ns != stamps[part] for part in parts[1:])
    finally:
        backend.clear()
        backend.close()
