"""Weighted PageRank: hand-computed graphs, networkx equivalence and published reference tables."""

from __future__ import annotations

import ast
import doctest
import json
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import pytest

import graph.algorithms.pagerank as pagerank_module
from graph.algorithms.pagerank import pagerank

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Example = dict[str, Any]

SHARED = Path(__file__).resolve().parents[4] / "shared"
REFERENCE = SHARED / "reference" / "pagerank.json"

#: Neo4j GDS examples on the README's 8-page web graph (converged figures offered in the JSON).
GDS_EXAMPLES = (
    "gds_pagerank_unweighted",
    "gds_pagerank_weighted",
    "gds_pagerank_tol0.1",
    "gds_pagerank_damping0.05",
    "gds_pagerank_personalised_SiteA",
)
OTHER_EXAMPLES = ("nx_pagerank_langville_meyer", "nx_personalized_K4", "igraph_star_pagerank")
#: Examples that exercise features Resonance does not offer, so no test reads them.
NOT_OFFERED = {
    # GDS post-processing scaler ((x - mean) / (max - min)); we only ever return raw PageRank.
    "gds_pagerank_scaler_mean": "scalers are not a feature",
    # A dangling distribution different from the teleport vector; ours always reuses teleport.
    "nx_pagerank_custom_dangling": "custom dangling vectors are not a feature",
}


def edges(pairs: Sequence[tuple[int, int]]) -> tuple[IntArray, IntArray]:
    source = np.array([s for s, _ in pairs], dtype=np.int64)
    target = np.array([t for _, t in pairs], dtype=np.int64)
    return source, target


def no_edges() -> tuple[IntArray, IntArray]:
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)


# --------------------------------------------------------------------------- hand-computed


def test_empty_graph_returns_an_empty_array() -> None:
    result = pagerank(0, *no_edges())
    assert isinstance(result, np.ndarray)
    assert result.shape == (0,)
    assert result.dtype == np.float64


def test_graph_without_edges_is_the_teleport_vector() -> None:
    np.testing.assert_allclose(pagerank(1, *no_edges()), [1.0])
    np.testing.assert_allclose(pagerank(4, *no_edges()), [0.25] * 4)
    teleport = np.array([1.0, 3.0, 0.0, 4.0])
    np.testing.assert_allclose(
        pagerank(4, *no_edges(), personalization=teleport), teleport / 8, atol=1e-12
    )


def test_two_cycle_splits_evenly() -> None:
    np.testing.assert_allclose(pagerank(2, *edges([(0, 1), (1, 0)])), [0.5, 0.5], atol=1e-12)


def test_three_cycle_is_uniform_whatever_the_damping() -> None:
    for damping in (0.0, 0.5, 0.85, 0.99):
        result = pagerank(3, *edges([(0, 1), (1, 2), (2, 0)]), damping=damping)
        np.testing.assert_allclose(result, [1 / 3] * 3, atol=1e-9)


def test_single_edge_with_dangling_head() -> None:
    # 0 -> 1, d = 0.85, N = 2; node 1 is dangling and spreads its rank uniformly.
    #   a = 0.15/2 + 0.85*b/2          (teleport + half of b's dangling mass)
    #   b = 0.15/2 + 0.85*b/2 + 0.85*a
    # With a + b = 1: a = 0.075 + 0.425*(1 - a) -> 1.425*a = 0.5 -> a = 20/57, b = 37/57.
    np.testing.assert_allclose(pagerank(2, *edges([(0, 1)])), [20 / 57, 37 / 57], atol=1e-9)


def test_star_into_a_centre() -> None:
    # Four leaves 0..3 -> centre 4, d = 0.85, N = 5; the centre is dangling (spreads uniformly).
    #   leaf   x = 0.15/5 + 0.85*c/5           = 0.03 + 0.17*c
    #   centre c = 0.03 + 0.17*c + 0.85*4*x
    # With 4x + c = 1: (1 - c)/4 = 0.03 + 0.17*c -> 0.88 = 1.68*c -> c = 11/21, x = 5/42.
    result = pagerank(5, *edges([(0, 4), (1, 4), (2, 4), (3, 4)]))
    np.testing.assert_allclose(result, [5 / 42] * 4 + [11 / 21], atol=1e-9)


