"""Budgeted maximum coverage: which members of a list reach the most distinct accounts together
within a budget, by lazy greedy (CELF, Leskovec et al. 2007, "Cost-effective outbreak detection
in networks").

Two greedy runs over the same audiences: one picks the largest marginal gain (unit-cost rule),
the other the largest gain per unit of cost (cost-benefit rule); each skips what no longer fits
the budget; the better of the two stands. Either alone can be arbitrarily bad; the better of
the two covers at least ``(1 - 1/e) / 2`` of the optimum (Leskovec et al., Theorem 1), and with
equal costs the unit-cost run alone is the classic greedy's ``1 - 1/e``. The "lazy" part:
coverage is submodular, so a member's gain can only shrink as others are picked; gains are
kept in a heap as upper bounds and only the top one is recomputed, until it stays on top.

    >>> audiences = [{1, 2, 3}, {3, 4}, {5, 6}]
    >>> chosen = best_selection(audiences, [2.0, 1.0, 1.0], budget=2.0)
    >>> chosen.rule, [step.member for step in chosen.steps], chosen.coverage
    ('gain per cost', [1, 2], 4)
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence, Set
from dataclasses import dataclass
from typing import Literal

Rule = Literal["gain", "gain per cost"]


@dataclass(frozen=True, slots=True)
class Step:
    """One pick: the member (its index), what it added, and the totals after it."""

    member: int
    gain: int
    coverage: int
    spent: float


@dataclass(frozen=True, slots=True)
class Selection:
    rule: Rule
    steps: tuple[Step, ...]
    evaluations: int  # marginal gains computed (the lazy greedy's work)

    @property
    def coverage(self) -> int:
        return self.steps[-1].coverage if self.steps else 0

    @property
    def spent(self) -> float:
        return self.steps[-1].spent if self.steps else 0.0

    @property
    def members(self) -> list[int]:
        return [step.member for step in self.steps]


def lazy_greedy(
    audiences: Sequence[Set[int]], costs: Sequence[float], budget: float, rule: Rule
) -> Selection:
    """One CELF run with ``rule``; members costing more than what is left are skipped."""
    if len(audiences) != len(costs):
        raise ValueError("one cost per audience")
    if any(cost <= 0 for cost in costs):
        raise ValueError("costs must be positive")

    def priority(gain: int, member: int) -> float:
        return gain / costs[member] if rule == "gain per cost" else float(gain)

    covered: set[int] = set()
    spent = 0.0
    steps: list[Step] = []
    # (-priority, member, the number of picks its gain was computed at, that gain)
    heap = [
        (-priority(len(audience), k), k, 0, len(audience)) for k, audience in enumerate(audiences)
    ]
    heapq.heapify(heap)
    evaluations = len(audiences)
    while heap:
        _, member, computed_at, gain = heapq.heappop(heap)
        if spent + costs[member] > budget + 1e-9:
            continue  # it no longer fits; nothing cheaper is lost by dropping it
        if computed_at != len(steps):  # stale: recompute, and put it back
            gain = len(audiences[member] - covered)
            evaluations += 1
            heapq.heappush(heap, (-priority(gain, member), member, len(steps), gain))
            continue
        if gain == 0:
            break  # the best bound left is 0: nothing left adds anyone
        covered |= audiences[member]
        spent += costs[member]
        steps.append(Step(member, gain, len(covered), spent))
    return Selection(rule, tuple(steps), evaluations)


def best_selection(
    audiences: Sequence[Set[int]], costs: Sequence[float], budget: float
) -> Selection:
    """The better (more coverage, then less spent) of the unit-cost and cost-benefit runs."""
    runs = [lazy_greedy(audiences, costs, budget, rule) for rule in ("gain", "gain per cost")]
    return max(runs, key=lambda run: (run.coverage, -run.spent))
