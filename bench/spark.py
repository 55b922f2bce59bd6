"""Spark engine benchmark: a seeded graph of 20M amplification events analysed on Spark in local
mode with bounded memory, and both engines compared at 1M events, in one run.

1. generate the events straight to Parquet (``events/``, ``post_topics/``), 2M rows a file, with
   a seeded generator: heavy-tailed authors and posts, amplifiers mostly from the author's
   community, the six kinds, thirty days;
2. analyse them with the Spark engine (``graph.spark.scoring.score_window``: every step, the
   rows written as Parquet; the store's write-back is left out, it is the local engine's),
   sampling every half second the resident memory of the whole process tree (this process,
   Spark's JVM and its Python workers) and the disk under Spark's scratch and checkpoint
   folders (shuffle files and spills);
3. at 1M events (and 250k, 500k for the local engine's memory curve): the local engine's steps on
   the same Parquet (in a child process, its peak RSS from the kernel), the Spark engine on the
   same files, and how far their PageRank, ranks and roles agree.

Targets (issue 15), each printed as a ratio: the 20M-event analysis within 16 GiB of resident
memory (two thirds of this 24 GiB machine), and the Spark engine's PageRank equal to the local
engine's to 1e-6 at 1M. The baselines, measured in the same run: the local engine at 1M events
(time, memory), and where its memory reaches 24 GiB, extrapolated linearly from 250k/500k/1M.

    python bench/spark.py [--events 20000000] [--users 500000] [--compare 1000000]
                          [--master local[2]] [--driver-memory 6g] [--keep DIR] [--skip-large]
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graph.models import AMPLIFICATION_KINDS

DAY_MS = 86_400_000
START_MS = 1_780_000_000_000
TOPICS = 20
KIND_SHARES = (0.55, 0.1, 0.15, 0.1, 0.05, 0.05)
CHUNK = 2_000_000
GIB = 1 << 30
TARGET_RSS = 16 * GIB
MACHINE = 24 * GIB


# ------------------------------------------------------------------ generation
def generate(folder: Path, events: int, users: int, seed: int = 15) -> None:
    """Seeded events in ``folder/events`` and their posts' topics in ``folder/post_topics``."""
    rng = np.random.default_rng(seed)
    (folder / "events").mkdir(parents=True, exist_ok=True)
    (folder / "post_topics").mkdir(parents=True, exist_ok=True)
    posts = max(events // 8, 1)
    pull = 1.0 / np.arange(10, users + 10) ** 1.1  # how much each user is amplified
    author = rng.choice(users, size=posts, p=pull / pull.sum())
    posted = START_MS + rng.integers(0, 30 * DAY_MS, size=posts)
    home = author % TOPICS
    topic = np.where(rng.random(posts) < 0.8, home, rng.integers(0, TOPICS, size=posts))
    virality = rng.lognormal(0.0, 1.2, size=posts)
    p_post = virality / virality.sum()
    ids = np.array([f"u{i:07d}" for i in range(users)], dtype=object)
    post_ids = np.array([f"p{i:08d}" for i in range(posts)], dtype=object)
    community = users // TOPICS
    for number, start in enumerate(range(0, events, CHUNK)):
        size = min(CHUNK, events - start)
        post = rng.choice(posts, size=size, p=p_post)
        by = author[post]
        same = rng.random(size) < 0.7
        # a member of the author's community (users with the same i % TOPICS), else anyone
        member = (rng.zipf(1.3, size=size) % community) * TOPICS + (by % TOPICS)
        source = np.where(same, np.minimum(member, users - 1), rng.integers(0, users, size=size))
        source = np.where(source == by, (source + 1) % users, source)
        kind = rng.choice(len(KIND_SHARES), size=size, p=KIND_SHARES)
        delay = rng.exponential(6 * 3_600_000, size=size).astype(np.int64)
        at = np.minimum(posted[post] + delay, START_MS + 30 * DAY_MS - 1)
        bare = kind == AMPLIFICATION_KINDS.index("mention")
        table = pa.table(
            {
                "source": ids[source],
                "target": ids[by],
                "kind": np.array(AMPLIFICATION_KINDS, dtype=object)[kind],
                "at": at,
                "post": np.where(bare, None, post_ids[post]),
            }
        )
        pq.write_table(table, folder / "events" / f"part-{number:05d}.parquet")
    pq.write_table(
        pa.table({"post": post_ids, "topic": np.array([f"topic{t:02d}" for t in topic])}),
        folder / "post_topics" / "part-00000.parquet",
    )


# ------------------------------------------------------------------ sampling
def _tree_rss(root: int) -> dict[str, int]:
    """Resident bytes of ``root`` and every process below it, by kind: ``jvm`` (Spark's driver,
    which in local mode runs the executors' tasks too), ``workers`` (Spark's Python workers)
    and ``this`` (this process)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    names: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                name, fields_text = handle.read().split(" (", 1)[1].rsplit(")", 1)
        except (OSError, ValueError):
            continue
        fields = fields_text.split()
        pid = int(entry)
        names[pid] = name
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    kinds = {"jvm": 0, "workers": 0, "this": rss.get(root, 0)}
    stack = list(children.get(root, []))
    while stack:
        pid = stack.pop()
        kinds["jvm" if names.get(pid) == "java" else "workers"] += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return kinds


def _disk(folder: Path) -> int:
    total = 0
    for path, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):  # a file Spark deleted meanwhile
                total += os.path.getsize(os.path.join(path, name))
    return total


class Sampler:
    """Peak resident memory of this process tree (in all, and by kind) and peak disk under
    ``folders``, over the whole run and since the last :meth:`step`."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = folders
        self.rss = 0
        self.disk = 0
        self.kinds: dict[str, int] = {}
        self.step_rss = 0
        self.step_kinds: dict[str, int] = {}
        self.step_disk = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            kinds = _tree_rss(os.getpid())
            total, disk = sum(kinds.values()), sum(_disk(folder) for folder in self.folders)
            with self._lock:
                self.rss, self.disk = max(self.rss, total), max(self.disk, disk)
                self.step_rss, self.step_disk = max(self.step_rss, total), max(self.step_disk, disk)
                for kind, value in kinds.items():
                    self.kinds[kind] = max(self.kinds.get(kind, 0), value)
                    self.step_kinds[kind] = max(self.step_kinds.get(kind, 0), value)

    def step(self) -> tuple[int, dict[str, int], int]:
        """The peaks since the last call (total, by kind, disk), then start again."""
        with self._lock:
            found = (self.step_rss, dict(self.step_kinds), self.step_disk)
            self.step_rss, self.step_kinds, self.step_disk = 0, {}, 0
        return found

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


# ------------------------------------------------------------------ the engines
def spark_run(folder: Path, master: str, memory: str, work: Path) -> dict[str, Any]:
    """The Spark engine on ``folder``'s Parquet: seconds per step, peaks, the rows' Parquet."""
    from graph.analysis.profile import Profile
    from graph.spark.events import read_events
    from graph.spark.scoring import score_window
    from graph.spark.session import spark_place, spark_session

    place = spark_place(master, 0, work)
    steps: dict[str, float] = {}
    peaks: dict[str, tuple[int, dict[str, int], int]] = {}
    mark = [time.perf_counter()]
    sampler = Sampler([work / "spark" / "scratch", work / "spark" / "checkpoints"])

    def clock(name: str) -> None:
        now = time.perf_counter()
        steps[name] = round(now - mark[0], 1)
        peaks[name] = sampler.step()
        mark[0] = now
        rss, kinds, disk = peaks[name]
        print(f"    {name}: {steps[name]:.1f} s, peak RSS {_gib(rss)} "
              f"({', '.join(f'{kind} {_gib(value)}' for kind, value in kinds.items())}), "
              f"disk {_gib(disk)}", flush=True)  # fmt: skip

    started = time.perf_counter()
    with sampler, spark_session(place, driver_memory=memory) as spark:
        clock("Spark start")
        coded = read_events(spark, folder / "events", folder / "post_topics")
        clock("read and code events")
        scores = score_window(
            spark, coded, Profile(), reference=coded.latest, brand_ids=set(),
            folder=work / "results", shares=place.partitions,
            leiden_max_nodes=place.leiden_max_nodes, say=lambda *_: None, clock=clock,
        )  # fmt: skip
    return {
        "seconds": time.perf_counter() - started,
        "steps": steps,
        "peaks": peaks,
        "kinds": sampler.kinds,
        "rss": sampler.rss,
        "disk": sampler.disk,
        "users": scores.user_count,
        "pairs": scores.edges,
        "rows": scores.users,
        "partitions": place.partitions,
    }


def _local_events(folder: Path) -> Any:
    from graph.analysis.events import Events, in_id_order

    frame = pd.read_parquet(folder / "events")
    users, codes = np.unique(
        np.concatenate((frame["source"].to_numpy(), frame["target"].to_numpy())),
        return_inverse=True,
    )
    count = len(frame)
    posts, post_codes = np.unique(frame["post"].dropna().to_numpy(), return_inverse=True)
    post = np.full(count, -1, dtype=np.int64)
    post[frame["post"].notna().to_numpy()] = post_codes
    tags = pd.read_parquet(folder / "post_topics")
    index = pd.Index(posts).get_indexer(tags["post"])
    known = index >= 0
    topic_codes, topics = pd.factorize(tags["topic"].to_numpy()[known])
    kinds = pd.Index(AMPLIFICATION_KINDS).get_indexer(frame["kind"])
    assert list(users) == sorted(users)  # np.unique sorts: the codes are in id order
    _ = in_id_order
    return Events(
        users=[str(u) for u in users], source=codes[:count].astype(np.int64),
        target=codes[count:].astype(np.int64), kind=kinds.astype(np.int64),
        at=frame["at"].to_numpy(np.int64), post=post, posts=[str(p) for p in posts],
        topics=[str(t) for t in topics],
        post_topic=np.column_stack((index[known], topic_codes)).astype(np.int64),
    )  # fmt: skip


def _local_child(folder: Path, out: Any) -> None:
    """The local engine's steps of ``analyze_events`` (no store), in a child process."""
    from graph.algorithms.betweenness import EXACT_MAX_NODES, betweenness
    from graph.algorithms.communities import leiden
    from graph.algorithms.components import k_core
    from graph.algorithms.influence_passivity import influence_passivity
    from graph.analysis.explain import explain
    from graph.analysis.influence import external_ranks, global_score
    from graph.analysis.profile import Profile
    from graph.analysis.roles import assign_roles, brand_days, community_reach
    from graph.analysis.run import _acceptance
    from graph.analysis.signals import compute_signals
    from graph.analysis.topics import topic_scores
    from graph.analysis.weighting import pair_weights, reference_time

    started = time.perf_counter()
    events = _local_events(folder)
    profile = Profile()
    n = len(events.users)
    reference = reference_time(events, None)
    raw = pair_weights(events, profile, reference)
    signals = compute_signals(events, raw, profile)
    pairs = raw.kept(~signals.discounted)
    is_brand = np.zeros(n, dtype=bool)
    scored = global_score(events, pairs, profile, reference)
    communities = leiden(n, pairs.source, pairs.target, pairs.weight, seed=profile.seed)
    k_core(n, pairs.source, pairs.target)
    influence_passivity(n, pairs.source, pairs.target, _acceptance(pairs, n))
    topics = topic_scores(events, pairs, profile, reference, ~is_brand)
    explain(events, scored.pairs, scored.pagerank, profile.damping, profile.pagerank_share)
    between = betweenness(
        n, pairs.source, pairs.target, 1.0 / pairs.weight, directed=False,
        exact_max_nodes=EXACT_MAX_NODES, samples=profile.betweenness_samples, seed=profile.seed,
    )  # fmt: skip
    roles = assign_roles(
        profile=profile, is_brand=is_brand, signals=signals, topics=topics, score=scored.score,
        betweenness=between, reach=community_reach(pairs, communities, n),
        brand_activity=brand_days(events, is_brand),
    )  # fmt: skip
    rank = external_ranks(scored.influence, is_brand)
    counts: dict[str, int] = {}
    for names in roles.roles:
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    out.send(
        {
            "seconds": time.perf_counter() - started,
            "users": events.users,
            "pagerank": scored.pagerank,
            "rank": rank,
            "roles": counts,
            "pairs": pairs.count,
        }
    )


def local_run(folder: Path) -> dict[str, Any]:
    reader, writer = multiprocessing.get_context("spawn").Pipe(duplex=False)
    child = multiprocessing.get_context("spawn").Process(target=_local_child, args=(folder, writer))
    child.start()
    result: dict[str, Any] = reader.recv()
    child.join()
    result["rss"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return result


# ------------------------------------------------------------------ report
def _gib(value: float) -> str:
    return f"{value / GIB:.2f} GiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20_000_000)
    parser.add_argument("--users", type=int, default=500_000)
    parser.add_argument("--compare", type=int, default=1_000_000)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="6g")
    parser.add_argument("--keep", type=Path, default=None, help="keep the generated Parquet here")
    parser.add_argument("--skip-large", action="store_true", help="only the 1M comparison")
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support")
    base = args.keep or Path(tempfile.mkdtemp(prefix="resonance-spark-bench-"))
    base.mkdir(parents=True, exist_ok=True)

    def dataset(events: int, users: int) -> Path:
        folder = base / f"events-{events}"
        if not (folder / "post_topics").exists():
            started = time.perf_counter()
            generate(folder, events, users)
            print(f"generated {events:,} events in {time.perf_counter() - started:.1f} s")
        return folder

    print(f"machine: {os.cpu_count()} cores; Spark master {args.master}, "
          f"driver memory {args.driver_memory}")  # fmt: skip
    small_users = max(args.users * args.compare // max(args.events, 1), 1_000)
    curve = []
    for events in (args.compare // 4, args.compare // 2, args.compare):
        local = local_run(dataset(events, small_users))
        curve.append((events, local["rss"]))
        print(f"local engine, {events:,} events: {local['seconds']:.1f} s, peak RSS "
              f"{_gib(local['rss'])}")  # fmt: skip
    print(f"\n== {args.compare:,} events: both engines ==")
    spark_small = spark_run(dataset(args.compare, small_users), args.master,
                            args.driver_memory, base / "work-small")  # fmt: skip
    rows = pd.read_parquet(spark_small["rows"], columns=["id", "pagerank", "rank", "roles"])
    rows = rows.set_index("id").loc[local["users"]]
    diff = float(np.abs(rows["pagerank"].to_numpy() - local["pagerank"]).max())
    spark_rank = rows["rank"].fillna(0).to_numpy(np.int64)
    top = local["rank"] > 0
    same_top = int(
        (
            spark_rank[top & (local["rank"] <= 100)] == local["rank"][top & (local["rank"] <= 100)]
        ).sum()
    )
    counts: dict[str, int] = {}
    for names in rows["roles"].dropna():
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    print(f"local engine: {local['seconds']:.1f} s, peak RSS {_gib(local['rss'])}; "
          f"Spark engine: {spark_small['seconds']:.1f} s, peak RSS {_gib(spark_small['rss'])}, "
          f"peak scratch disk {_gib(spark_small['disk'])}")  # fmt: skip
    print(f"Spark / local time at {args.compare:,} events: "
          f"{spark_small['seconds'] / local['seconds']:.1f}x")  # fmt: skip
    print(f"PageRank max |spark - local| {diff:.2e} (target 1e-6: "
          f"{'MET' if diff <= 1e-6 else 'NOT MET'}); top-100 ranks equal {same_top}/100; "
          f"roles local {local['roles']} spark {dict(sorted(counts.items()))}")  # fmt: skip
    slope, intercept = np.polyfit([e for e, _ in curve], [r for _, r in curve], 1)
    limit = (MACHINE - intercept) / slope if slope > 0 else float("inf")
    print(f"local engine memory: {slope * 1e6 / GIB:.2f} GiB per 1M events + "
          f"{_gib(intercept)}: reaches 24 GiB at about {limit / 1e6:.0f}M events "
          "(linear fit of 250k, 500k, 1M)")  # fmt: skip
    if args.skip_large:
        return
    print(f"\n== {args.events:,} events on Spark ==")
    large = spark_run(dataset(args.events, args.users), args.master, args.driver_memory,
                      base / "work-large")  # fmt: skip
    print(f"{args.events:,} events, {large['users']:,} accounts, {large['pairs']:,} pairs, "
          f"{large['partitions']} partitions: {large['seconds']:.0f} s")  # fmt: skip
    print(f"peak RSS (driver JVM, this process, Python workers) {_gib(large['rss'])} against "
          f"{_gib(TARGET_RSS)}: {large['rss'] / TARGET_RSS:.2f}x -> "
          f"{'MET' if large['rss'] <= TARGET_RSS else 'NOT MET'}")  # fmt: skip
    print(f"peak disk under Spark's scratch and checkpoints (shuffle, spill): "
          f"{_gib(large['disk'])}")  # fmt: skip
    print("peak RSS by kind: " + ", ".join(
        f"{kind} {_gib(value)}" for kind, value in large["kinds"].items()))  # fmt: skip
    for name, seconds in large["steps"].items():
        rss, kinds, disk = large["peaks"][name]
        print(f"  {name}: {seconds:.0f} s, peak RSS {_gib(rss)} (JVM {_gib(kinds.get('jvm', 0))}, "
              f"Python workers {_gib(kinds.get('workers', 0))}, this process "
              f"{_gib(kinds.get('this', 0))}), disk {_gib(disk)}")  # fmt: skip
    scale = args.events / args.compare
    print(f"against the local engine at {args.compare:,} events x {scale:.0f}: "
          f"{large['seconds'] / (local['seconds'] * scale):.2f}x its time")  # fmt: skip
    if args.keep is None:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