def test_weights_split_a_nodes_rank_in_proportion() -> None:
    # 0 -> 1 (weight 3), 0 -> 2 (weight 1), 1 -> 0, 2 -> 0; d = 0.85, N = 3, no dangling node.
    #   r0 = 0.05 + 0.85*(r1 + r2) = 0.05 + 0.85*(1 - r0) -> r0 = 0.9/1.85 = 18/37
    #   r1 = 0.05 + 0.85*0.75*r0 = 13.325/37,  r2 = 0.05 + 0.85*0.25*r0 = 5.675/37
    source, target = edges([(0, 1), (0, 2), (1, 0), (2, 0)])
    weight = np.array([3.0, 1.0, 1.0, 1.0])
    result = pagerank(3, source, target, weight)
    np.testing.assert_allclose(result, [18 / 37, 13.325 / 37, 5.675 / 37], atol=1e-9)


def test_parallel_edges_add_their_weights() -> None:
    merged = pagerank(3, *edges([(0, 1), (0, 2), (1, 0), (2, 0)]), np.array([3.0, 1.0, 1, 1]))
    parallel = pagerank(3, *edges([(0, 1), (0, 2), (0, 1), (1, 0), (0, 1), (2, 0)]))
    split = pagerank(
        3, *edges([(0, 1), (0, 2), (0, 1), (1, 0), (2, 0)]), np.array([1.0, 1.0, 2.0, 1.0, 1.0])
    )
    np.testing.assert_allclose(parallel, merged, atol=1e-12)
    np.testing.assert_allclose(split, merged, atol=1e-12)


def test_a_node_with_no_edges_gets_the_teleport_share() -> None:
    # 0 -> 1 and an isolated node 2, d = 0.85, N = 3; nodes 1 and 2 are dangling.
    # Every node receives the teleport share t = 0.15/3 + 0.85*(r1 + r2)/3; node 1 also gets
    # 0.85*r0. So r0 = r2 = t and r1 = t + 0.85*t; summing, t*(3 + 0.85) = 1 -> t = 1/3.85.
    result = pagerank(3, *edges([(0, 1)]))
    share = 1 / 3.85
    np.testing.assert_allclose(result, [share, 1.85 * share, share], atol=1e-9)
    # An isolated node scores exactly like a node that only links out (no in-edge).
    assert result[2] == pytest.approx(result[0], abs=1e-12)


def test_personalised_teleport_goes_only_to_the_sources() -> None:
    # 0 -> 1 -> 2 (2 dangling), teleport only to 0: the dangling mass also returns to 0.
    #   r0 = 0.15 + 0.85*r2,  r1 = 0.85*r0,  r2 = 0.85*r1 -> r0*(1 + 0.85 + 0.7225) = 1.
    personal = np.array([1.0, 0.0, 0.0])
    result = pagerank(3, *edges([(0, 1), (1, 2)]), personalization=personal)
    r0 = 1 / 2.5725
    np.testing.assert_allclose(result, [r0, 0.85 * r0, 0.7225 * r0], atol=1e-9)
    # The teleport vector is normalised: any positive scaling gives the same answer.
    scaled = pagerank(3, *edges([(0, 1), (1, 2)]), personalization=7 * personal)
    np.testing.assert_allclose(scaled, result, atol=1e-12)


def test_zero_damping_returns_the_teleport_vector() -> None:
    teleport = np.array([2.0, 1.0, 1.0])
    result = pagerank(3, *edges([(0, 1), (1, 2)]), damping=0.0, personalization=teleport)
    np.testing.assert_allclose(result, teleport / 4, atol=1e-12)


def test_docstring_example() -> None:
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in doctest.DocTestFinder().find(pagerank_module):
        runner.run(test, out=lambda _text: None)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0
    assert result.failed == 0


# --------------------------------------------------------------------------- networkx


