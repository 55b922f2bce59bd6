"""Betweenness: hand-computed graphs, networkx equivalence and published reference tables."""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np
import pytest

from graph.algorithms.betweenness import betweenness
from tests.support.reference_tables import Example, examples
from tests.support.reference_tables import arrays as _arrays

REFERENCE = "betweenness.json"


def _examples() -> dict[str, Example]:
    return examples(REFERENCE)


def test_path_and_star_by_hand() -> None:
    path = np.array([0, 1, 2]), np.array([1, 2, 3])
    assert betweenness(4, *path).tolist() == [0.0, 2.0, 2.0, 0.0]
    assert betweenness(4, *path, directed=False).tolist() == [0.0, 2.0, 2.0, 0.0]
    # Reversed, the path still runs through its two middle nodes.
    assert betweenness(4, path[1], path[0]).tolist() == [0.0, 2.0, 2.0, 0.0]
    star = np.array([1, 2, 3, 4]), np.array([0, 0, 0, 0])
    assert betweenness(5, *star).tolist() == [0.0] * 5
    assert betweenness(5, *star, directed=False).tolist() == [6.0, 0.0, 0.0, 0.0, 0.0]
    assert betweenness(0, np.array([], dtype=np.int64), np.array([], dtype=np.int64)).size == 0


def test_parallel_edges_count_as_distinct_paths() -> None:
    # 0 -> 1 -> 3 and 0 -> 2 => 3 with 2 -> 3 doubled: three shortest paths, two through node 2.
    source, target = np.array([0, 0, 1, 2, 2]), np.array([1, 2, 3, 3, 3])
    assert betweenness(4, source, target) == pytest.approx([0.0, 1 / 3, 2 / 3, 0.0])


def test_weights_are_lengths_and_must_be_positive() -> None:
    source, target = np.array([0, 0, 1]), np.array([2, 1, 2])
    assert betweenness(3, source, target, np.array([5.0, 1.0, 1.0])).tolist() == [0.0, 1.0, 0.0]
    assert betweenness(3, source, target, np.array([1.0, 1.0, 1.0])).tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="positive"):
        betweenness(3, source, target, np.array([0.0, 1.0, 1.0]))


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("directed", [True, False])
@pytest.mark.parametrize("weighted", [True, False])
def test_matches_networkx(seed: int, directed: bool, weighted: bool) -> None:
    rng = np.random.default_rng(seed)
    g = nx.gnm_random_graph(25, 60, seed=seed, directed=directed)
    for u, v in g.edges():
        g[u][v]["weight"] = int(rng.integers(1, 4))  # small integers: plenty of equal-length ties
    source = np.array([u for u, _ in g.edges()], dtype=np.int64)
    target = np.array([v for _, v in g.edges()], dtype=np.int64)
    weight = np.array([g[u][v]["weight"] for u, v in g.edges()], dtype=np.float64)
    for normalized in (False, True):
        ours = betweenness(
            25,
            source,
            target,
            weight if weighted else None,
            directed=directed,
            normalized=normalized,
        )
        theirs = nx.betweenness_centrality(
            g, normalized=normalized, weight="weight" if weighted else None
        )
        assert np.abs(ours - np.array([theirs[i] for i in range(25)])).max() < 1e-9


def test_sampling_is_seeded_scaled_and_close() -> None:
    g = nx.barabasi_albert_graph(400, 3, seed=1)
    source = np.array([u for u, _ in g.edges()], dtype=np.int64)
    target = np.array([v for _, v in g.edges()], dtype=np.int64)
    exact = betweenness(400, source, target, directed=False)
    kwargs: dict[str, Any] = {"directed": False, "exact_max_nodes": 100, "samples": 200}
    first = betweenness(400, source, target, **kwargs)
    assert np.array_equal(first, betweenness(400, source, target, **kwargs))
    assert not np.array_equal(first, betweenness(400, source, target, **kwargs, seed=8))
    # Scaled by n / samples, the estimate is unbiased: totals and the top node agree.
    assert first.sum() == pytest.approx(exact.sum(), rel=0.1)
    assert int(first.argmax()) == int(exact.argmax())
    # As many samples as nodes is the exact computation.
    full = betweenness(400, source, target, directed=False, exact_max_nodes=100, samples=400)
    assert np.allclose(full, exact)


