"""Several accounts' trajectories in one read, on the real embedded FalkorDB: the order asked,
unknown ids left out, gaps where an account was not ranked, and nothing kept yet."""

from __future__ import annotations

import pytest

from graph.runs.trajectory import MAX_IDS, trajectories, trajectory
from graph.store import Store
from tests.support.run_history import add_accounts, write_run


def test_each_known_account_as_its_own_trajectory_in_the_order_asked(
    falkor_store: Store,
) -> None:
    add_accounts(falkor_store)
    write_run(falkor_store, 1000, {"a": (1, 9), "b": (2, 4), "c": (None, 0)})
    write_run(falkor_store, 2000, {"c": (1, 8), "a": (2, 9), "b": (None, 0)})
    found = trajectories(falkor_store, ["c", "nobody", "a", "c", "b"])
    assert list(found) == ["c", "a", "b"]
    assert found == {key: trajectory(falkor_store, key) for key in ("c", "a", "b")}
    assert [(p.run, p.rank) for p in found["c"]] == [(1000, None), (2000, 1)]
    assert [(p.run, p.rank) for p in found["b"]] == [(1000, 2), (2000, None)]
    assert trajectories(falkor_store, []) == {}


def test_a_known_account_before_any_run_has_an_empty_trajectory(falkor_store: Store) -> None:
    add_accounts(falkor_store, ["a"])
    assert trajectories(falkor_store, ["a", "nobody"]) == {"a": []}


def test_more_than_the_cap_is_refused(falkor_store: Store) -> None:
    with pytest.raises(ValueError, match="at most 100"):
        trajectories(falkor_store, [f"u{i}" for i in range(MAX_IDS + 1)])