def random_graph(
    seed: int, *, weighted: bool, parallel: bool
) -> tuple[int, IntArray, IntArray, FloatArray, nx.MultiDiGraph]:
    """A seeded gnp digraph (dangling and isolated nodes included) and its networkx twin."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(8, 60))
    p = float(rng.uniform(0.03, 0.2))
    base = nx.gnp_random_graph(n, p, directed=True, seed=seed)
    # Node n - 1 is dangling (in-edges only) and node n - 2 isolated, whatever the draw.
    pairs = [(s, t) for s, t in base.edges() if s != n - 1 and n - 2 not in (s, t)]
    if parallel and pairs:
        repeat = rng.choice(len(pairs), size=max(1, len(pairs) // 4))
        pairs += [pairs[int(k)] for k in repeat]
    source, target = edges(pairs)
    weight = rng.uniform(0.05, 5.0, size=len(pairs)) if weighted else np.ones(len(pairs))
    twin = nx.MultiDiGraph()
    twin.add_nodes_from(range(n))
    for s, t, w in zip(source.tolist(), target.tolist(), weight.tolist(), strict=True):
        twin.add_edge(s, t, weight=w)
    return n, source, target, weight, twin


def as_array(scores: Mapping[Hashable, float], n: int) -> FloatArray:
    return np.array([scores[i] for i in range(n)], dtype=np.float64)


SEEDS = range(12)


@pytest.mark.parametrize("damping", [0.85, 0.5])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("seed", SEEDS)
def test_matches_networkx_on_random_graphs(seed: int, weighted: bool, damping: float) -> None:
    n, source, target, weight, twin = random_graph(seed, weighted=weighted, parallel=False)
    assert {n - 2, n - 1}.isdisjoint(source.tolist())
    ours = pagerank(n, source, target, weight if weighted else None, damping=damping)
    expected = nx.pagerank(
        nx.DiGraph(twin),
        alpha=damping,
        weight="weight" if weighted else None,
        tol=1e-13,
        max_iter=2000,
    )
    assert np.abs(ours - as_array(expected, n)).max() < 1e-6
    assert ours.sum() == pytest.approx(1.0, abs=1e-12)
    assert (ours > 0).all()


@pytest.mark.parametrize("damping", [0.85, 0.5])
@pytest.mark.parametrize("seed", SEEDS)
def test_matches_networkx_with_personalization(seed: int, damping: float) -> None:
    n, source, target, weight, twin = random_graph(seed, weighted=True, parallel=False)
    rng = np.random.default_rng(1000 + seed)
    personal = rng.uniform(0.0, 3.0, size=n)
    personal[rng.random(n) < 0.4] = 0.0  # some nodes never receive teleport (or dangling) mass
    personal[0] = 1.0
    ours = pagerank(n, source, target, weight, damping=damping, personalization=personal)
    expected = nx.pagerank(
        nx.DiGraph(twin),
        alpha=damping,
        personalization=dict(enumerate(personal.tolist())),
        weight="weight",
        tol=1e-13,
        max_iter=2000,
    )
    assert np.abs(ours - as_array(expected, n)).max() < 1e-6


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("seed", SEEDS)
def test_parallel_edges_match_networkx_multigraph(seed: int, weighted: bool) -> None:
    n, source, target, weight, twin = random_graph(seed, weighted=weighted, parallel=True)
    assert twin.number_of_edges() > nx.DiGraph(twin).number_of_edges()
    ours = pagerank(n, source, target, weight if weighted else None)
    # networkx's MultiDiGraph adjacency sums the weights of parallel edges.
    expected = nx.pagerank(twin, weight="weight", tol=1e-13, max_iter=2000)
    assert np.abs(ours - as_array(expected, n)).max() < 1e-6


# --------------------------------------------------------------------------- published tables


@pytest.fixture(scope="module")
def reference() -> dict[str, Example]:
    if not REFERENCE.is_file():
        pytest.skip(
            f"published reference tables not found at {REFERENCE}: the shared/ checkout "
            "beside the repository is absent"
        )
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    return {str(example["id"]): example for example in data["examples"]}


def edge_list(example: Example) -> list[tuple[str, str, float]]:
    """``(source, target, weight)`` with string ids; ``edges`` may be a Python-literal string."""
    raw = example["edges"]
    if isinstance(raw, str):
        raw = ast.literal_eval(raw)
    found: list[tuple[str, str, float]] = []
    for edge in raw:
        if isinstance(edge, Mapping):
            found.append((str(edge["source"]), str(edge["target"]), float(edge.get("weight", 1))))
        else:
            source, target, *rest = edge
            found.append((str(source), str(target), float(rest[0]) if rest else 1.0))
    return found


def run_example(
    example: Example,
    triples: Sequence[tuple[str, str, float]],
    *,
    nodes: Sequence[str] | None = None,
    weighted: bool,
    damping: float,
    teleport: Mapping[str, float] | None = None,
) -> dict[str, float]:
    names = list(nodes) if nodes is not None else list(example["expected"])
    for source, target, _ in triples:
        for name in (source, target):
            if name not in names:
                names.append(name)
    index = {name: i for i, name in enumerate(names)}
    source_ids = np.array([index[s] for s, _, _ in triples], dtype=np.int64)
    target_ids = np.array([index[t] for _, t, _ in triples], dtype=np.int64)
    weight = np.array([w for _, _, w in triples]) if weighted else None
    personal = None
    if teleport is not None:
        personal = np.array([teleport.get(name, 0.0) for name in names], dtype=np.float64)
    scores = pagerank(
        len(names), source_ids, target_ids, weight, damping=damping, personalization=personal
    )
    return {name: float(scores[index[name]]) for name in names}


def tiers(scores: Mapping[str, float], *, rel: float = 1e-9) -> list[set[str]]:
    """Names from highest to lowest score, equal scores (within ``rel``) sharing one tier."""
    ordered = sorted(scores, key=lambda name: -scores[name])
    groups: list[set[str]] = []
    head = float("nan")
    for name in ordered:
        if groups and abs(scores[name] - head) <= rel * abs(head):
            groups[-1].add(name)
        else:
            groups.append({name})
            head = scores[name]
    return groups


def normalised(scores: Mapping[str, float]) -> dict[str, float]:
    total = sum(scores.values())
    return {name: value / total for name, value in scores.items()}


def gds_example(reference: Mapping[str, Example], example_id: str) -> dict[str, float]:
    example = reference[example_id]
    parameters = example["parameters"]
    sources = parameters.get("sourceNodes") or []
    return run_example(
        example,
        edge_list(example),
        nodes=example.get("nodes"),
        weighted=parameters.get("relationshipWeightProperty") is not None,
        damping=float(parameters["dampingFactor"]),
        teleport={str(name): 1.0 for name in sources} if sources else None,
    )


def gds_truncated(example: Example, iterations: int) -> dict[str, float]:
    """The README's GDS rule: ``iterations`` of y <- (1-d)*s + d*P^T y from y = 0, no dangling."""
    parameters = example["parameters"]
    names = [str(name) for name in example["nodes"]]
    index = {name: i for i, name in enumerate(names)}
    weighted = parameters.get("relationshipWeightProperty") is not None
    matrix = np.zeros((len(names), len(names)))
    for source, target, weight in edge_list(example):
        matrix[index[source], index[target]] += weight if weighted else 1.0
    out = matrix.sum(axis=1, keepdims=True)
    transition = np.divide(matrix, out, out=np.zeros_like(matrix), where=out > 0)
    sources = {str(name) for name in parameters.get("sourceNodes") or []}
    start = np.array([1.0 if not sources or name in sources else 0.0 for name in names])
    damping = float(parameters["dampingFactor"])
    y = np.zeros(len(names))
    for _ in range(iterations):
        y = (1 - damping) * start + damping * transition.T @ y
    return {name: float(y[index[name]]) for name in names}