EXACT_EXAMPLES = {
    # id: (directed, weighted, normalized)
    "gds_betweenness_directed": (True, False, False),
    "gds_betweenness_undirected": (False, False, False),
    "gds_betweenness_weighted": (True, True, False),
    "nx_krackhardt_kite": (False, False, False),
    "nx_weighted_undirected_G": (False, True, False),
    "nx_weighted_directed_G2": (True, True, False),
    "nx_florentine_families": (False, False, True),
}


@pytest.mark.parametrize("example_id", sorted(EXACT_EXAMPLES))
def test_reference_tables(example_id: str) -> None:
    example = _examples()[example_id]
    directed, weighted, normalized = EXACT_EXAMPLES[example_id]
    names, source, target, weight = _arrays(example)
    ours = betweenness(
        len(names),
        source,
        target,
        weight if weighted else None,
        directed=directed,
        normalized=normalized,
    )
    # The kite and Florentine tables are published rounded to 3 decimals; the rest are exact.
    tolerance = 1e-3 if example_id in {"nx_krackhardt_kite", "nx_florentine_families"} else 1e-9
    for i, name in enumerate(names):
        assert ours[i] == pytest.approx(example["expected"][str(name)], abs=tolerance), name


def test_reference_igraph_star_and_tree() -> None:
    expected = _examples()["igraph_small_betweenness"]["expected"]
    star = np.array([0, 0, 0, 0]), np.array([1, 2, 3, 4])
    tree = np.array([0, 0, 0, 1]), np.array([1, 2, 3, 4])
    assert betweenness(5, *star, directed=False).tolist() == expected["star5"]
    assert betweenness(5, *tree, directed=False).tolist() == expected["tree5"]


def test_reference_gds_sampled() -> None:
    """GDS samples 2 sources by its own RNG and does not rescale, so its figures are a partial
    sum over {Alice or Bob, Carol}; ours draws other sources and rescales by n / samples. What
    carries over: the published partial sums never exceed the exact figures, the top node is the
    same, and our estimate averaged over many seeds converges on the exact figures."""
    examples = _examples()
    names, source, target, _ = _arrays(examples["gds_betweenness_directed"])
    published = np.array([examples["gds_betweenness_sampled"]["expected"][n] for n in names])
    exact = betweenness(7, source, target)
    assert np.all(published <= exact)
    assert names[int(published.argmax())] == names[int(exact.argmax())] == "Carol"
    runs = [
        betweenness(7, source, target, exact_max_nodes=0, samples=2, seed=s) for s in range(400)
    ]
    assert np.abs(np.mean(runs, axis=0) - exact).max() < 0.6


@pytest.mark.parametrize("directed", [True, False])
@pytest.mark.parametrize("exact_max_nodes", [5000, 10])  # exact, and sampled (12 of 40 sources)
def test_the_shares_of_the_sources_add_up_to_the_whole(
    directed: bool, exact_max_nodes: int
) -> None:
    g = nx.gnm_random_graph(40, 120, seed=3, directed=directed)
    source = np.array([u for u, _ in g.edges()], dtype=np.int64)
    target = np.array([v for _, v in g.edges()], dtype=np.int64)
    lengths = np.random.default_rng(3).integers(1, 4, source.size).astype(np.float64)
    options: dict[str, Any] = {
        "directed": directed,
        "exact_max_nodes": exact_max_nodes,
        "samples": 12,
        "seed": 5,
    }
    whole = betweenness(40, source, target, lengths, **options)
    parts = [betweenness(40, source, target, lengths, part=(k, 3), **options) for k in range(3)]
    assert sum(parts) == pytest.approx(whole, abs=1e-9)
    assert all(part.sum() < whole.sum() for part in parts)  # each share is only a part
    with pytest.raises(ValueError, match="part"):
        betweenness(40, source, target, part=(3, 3))
