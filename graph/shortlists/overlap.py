"""How much a shortlist's members' audiences overlap, and which of them to pick for a budget.

A member's audience is its distinct amplifiers, leaving out itself, the accounts flagged as
boosters and the hollow accounts (``graph.shortlists.queries.AUDIENCES``): the people a
campaign would reach through it. The overlap says, for each pair, which share of one's
audience the other reaches too, and what each member reaches that no other does; the
selection picks the members whose audiences together reach the most people within a budget
(``graph.algorithms.coverage``: the better of CELF's unit-cost and cost-benefit runs, at least
``(1 - 1/e) / 2`` of the best subset). A member without a cost counts as costing 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.algorithms.coverage import Rule, best_selection
from graph.backends.base import Row
from graph.shortlists import queries as q
from graph.shortlists.lists import Shortlists
from graph.store import Store

UNIT_COST = 1.0


@dataclass(frozen=True, slots=True)
class Overlap:
    members: list[str]  # ids, largest audience first
    audience: list[int]
    unique: list[int]  # reached by this member and no other
    shared: list[list[float]]  # shared[i][j]: share of i's audience that j reaches too
    union: int


@dataclass(frozen=True, slots=True)
class SelectionStep:
    member: str
    cost: float
    gain: int
    coverage: int
    spent: float


@dataclass(frozen=True, slots=True)
class BudgetSelection:
    budget: float
    rule: Rule
    steps: list[SelectionStep]
    coverage: int
    spent: float
    union: int  # what the whole list reaches: the most any selection could
    unit_cost: list[str]  # members without a cost, counted as costing 1


def _members(store: Store, shortlist_id: str) -> list[Row]:
    """Each member's ``cost`` and ``audience`` (the shortlist must exist: NodeNotFound)."""
    Shortlists(store).get(shortlist_id)
    return store.read(q.AUDIENCES, {"id": shortlist_id})


def _audiences(rows: list[Row]) -> dict[str, set[str]]:
    return {str(row["member"]): {str(a) for a in row["audience"] or ()} for row in rows}


def audiences(store: Store, shortlist_id: str) -> dict[str, set[str]]:
    """Each member's audience (the shortlist must exist: NodeNotFound otherwise)."""
    return _audiences(_members(store, shortlist_id))


def overlap(store: Store, shortlist_id: str) -> Overlap:
    reach = audiences(store, shortlist_id)
    members = sorted(reach, key=lambda member: (-len(reach[member]), member))
    counts: dict[str, int] = {}
    for people in reach.values():
        for person in people:
            counts[person] = counts.get(person, 0) + 1
    shared = [
        [len(reach[a] & reach[b]) / len(reach[a]) if reach[a] else 0.0 for b in members]
        for a in members
    ]
    return Overlap(
        members=members,
        audience=[len(reach[m]) for m in members],
        unique=[sum(1 for person in reach[m] if counts[person] == 1) for m in members],
        shared=shared,
        union=len(counts),
    )


def select(store: Store, shortlist_id: str, budget: float) -> BudgetSelection:
    """The members to pick within ``budget`` (each member's cost, 1 when it has none)."""
    rows = _members(store, shortlist_id)
    reach = _audiences(rows)
    costs = {str(row["member"]): row["cost"] for row in rows}
    members = sorted(reach)
    cost = [float(costs[m] or UNIT_COST) for m in members]
    index = {person: k for k, person in enumerate(set().union(*reach.values()))}
    coded = [{index[person] for person in reach[m]} for m in members]
    chosen = best_selection(coded, cost, budget)
    steps = [
        SelectionStep(members[s.member], cost[s.member], s.gain, s.coverage, round(s.spent, 6))
        for s in chosen.steps
    ]
    return BudgetSelection(
        budget=budget,
        rule=chosen.rule,
        steps=steps,
        coverage=chosen.coverage,
        spent=round(chosen.spent, 6),
        union=len(index),
        unit_cost=[m for m in members if costs[m] is None],
    )
