"""Load benchmark: the real Higgs and IRA exports end to end into the embedded FalkorDB.

Prints, per dataset: rows per second and peak memory of the full pipeline (parse, validate,
batch, write), and the ratios against two baselines measured in the same run on the same server:
(a) a raw ``UNWIND ... MERGE`` of the same rows, already parsed, with the same batch size, and
(b) FalkorDB's bulk path (``falkordb-bulk-insert``, ``GRAPH.BULK``) building a new graph from
CSV files of the same rows. Targets (issue 3): ratio (a) >= 0.5; Higgs end to end < 60 s, and
< 15 s into an empty graph (the default path, which then packs ``GRAPH.BULK`` itself).

    python bench/load.py [--only higgs|ira] [--batch-size N]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from graph import queries
from graph.backends.falkordb import FalkorDBBackend
from graph.models import AmplificationRow, PostRow, UserRow
from graph.server import EmbeddedServer, ServerInfo
from graph.store import Store, batched
from loaders.detect import open_reader
from loaders.pipeline import load
from loaders.records import Reject

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DATASETS = {
    "higgs": (DATA / "higgs-twitter" / "higgs-activity_time.txt.gz", "snap"),
    "ira": (DATA / "ira-russian-trolls" / "ira_tweets_2016-10_2016-11.csv.gz", "tweet-csv"),
}
#: Seconds: (end to end by batched MERGE, end to end into an empty graph by the default path).
TARGETS_S = {"higgs": (60.0, 15.0)}
RAW_RATIO_TARGET = 0.5
RAW_USERS = "UNWIND $rows AS row MERGE (u:User {id: row.id}) SET u.handle = row.handle"
RAW_EVENTS = (
    "UNWIND $rows AS row MATCH (a:User {id: row.amplifier_id}) "
    "MATCH (b:User {id: row.author_id}) MERGE (a)-[r:AMPLIFIED {id: row.id}]->(b) "
    "ON CREATE SET r.kind = row.kind, r.at = row.created_at"
)


def peak_rss_reset() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def backend(info: ServerInfo, graph: str) -> FalkorDBBackend:
    return FalkorDBBackend.connect(
        info.host, info.port, info.password, graph, query_timeout_ms=600_000
    )


Parsed = tuple[dict[str, UserRow], list[PostRow], list[AmplificationRow]]


def parse_all(path: Path, fmt: str) -> Parsed:
    users: dict[str, UserRow] = {}
    events: dict[str, AmplificationRow] = {}
    posts: dict[str, PostRow] = {}
    reader = open_reader(path, fmt)
    for record in reader.records():
        if isinstance(record, UserRow):
            users[record.id] = record
        elif isinstance(record, AmplificationRow):
            if record.amplifier_id != record.author_id:
                events[record.id] = record
                for key in (record.amplifier_id, record.author_id):
                    users.setdefault(key, UserRow(key, key))
        elif isinstance(record, PostRow):
            posts.setdefault(record.id, record)
            users.setdefault(record.author_id, UserRow(record.author_id, record.author_id))
        elif isinstance(record, Reject):
            pass
    return users, list(posts.values()), list(events.values())


def raw_unwind(info: ServerInfo, parsed: Parsed, batch_size: int) -> float:
    users, posts, events = parsed
    target = backend(info, "bench_raw")
    target.clear()
    target.ensure_schema()
    user_rows = [{"id": u.id, "handle": u.handle} for u in users.values()]
    post_rows = [{**asdict(p), "topics": list(p.topics)} for p in posts]
    event_rows = [asdict(e) for e in events]

    def run() -> None:
        for chunk in batched(user_rows, batch_size):
            target.write(RAW_USERS, {"rows": chunk})
        for chunk in batched(post_rows, batch_size):
            target.write(queries.UPSERT_POSTS, {"rows": chunk})
            target.write(queries.TAG_POSTS, {"rows": [r for r in chunk if r["topics"]]})
        for chunk in batched(event_rows, batch_size):
            target.write(RAW_EVENTS, {"rows": chunk})

    seconds, _ = timed(run)
    target.clear()
    target.close()
    return seconds


def bulk(info: ServerInfo, parsed: Parsed) -> float:
    users, posts, events = parsed
    target = backend(info, "bench_bulk")
    target.clear()
    with tempfile.TemporaryDirectory() as folder:
        nodes, edges = Path(folder) / "User.csv", Path(folder) / "AMPLIFIED.csv"
        post_nodes, posted = Path(folder) / "Post.csv", Path(folder) / "POSTED.csv"
        with open(post_nodes, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id:ID(Post)", "created_at:INT", "text:STRING"])
            writer.writerows((p.id, p.created_at, p.text) for p in posts)
        with open(posted, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([":START_ID(User)", ":END_ID(Post)"])
            writer.writerows((p.author_id, p.id) for p in posts)
        with open(nodes, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id:ID(User)", "handle:STRING"])
            writer.writerows((u.id, u.handle) for u in users.values())
        with open(edges, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                [":START_ID(User)", ":END_ID(User)", "id:STRING", "kind:STRING", "at:INT"]
            )
            writer.writerows(
                (e.amplifier_id, e.author_id, e.id, e.kind, e.created_at) for e in events
            )
        command = [
            str(Path(sys.executable).parent / "falkordb-bulk-insert"),
            "bench_bulk",
            "-u",
            f"redis://:{info.password}@{info.host}:{info.port}",
            "--enforce-schema",
            "-n",
            str(nodes),
            "-R",
            "AMPLIFIED",
            str(edges),
        ]
        seconds, done = timed(lambda: subprocess.run(command, capture_output=True, text=True))
        if done.returncode != 0:
            print(done.stdout, done.stderr)
    counted = target.read("MATCH ()-[r:AMPLIFIED]->() RETURN count(r) AS n")
    print(f"    bulk graph holds {counted[0]['n'] if counted else 0:,} relationships")
    target.clear()
    target.close()
    return seconds


def target_note(seconds: float, target: float | None) -> str:
    """`` (target < 60 s: MET)``, or nothing for a dataset without that target."""
    if target is None:
        return ""
    return f" (target < {target:.0f} s: {'MET' if seconds < target else 'NOT MET'})"


def run_dataset(info: ServerInfo, name: str, batch_size: int) -> None:
    path, fmt = DATASETS[name]
    if not path.exists():
        print(f"{name}: {path} is absent (needs ../shared/data); skipped")
        return
    print(f"{name}: {path.name}")
    target = backend(info, f"bench_{name}")
    target.clear()
    store = Store(target, batch_size=batch_size)
    peak_rss_reset()
    seconds, report = timed(
        lambda: load(
            store,
            [open_reader(path, fmt)],
            bulk=False,
            rejects_path=Path(tempfile.gettempdir()) / "bench.rej",
        )
    )
    rss = peak_rss_mb()
    rows = sum(report.read.values())
    stats = store.stats()
    print(
        f"  end to end, batched MERGE: {seconds:.1f} s, {rows / seconds:,.0f} rows/s, "
        f"peak RSS {rss:.0f} MB; {stats.users:,} users, {stats.amplifications:,} events"
        f"{target_note(seconds, TARGETS_S.get(name, (None, None))[0])}"
    )
    seconds_again, _ = timed(
        lambda: load(
            store, [open_reader(path, fmt)], rejects_path=Path(tempfile.gettempdir()) / "b.rej"
        )
    )
    print(f"  the same load again (all duplicates): {seconds_again:.1f} s")
    target.clear()
    peak_rss_reset()
    seconds_bulk_e2e, _ = timed(
        lambda: load(
            store, [open_reader(path, fmt)], rejects_path=Path(tempfile.gettempdir()) / "c.rej"
        )
    )
    bulk_rss = peak_rss_mb()
    again = store.stats()
    print(
        f"  end to end into an empty graph (the default: bulk path): {seconds_bulk_e2e:.1f} s,"
        f" {rows / seconds_bulk_e2e:,.0f} rows/s, peak RSS {bulk_rss:.0f} MB; same counts: "
        f"{again == stats}{target_note(seconds_bulk_e2e, TARGETS_S.get(name, (None, None))[1])}"
    )
    target.clear()
    target.close()

    parsed = parse_all(path, fmt)
    raw = raw_unwind(info, parsed, batch_size)
    print(
        f"  (a) raw UNWIND MERGE of the parsed rows: {raw:.1f} s -> ratio raw/e2e = "
        f"{raw / seconds:.2f} (target >= {RAW_RATIO_TARGET}: "
        f"{'MET' if raw / seconds >= RAW_RATIO_TARGET else 'NOT MET'})"
    )
    bulk_seconds = bulk(info, parsed)
    print(
        f"  (b) falkordb-bulk-insert of the same rows: {bulk_seconds:.1f} s -> ratio "
        f"bulk-insert/batched = {bulk_seconds / seconds:.2f}, bulk-insert/default path = "
        f"{bulk_seconds / seconds_bulk_e2e:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(DATASETS))
    parser.add_argument("--batch-size", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = EmbeddedServer(Path(folder))
        info = server.start()
        try:
            for name in [args.only] if args.only else list(DATASETS):
                run_dataset(info, name, args.batch_size)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
