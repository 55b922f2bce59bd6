"""A shortlist as CSV: each member now (the influencer CSV's columns, labelled with the latest
run) and when it was added (labelled with that run), written by :func:`web.csv_export.csv_line`
so that it opens safely in a spreadsheet."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from graph.shortlists.lists import Member, RunLabel
from web.csv_export import INFLUENCER_COLUMNS, Cell, Fixed, csv_line, influencer_cells

#: The provenance of the current columns: the latest run (kept first for compatibility).
NOW_PROVENANCE: tuple[str, ...] = ("profile", "since", "until", "analyzed_at", "run")
ADDED_COLUMNS: tuple[str, ...] = (
    "added_score",
    "added_rank",
    "added_role",
    "added_run",
    "added_profile",
    "added_window",
    "added_analyzed_at",
    "added_run_kept",
)
CSV_COLUMNS: tuple[str, ...] = (
    *INFLUENCER_COLUMNS,
    "note",
    "tags",
    "cost",
    "in_target",
    "added_at",
    *NOW_PROVENANCE,
    *ADDED_COLUMNS,
)


def window(run: RunLabel | None) -> str:
    """``since/until`` (an ISO 8601 interval); an open end stays empty, no run gives ``""``.

    >>> window(RunLabel(1, "default", "2026-01-01", None, None, True))
    '2026-01-01/'
    """
    if run is None or (run.since is None and run.until is None):
        return ""
    return f"{run.since or ''}/{run.until or ''}"


def _now_provenance(run: RunLabel | None) -> tuple[Cell, ...]:
    if run is None:
        return ("", "", "", "", None)
    return (run.profile, run.since, run.until, run.analyzed_at, run.run)


def _added_cells(member: Member) -> tuple[Cell, ...]:
    added = member.added
    run = added.run
    return (
        None if added.score is None else Fixed(added.score, 4),
        added.rank,
        added.role,
        None if run is None else run.run,
        None if run is None else run.profile,
        window(run),
        None if run is None else run.analyzed_at,
        "" if run is None else ("yes" if run.kept else "no"),
    )


def _share(value: float | None) -> Cell:
    return None if value is None else Fixed(value, 4)


def shortlist_csv_lines(
    members: Iterable[Member],
    latest: RunLabel | None,
    in_target: Mapping[str, float | None] | None = None,
) -> Iterator[str]:
    """The header, then one line per member: now, note, tags, cost and the share of its
    audience inside the list's target (``in_target``: empty without one), the latest run,
    then added."""
    shares = in_target or {}
    provenance = _now_provenance(latest)
    yield csv_line(CSV_COLUMNS)
    for member in members:
        yield csv_line(
            (
                *influencer_cells(member.user),
                member.note,
                "; ".join(member.tags),
                member.cost,
                _share(shares.get(member.user.id)),
                member.added_at,
                *provenance,
                *_added_cells(member),
            )
        )
