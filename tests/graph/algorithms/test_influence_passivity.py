"""Influence-Passivity: a plain-Python reference in the paper's notation, and its properties."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import numpy.typing as npt
import pytest

from graph.algorithms.influence_passivity import influence_passivity

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Graph = tuple[int, IntArray, IntArray, FloatArray]


def reference(graph: Graph, iterations: int) -> tuple[list[float], list[float]]:
    """Romero et al. (2011), Algorithm 1, run for a fixed number of steps, over an edge list.

    Paper edge ``(i, j, w_ij)``: i influences j (j amplified i), so i = our target (the author)
    and j = our source (the amplifier). Parallel edges stay separate entries.
    """
    node_count, source, target, acceptance = graph
    edges = [
        (int(t), int(s), min(max(float(w), 0.0), 1.0))
        for s, t, w in zip(source, target, acceptance, strict=True)
    ]
    accepted_by: dict[int, float] = defaultdict(float)  # sum_{k:(k,j) in E} w_kj, keyed by j
    rejected_from: dict[int, float] = defaultdict(float)  # sum_{k:(j,k) in E} 1 - w_jk, keyed by j
    for i, j, w in edges:
        accepted_by[j] += w
        rejected_from[i] += 1.0 - w
    # u_ij = w_ij / sum_k w_kj ; v_ij = (1 - w_ij) / sum_k (1 - w_ik), one per edge (i, j).
    u = [w / accepted_by[j] if accepted_by[j] > 0 else 0.0 for i, j, w in edges]
    v = [(1.0 - w) / rejected_from[i] if rejected_from[i] > 0 else 0.0 for i, j, w in edges]

    def normalise(values: list[float]) -> list[float]:
        total = sum(values)
        return [x / total if total > 0 else 0.0 for x in values]

    influence = [1.0] * node_count
    passivity = [1.0] * node_count
    for _ in range(iterations):
        # P_i <- sum_{j:(j,i) in E} v_ji I_j : for edge (j, i), add to the influenced end.
        passivity = [0.0] * node_count
        for (j, i, _), v_ji in zip(edges, v, strict=True):
            passivity[i] += v_ji * influence[j]
        passivity = normalise(passivity)
        # I_i <- sum_{j:(i,j) in E} u_ij P_j : for edge (i, j), add to the influencing end.
        influence = [0.0] * node_count
        for (i, j, _), u_ij in zip(edges, u, strict=True):
            influence[i] += u_ij * passivity[j]
        influence = normalise(influence)
    return influence, passivity


def random_graph(seed: int, node_count: int = 40, edge_count: int = 160) -> Graph:
    rng = np.random.default_rng(seed)
    source = rng.integers(0, node_count, edge_count, dtype=np.int64)
    target = rng.integers(0, node_count, edge_count, dtype=np.int64)
    acceptance = rng.uniform(-0.2, 1.2, edge_count)  # some out of range: clipped to exact 0 / 1
    return node_count, source, target, acceptance


def run(graph: Graph, *, max_iter: int = 100, tol: float = 1e-9) -> tuple[FloatArray, FloatArray]:
    return influence_passivity(*graph, max_iter=max_iter, tol=tol)


def edge_list(node_count: int, triples: list[tuple[int, int, float]]) -> Graph:
    return (
        node_count,
        np.array([s for s, _, _ in triples], dtype=np.int64),
        np.array([t for _, t, _ in triples], dtype=np.int64),
        np.array([w for _, _, w in triples], dtype=np.float64),
    )


@pytest.mark.parametrize("seed", range(6))
def test_matches_the_plain_python_reference(seed: int) -> None:
    graph = random_graph(seed)
    influence, passivity = run(graph, max_iter=25, tol=0.0)
    expected_influence, expected_passivity = reference(graph, 25)
    np.testing.assert_allclose(influence, expected_influence, rtol=0, atol=1e-9)
    np.testing.assert_allclose(passivity, expected_passivity, rtol=0, atol=1e-9)


def test_matches_the_reference_with_parallel_edges_and_self_loops() -> None:
    graph = edge_list(
        4, [(0, 1, 0.3), (0, 1, 0.6), (1, 1, 0.5), (2, 1, 0.1), (1, 3, 0.8), (3, 0, 0.4)]
    )
    influence, passivity = run(graph, max_iter=25, tol=0.0)
    expected_influence, expected_passivity = reference(graph, 25)
    np.testing.assert_allclose(influence, expected_influence, rtol=0, atol=1e-9)
    np.testing.assert_allclose(passivity, expected_passivity, rtol=0, atol=1e-9)


@pytest.mark.parametrize("seed", range(6))
def test_scores_are_distributions(seed: int) -> None:
    for vector in run(random_graph(seed)):
        assert vector.shape == (40,)
        assert (vector >= 0).all()
        assert vector.sum() == pytest.approx(1.0, abs=1e-12)


def test_amplification_by_passive_accounts_is_worth_more() -> None:
    # Authors 0 (A) and 1 (B) each get 50% of their posts amplified by four accounts. A's
    # audience (7..10) rarely amplifies anyone else: 5% of what authors 2..6 post. B's audience
    # (11..14) amplifies everything else it sees. The paper: influence comes from moving passive
    # users, so A must out-rank B, and A's audience must be the more passive.
    others = range(2, 7)
    triples = [(p, 0, 0.5) for p in range(7, 11)] + [(e, 1, 0.5) for e in range(11, 15)]
    triples += [(p, x, 0.05) for p in range(7, 11) for x in others]
    triples += [(e, x, 1.0) for e in range(11, 15) for x in others]
    influence, passivity = run(edge_list(15, triples))
    assert influence[0] > 2 * influence[1]
    assert passivity[7:11].min() > passivity[11:15].max()
    assert influence[0] == influence.max()


def test_passivity_matters_even_at_equal_acceptance_share() -> None:
    # Both audiences give the same share of their amplification to their author (u = 2/3), but
    # A's audience (4, 5) spreads its other 0.25 over five rejected authors, B's (6, 7) over one.
    triples = [(a, 0, 0.5) for a in (4, 5)] + [(b, 1, 0.5) for b in (6, 7)]
    triples += [(a, x, 0.05) for a in (4, 5) for x in (2, 3, 8, 9, 10)]
    triples += [(b, 2, 0.25) for b in (6, 7)]
    influence, passivity = run(edge_list(11, triples))
    assert influence[0] > influence[1]
    assert passivity[4] > passivity[6]


def test_empty_graph() -> None:
    empty = np.zeros(0, dtype=np.int64)
    influence, passivity = influence_passivity(0, empty, empty, np.zeros(0))
    assert influence.shape == passivity.shape == (0,)
    influence, passivity = influence_passivity(3, empty, empty, np.zeros(0))
    assert influence.tolist() == passivity.tolist() == [0.0, 0.0, 0.0]


def test_isolated_node_scores_zero_and_changes_nothing() -> None:
    node_count, source, target, acceptance = random_graph(7, node_count=20, edge_count=60)
    base = run((node_count, source, target, acceptance))
    padded = run((node_count + 1, source, target, acceptance))
    for without, with_isolated in zip(base, padded, strict=True):
        assert with_isolated[-1] == 0.0
        np.testing.assert_allclose(with_isolated[:-1], without, rtol=0, atol=1e-12)


def test_roles_without_edges_of_that_kind_score_zero() -> None:
    # 0 and 1 only amplify (never authors), 2 only posts (never amplifies).
    influence, passivity = run(edge_list(3, [(0, 2, 0.2), (1, 2, 0.7)]))
    assert influence.tolist() == [0.0, 0.0, 1.0]
    assert passivity[2] == 0.0
    assert passivity[0] > passivity[1]


def test_nothing_rejected_leaves_all_zeros() -> None:
    influence, passivity = run(edge_list(3, [(0, 1, 1.0), (1, 2, 1.0), (2, 0, 1.0)]))
    assert not influence.any()
    assert not passivity.any()


def test_mismatched_lengths_are_rejected() -> None:
    with pytest.raises(ValueError, match="same length"):
        influence_passivity(2, np.array([0]), np.array([1]), np.array([0.5, 0.5]))
