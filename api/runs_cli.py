"""``resonance runs``: the history of analyses (list, show, delete, risers, compare), thin
commands over ``graph.runs`` registered by ``api.cli``."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from api.cli_session import command_store, console, guarded
from graph.config import Settings
from graph.runs import movement
from graph.runs.history import delete_run, get_run, list_runs
from graph.runs.models import Movement, RunInfo

runs_app = typer.Typer(help="The kept analysis runs (RESONANCE_KEEP_RUNS).", no_args_is_help=True)

AsJson = Annotated[bool, typer.Option("--json", help="print JSON")]
FromRun = Annotated[
    int | None, typer.Option("--from", help="the earlier run (default: the one before)")
]
ToRun = Annotated[int | None, typer.Option("--to", help="the later run (default: the latest)")]


def _window(info: RunInfo) -> str:
    if not info.since and not info.until:
        return "all"
    return f"{info.since or '…'} to {info.until or '…'}"


@runs_app.command("list")
def runs_list(as_json: AsJson = False) -> None:
    """The kept runs, newest first."""

    def run() -> None:
        with command_store(Settings()) as store:
            kept = list_runs(store)
        if as_json:
            typer.echo(json.dumps([asdict(info) for info in kept]))
            return
        table = Table(title=f"{len(kept)} kept runs")
        for name in ("run", "analysed at", "profile", "window", "ranked", "events", ""):
            table.add_column(name, justify="right" if name in ("ranked", "events") else "left")
        for info in kept:
            table.add_row(
                str(info.id), info.analyzed_at, info.profile, _window(info),
                f"{info.ranked:,}", f"{info.events:,}", "latest" if info.latest else "",
            )  # fmt: skip
        console.print(table)

    guarded(run)


@runs_app.command("show")
def runs_show(
    run_id: Annotated[int, typer.Argument(help="the run's id (`resonance runs list`)")],
    as_json: AsJson = False,
) -> None:
    """One run's provenance: profile, window, times and what it counted."""

    def run() -> None:
        with command_store(Settings()) as store:
            info = get_run(store, run_id)
        if as_json:
            typer.echo(json.dumps(asdict(info)))
            return
        for key, value in asdict(info).items():
            if key != "settings":
                console.print(f"{key}: {value}", highlight=False)

    guarded(run)


@runs_app.command("delete")
def runs_delete(
    run_id: Annotated[int, typer.Argument(help="the run's id (`resonance runs list`)")],
) -> None:
    """Delete a kept run and its rankings (never the latest)."""

    def run() -> None:
        with command_store(Settings()) as store:
            delete_run(store, run_id)
        console.print(f"run {run_id} deleted", highlight=False)

    guarded(run)


def _movement_table(title: str, items: list[Movement]) -> Table:
    table = Table(title=title)
    for name in ("rank", "was", "gain", "handle", "role", "was role", "amplifiers", "were"):
        table.add_column(name, justify="left" if "role" in name or name == "handle" else "right")
    table.add_column("reasons gained / lost")

    def shown(value: object) -> str:
        return "-" if value is None else str(value)

    for item in items:
        table.add_row(
            str(item.rank), shown(item.earlier_rank), shown(item.gain), item.handle,
            shown(item.role), shown(item.earlier_role), str(item.amplifiers),
            shown(item.earlier_amplifiers),
            "\n".join([*(f"+ {r}" for r in item.reasons_gained),
                        *(f"- {r}" for r in item.reasons_lost)]),
        )  # fmt: skip
    return table


def _print_movements(found: tuple[int, int, list[Movement]], as_json: bool, what: str) -> None:
    earlier, later, items = found
    if as_json:
        typer.echo(json.dumps({"from": earlier, "to": later, "items": [asdict(m) for m in items]}))
        return
    console.print(_movement_table(f"{what}: run {earlier} to run {later}", items))


@runs_app.command("risers")
def runs_risers(
    from_run: FromRun = None,
    to_run: ToRun = None,
    limit: Annotated[int, typer.Option(min=1, help="how many")] = movement.RISERS,
    min_audience: Annotated[
        int, typer.Option(min=0, help="fewest distinct amplifiers in the later run")
    ] = movement.MIN_AUDIENCE,
    as_json: AsJson = False,
) -> None:
    """Rising voices: the accounts that climbed most between two runs."""

    def run() -> None:
        with command_store(Settings()) as store:
            found = movement.risers(
                store, earlier=from_run, later=to_run, limit=limit, min_audience=min_audience
            )
        _print_movements(found, as_json, "rising voices")

    guarded(run)


@runs_app.command("compare")
def runs_compare(
    from_run: FromRun = None,
    to_run: ToRun = None,
    top: Annotated[int, typer.Option(min=1, help="the later run's top N")] = movement.TOP,
    as_json: AsJson = False,
) -> None:
    """The later run's top N with their earlier rank, role and amplifiers."""

    def run() -> None:
        with command_store(Settings()) as store:
            found = movement.compare(store, earlier=from_run, later=to_run, top=top)
        _print_movements(found, as_json, f"top {top}")

    guarded(run)
