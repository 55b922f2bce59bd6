"""Budgeted coverage by lazy greedy against brute force on small random lists."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from graph.algorithms.coverage import best_selection, lazy_greedy

BOUND_WITH_COSTS = (1 - 1 / math.e) / 2
BOUND_UNIT = 1 - 1 / math.e


def _optimum(audiences: list[set[int]], costs: list[float], budget: float) -> int:
    best = 0
    for size in range(len(audiences) + 1):
        for subset in itertools.combinations(range(len(audiences)), size):
            if sum(costs[k] for k in subset) <= budget + 1e-9:
                best = max(best, len(set().union(*(audiences[k] for k in subset))))
    return best


def _lists(seed: int, members: int = 9, people: int = 60) -> list[set[int]]:
    rng = np.random.default_rng(seed)
    return [
        {int(x) for x in rng.choice(people, size=int(rng.integers(1, 25)), replace=False)}
        for _ in range(members)
    ]


@pytest.mark.parametrize("seed", range(40))
def test_never_below_the_guarantee_with_costs(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    audiences = _lists(seed)
    costs = [float(c) for c in rng.integers(1, 10, size=len(audiences))]
    budget = float(rng.integers(3, 25))
    chosen = best_selection(audiences, costs, budget)
    optimum = _optimum(audiences, costs, budget)
    assert chosen.spent <= budget
    assert chosen.coverage == len(set().union(*(audiences[k] for k in chosen.members)))
    assert chosen.coverage >= BOUND_WITH_COSTS * optimum
    steps = chosen.steps
    assert all(a.coverage + b.gain == b.coverage for a, b in itertools.pairwise(steps))


@pytest.mark.parametrize("seed", range(40))
def test_never_below_the_guarantee_with_unit_costs(seed: int) -> None:
    audiences = _lists(seed)
    budget = float(1 + seed % 5)
    chosen = lazy_greedy(audiences, [1.0] * len(audiences), budget, "gain")
    assert chosen.coverage >= BOUND_UNIT * _optimum(audiences, [1.0] * len(audiences), budget)
    assert len(chosen.members) <= budget


def test_lazy_greedy_picks_what_plain_greedy_picks_with_fewer_evaluations() -> None:
    audiences = _lists(7, members=30, people=400)
    costs = [1.0] * len(audiences)
    lazy = lazy_greedy(audiences, costs, 10.0, "gain")
    covered: set[int] = set()
    plain: list[int] = []
    for _ in range(10):
        gains = [(len(a - covered), -k) for k, a in enumerate(audiences) if k not in plain]
        _gain, member = max(gains)
        plain.append(-member)
        covered |= audiences[-member]
    assert [step.coverage for step in lazy.steps] == [
        len(set().union(*(audiences[k] for k in plain[: i + 1]))) for i in range(10)
    ]
    assert lazy.evaluations < 10 * len(audiences)


def test_the_cost_rule_wins_where_one_big_member_would_eat_the_budget() -> None:
    # One expensive member reaching 10, ten cheap ones reaching 5 each, apart.
    audiences = [set(range(10))] + [set(range(100 + 5 * k, 105 + 5 * k)) for k in range(10)]
    costs = [10.0] + [1.0] * 10
    chosen = best_selection(audiences, costs, 10.0)
    assert chosen.rule == "gain per cost" and chosen.coverage == 50


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="one cost"):
        lazy_greedy([{1}], [], 1.0, "gain")
    with pytest.raises(ValueError, match="positive"):
        lazy_greedy([{1}], [0.0], 1.0, "gain")
