"""What changed between two runs: the reasons a run keeps for its top accounts, and the
comparison's reasons gained and lost, on two real analyses in the embedded database."""

from __future__ import annotations

from pathlib import Path

from graph.analysis.run import analyze
from graph.runs import movement
from graph.store import REASONS_KEPT, Store
from loaders.demo import generate_demo
from tests.support.ingest import load_csv_dir

REASONS_OF = """
MATCH (u:User)-[x:RANKED_IN]->(:Run {id: $run})
RETURN u.id AS id, x.rank AS rank, x.reasons AS reasons
"""


def _reasons(store: Store, run: int) -> dict[str, tuple[int, list[str] | None]]:
    return {
        str(row["id"]): (int(row["rank"]), row["reasons"])
        for row in store.read(REASONS_OF, {"run": run})
    }


def test_a_comparison_shows_the_reasons_gained_and_lost(
    falkor_store: Store, tmp_path: Path
) -> None:
    generate_demo(tmp_path / "demo", users=1_500, days=20)
    load_csv_dir(falkor_store, tmp_path / "demo", rejects_path=tmp_path / "rejects.txt")
    middle = int(falkor_store.read("MATCH ()-[r:AMPLIFIED]->() RETURN avg(r.at) AS at")[0]["at"])
    analyze(falkor_store, until=middle)
    analyze(falkor_store)
    earlier, later, items = movement.compare(falkor_store, top=50)
    then, now = _reasons(falkor_store, earlier), _reasons(falkor_store, later)
    # A run keeps the reasons of its top REASONS_KEPT accounts, and of no other.
    assert len(now) > REASONS_KEPT
    assert all(reasons is None for rank, reasons in now.values() if rank > REASONS_KEPT)
    kept = [reasons for rank, reasons in now.values() if rank <= REASONS_KEPT]
    assert sum(reasons is not None for reasons in kept) >= len(kept) // 2
    # The latest run's reasons are the account's current ones.
    current = {
        str(row["id"]): list(row["reasons"] or [])
        for row in falkor_store.read(
            "MATCH (u:User) WHERE u.rank <= 50 RETURN u.id AS id, u.reasons AS reasons"
        )
    }
    changed = 0
    for item in items:
        now_reasons = list(now[item.id][1] or [])
        assert now_reasons == current[item.id]
        then_reasons = list(then[item.id][1] or []) if item.id in then else []
        assert list(item.reasons_gained) == [r for r in now_reasons if r not in then_reasons]
        assert list(item.reasons_lost) == [r for r in then_reasons if r not in now_reasons]
        changed += bool(item.reasons_gained or item.reasons_lost)
    assert changed > 0  # two windows of different lengths: some reasons did change
