"""Backtests on the real datasets of ../shared/data: does the default ranking predict the next
period's audience at least as well as the best baseline (goal: 1.10x)?

Each dataset with timestamps is loaded into a fresh embedded FalkorDB by the product's loader,
then ``graph.backtest.run.backtest`` ranks the events before splits at 50%, 70% and 85% of them
with the profile and with the baselines, measured in the same run on the same events, and
scores each ranking on what happened after the split (each account's distinct amplifiers, and
its two-step reach) with NDCG@100 and precision@100. The figures are printed as the table and
as ratios of the profile to the best baseline (target 1.00, goal 1.10).

    python bench/backtest.py [--datasets higgs ira twitter1516] [--profile NAME] [--k 100]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from graph.analysis.profile import BUILT_IN, Profile
from graph.backends.falkordb import FalkorDBBackend
from graph.backtest.run import BacktestReport, backtest
from graph.server import EmbeddedServer
from graph.store import Store
from loaders.detect import open_reader
from loaders.pipeline import load

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DATASETS = {
    "higgs": DATA / "higgs-twitter" / "higgs-activity_time.txt.gz",
    "ira": DATA / "ira-russian-trolls" / "ira_tweets_2016-10_2016-11.csv.gz",
    "twitter1516": DATA / "twitter15-16-cascades" / "twitter1516_cascade_edges.csv.gz",
}
SPLITS = (0.5, 0.7, 0.85)
TARGET, GOAL = 1.0, 1.10


def _row(name: str, share: float, report: BacktestReport) -> list[str]:
    lines = []
    for found in report.methods:
        lines.append(
            f"{name:12s} {share:>4.0%}  {found.method:24s} {found.ndcg_amplifiers:6.3f} "
            f"{found.precision_amplifiers:5.2f} {found.ndcg_reach:6.3f} "
            f"{found.precision_reach:5.2f}"
        )
    return lines


def run(name: str, path: Path, profile: Profile, k: int, folder: Path) -> list[float]:
    server = EmbeddedServer(folder / name)
    info = server.start()
    try:
        db = FalkorDBBackend.connect(
            info.host, info.port, info.password, name, query_timeout_ms=600_000
        )
        store = Store(db)
        started = time.perf_counter()
        load(store, [open_reader(path)], rejects_path=folder / f"{name}.rejects")
        loaded = time.perf_counter() - started
        print(f"{name}: loaded {store.stats().amplifications:,} amplifications in {loaded:.0f} s")
        ratios = []
        for share in SPLITS:
            started = time.perf_counter()
            report = backtest(store, split_share=share, k=k, profile=profile)
            seconds = time.perf_counter() - started
            print("\n".join(_row(name, share, report)))
            ours = report.methods[0]
            for outcome, value in (
                ("amplifiers", ours.ndcg_amplifiers),
                ("reach", ours.ndcg_reach),
            ):
                ratio = value / max(report.best_baseline(outcome), 1e-12)
                ratios.append(ratio)
                print(
                    f"{name:12s} {share:>4.0%}  NDCG@{k} {outcome:10s} {ratio:.3f}x the best "
                    f"baseline ({ratio / TARGET:.3f}x of target 1.00, {ratio / GOAL:.3f}x of "
                    f"goal 1.10); split {report.split}, {seconds:.1f} s"
                )
        db.close()
        return ratios
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", choices=sorted(DATASETS), default=list(DATASETS))
    parser.add_argument("--profile", default="default", choices=sorted(BUILT_IN))
    parser.add_argument("--k", type=int, default=100)
    args = parser.parse_args()
    missing = [name for name in args.datasets if not DATASETS[name].exists()]
    if missing:
        raise SystemExit(f"absent: {', '.join(str(DATASETS[m]) for m in missing)} ({DATA})")
    print(f"{'dataset':12s} split  {'ranking':24s} NDCG@k P@k   NDCG2  P2 (2 = two-step reach)")
    ratios: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        for name in args.datasets:
            ratios += run(name, DATASETS[name], BUILT_IN[args.profile], args.k, Path(folder))
    worst = min(ratios)
    print(
        f"worst ratio to the best baseline: {worst:.3f}x ({worst / TARGET:.3f}x of target 1.00, "
        f"{worst / GOAL:.3f}x of goal 1.10); mean {sum(ratios) / len(ratios):.3f}x over "
        f"{len(ratios)} (dataset, split, outcome)"
    )


if __name__ == "__main__":
    main()