def test_every_reference_example_is_covered(reference: Mapping[str, Example]) -> None:
    known = set(GDS_EXAMPLES) | set(OTHER_EXAMPLES) | set(NOT_OFFERED)
    assert set(reference) <= known, f"new reference examples to test: {set(reference) - known}"
    assert set(GDS_EXAMPLES) | set(OTHER_EXAMPLES) <= set(reference)


@pytest.mark.parametrize("example_id", GDS_EXAMPLES)
def test_gds_ranking_matches_the_published_table(
    reference: Mapping[str, Example], example_id: str
) -> None:
    ours = gds_example(reference, example_id)
    expected = {
        str(name): float(value) for name, value in reference[example_id]["expected"].items()
    }
    assert set(ours) == set(expected)
    assert tiers(ours) == tiers(expected)


@pytest.mark.parametrize("example_id", GDS_EXAMPLES)
def test_gds_converged_scores_match(reference: Mapping[str, Example], example_id: str) -> None:
    # At convergence GDS / sum(GDS) is networkx's PageRank; the JSON publishes that figure
    # (scaled back to GDS's units) as verification.networkx_converged_scaled.
    ours = gds_example(reference, example_id)
    converged = reference[example_id]["verification"]["networkx_converged_scaled"]
    expected = normalised({str(name): float(value) for name, value in converged.items()})
    for name, value in expected.items():
        assert ours[name] == pytest.approx(value, rel=1e-6, abs=1e-9), name


