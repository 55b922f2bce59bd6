"""Shortlist overlap and budget selection on the 1M-event bench graph (issue 14, item 4).

In one run, on a fresh embedded FalkorDB (or the one kept in ``--keep DIR``): the seeded demo
dataset (``loaders.demo``, 100k users, ~1M amplifications) generated, bulk-loaded and analysed;
a shortlist of the 50 best-ranked accounts, each with a cost; then, best of ``--runs``:

- reading the shortlist's members (``Shortlists.members``): the baseline, a read the explorer
  already makes for the same list;
- ``graph.shortlists.overlap.overlap``: every member's audience, the 50 x 50 shared shares,
  the unique audiences and the union (what ``GET /api/shortlists/{id}/overlap`` answers);
- ``graph.shortlists.overlap.select`` for a budget of a third of the list's cost (what
  ``POST /api/shortlists/{id}/selection`` answers);
- the external-reach lens (item 5): every member's share of its audience inside a target of
  the two busiest topics and the largest community (``graph.shortlists.target``, what
  ``GET /api/shortlists/{id}`` adds once the list has a target).

Targets: overlap, selection and the target shares under 1 s each, printed as a ratio to the
target and to the baseline measured in the same run.

    python bench/shortlist.py [--users 100000] [--days 15] [--members 50] [--runs 3]
                              [--keep DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from analyze import backend, settle, timed  # bench/analyze.py, beside this script

from graph.analysis.run import analyze
from graph.explorer.reads import Explorer
from graph.server import EmbeddedServer
from graph.shortlists.lists import Shortlists
from graph.shortlists.overlap import audiences, overlap, select
from graph.shortlists.target import get_target, set_target, target_shares
from graph.store import Store
from loaders.demo import generate_demo
from loaders.formats.contract import CsvContractReader
from loaders.pipeline import load

TARGET_S = 1.0
T = TypeVar("T")


def best_of(runs: int, action: Callable[[], T]) -> tuple[float, T]:
    best, value = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        value = action()
        best = min(best, time.perf_counter() - started)
    assert value is not None
    return best, value


def prepare(store: Store, folder: Path, users: int, days: int) -> None:
    seconds, demo = timed(lambda: generate_demo(folder / "demo", users=users, days=days))
    print(
        f"demo dataset: {demo.users:,} users, {demo.amplifications:,} amplifications: "
        f"{seconds:.1f} s"
    )
    reader = CsvContractReader(folder / "demo")
    seconds, _ = timed(lambda: load(store, [reader], rejects_path=folder / "rejects.txt"))
    print(f"load (bulk path): {seconds:.1f} s")
    seconds, summary = timed(lambda: analyze(store))
    print(f"analyze: {seconds:.1f} s; {summary.users_scored:,} users scored")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=15)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep and reuse the graph")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        server = EmbeddedServer(folder / "db")
        info = server.start()
        try:
            db = backend(info.host, info.port, info.password)
            store = Store(db)
            if args.keep is None or not (folder / "analysed").exists():
                prepare(store, folder, args.users, args.days)
                (folder / "analysed").write_text(f"{args.users} users, {args.days} days\n")
            settle(info)
            lists = Shortlists(store)
            shortlist = lists.create("bench")
            top = store.influencers(limit=args.members).items
            for k, user in enumerate(top):
                lists.put_member(shortlist.id, user.id, cost=float(1 + k % 7))
            budget = sum(float(1 + k % 7) for k in range(len(top))) / 3
            base_s, members = best_of(args.runs, lambda: lists.members(shortlist.id))
            overlap_s, seen = best_of(args.runs, lambda: overlap(store, shortlist.id))
            select_s, chosen = best_of(args.runs, lambda: select(store, shortlist.id, budget))
            busiest = [topic.topic for topic in Explorer(store).topics(limit=2)[0]]
            set_target(store, shortlist.id, busiest, [0])
            target_s, shares = best_of(
                args.runs,
                lambda: target_shares(
                    store, audiences(store, shortlist.id), get_target(store, shortlist.id)
                ),
            )
            lists.delete(shortlist.id)
            db.close()
        finally:
            server.stop()
    print(
        f"\nshortlist of {len(members)} members: audiences {min(seen.audience):,} to "
        f"{max(seen.audience):,} accounts, union {seen.union:,}; selection for a budget of "
        f"{budget:.1f}: {len(chosen.steps)} members, {chosen.coverage:,} accounts "
        f"({chosen.coverage / max(seen.union, 1):.0%} of the union), rule '{chosen.rule}'"
    )
    measured = [share for share in shares.values() if share is not None]
    print(
        f"target {busiest} + community 0: members' shares inside it "
        f"{min(measured):.0%} to {max(measured):.0%}"
    )
    print(f"summary (best of {args.runs}; baseline: reading the members, {base_s * 1000:.0f} ms):")
    timings = (("overlap", overlap_s), ("selection", select_s), ("target", target_s))
    for name, seconds in timings:
        verdict = "MET" if seconds < TARGET_S else "NOT MET"
        print(
            f"  {name:<9} {seconds * 1000:7.0f} ms = {seconds / TARGET_S:4.2f}x the "
            f"{TARGET_S:.0f} s target, {seconds / base_s:5.2f}x the baseline: {verdict}"
        )


if __name__ == "__main__":
    main()