@pytest.mark.parametrize(
    "example_id", [name for name in GDS_EXAMPLES if name != "gds_pagerank_tol0.1"]
)
def test_gds_published_table_normalised_within_a_few_percent(
    reference: Mapping[str, Example], example_id: str
) -> None:
    # The table stops after maxIterations = 20, short of convergence: normalised, it stays
    # within a few percent of the converged answer (the README's tolerance). The tolerance-0.1
    # run halts after 7 supersteps, far from convergence, so only its ranking is compared.
    ours = gds_example(reference, example_id)
    table = normalised(
        {str(name): float(value) for name, value in reference[example_id]["expected"].items()}
    )
    for name, value in table.items():
        assert ours[name] == pytest.approx(value, rel=0.05), name


@pytest.mark.parametrize(
    "example_id", [name for name in GDS_EXAMPLES if name != "gds_pagerank_tol0.1"]
)
def test_gds_table_is_the_truncated_recurrence_of_our_reading(
    reference: Mapping[str, Example], example_id: str
) -> None:
    # Checks that we read the graph, weights and source nodes as GDS did: 20 steps of the
    # README's rule reproduce the table (to 1e-7: GDS nodes stop once their change is <= 1e-7),
    # and run to convergence and normalised, the same rule gives our PageRank.
    example = reference[example_id]
    iterations = int(example["parameters"]["maxIterations"])
    truncated = gds_truncated(example, iterations)
    for name, value in example["expected"].items():
        assert truncated[str(name)] == pytest.approx(float(value), abs=1e-7), name
    converged = normalised(gds_truncated(example, 2000))
    ours = gds_example(reference, example_id)
    for name, value in converged.items():
        assert ours[name] == pytest.approx(value, abs=1e-8), name


def test_gds_personalised_site_a_ranking(reference: Mapping[str, Example]) -> None:
    ours = gds_example(reference, "gds_pagerank_personalised_SiteA")
    assert tiers(ours) == [
        {"Home"},
        {"Site A"},
        {"About", "Links", "Product"},
        {"Site B", "Site C", "Site D"},
    ]


def test_networkx_langville_meyer(reference: Mapping[str, Example]) -> None:
    example = reference["nx_pagerank_langville_meyer"]
    alpha = float(example["parameters"]["alpha"])
    assert alpha == 0.9
    ours = run_example(example, edge_list(example), weighted=False, damping=alpha)
    for name, value in example["expected"].items():
        assert ours[str(name)] == pytest.approx(float(value), abs=1e-4), name


def test_networkx_personalized_k4(reference: Mapping[str, Example]) -> None:
    example = reference["nx_personalized_K4"]
    complete = nx.complete_graph(4)
    triples = [(str(a), str(b), 1.0) for a, b in complete.edges()]
    triples += [(b, a, w) for a, b, w in triples]  # undirected: each edge both ways
    personal = {str(k): float(v) for k, v in example["parameters"]["personalization"].items()}
    ours = run_example(
        example,
        triples,
        weighted=False,
        damping=float(example["parameters"]["alpha"]),
        teleport=personal,
    )
    for name, value in example["expected"].items():
        assert ours[str(name)] == pytest.approx(float(value), abs=1e-6), name


def test_igraph_star_centre(reference: Mapping[str, Example]) -> None:
    example = reference["igraph_star_pagerank"]
    star = nx.star_graph(10)  # centre 0, leaves 1..10, as igraph's Graph.Star(11)
    triples = [(str(a), str(b), 1.0) for a, b in star.edges()]
    triples += [(b, a, w) for a, b, w in triples]
    ours = run_example(
        example,
        triples,
        nodes=[str(i) for i in range(11)],
        weighted=False,
        damping=float(example["parameters"]["damping"]),
    )
    assert round(ours["0"], 3) == round(float(example["expected"]["0"]), 3)
    assert ours["0"] == pytest.approx(0.4668, abs=5e-4)
