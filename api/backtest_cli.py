"""``resonance backtest``: rank the events before a split, score the rankings on what happened
after it (``graph.backtest``), print the table or its JSON."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from api.cli_session import command_store, console, guarded, step_bar
from graph.analysis.profile import load_profile
from graph.backtest.run import BacktestReport, backtest
from graph.backtest.split import parse_split
from graph.config import Settings


def print_report(report: BacktestReport) -> None:
    horizon = report.horizon or "the end of the data"
    console.print(
        f"split {report.split}, horizon {horizon}: {report.events_before:,} events before, "
        f"{report.events_after:,} after; {report.accounts:,} accounts with an audience before",
        highlight=False,
    )
    table = Table(title=f"what happened next: NDCG@{report.k} and precision@{report.k}")
    for column in ("ranking", "NDCG amplifiers", "P amplifiers", "NDCG reach", "P reach"):
        table.add_column(column, justify="left" if column == "ranking" else "right")
    for found in report.methods:
        table.add_row(
            found.method,
            f"{found.ndcg_amplifiers:.3f}",
            f"{found.precision_amplifiers:.2f}",
            f"{found.ndcg_reach:.3f}",
            f"{found.precision_reach:.2f}",
        )
    console.print(table)
    ours = report.methods[0]
    console.print(
        f"{ours.method} / best baseline: amplifiers "
        f"{ours.ndcg_amplifiers / max(report.best_baseline('amplifiers'), 1e-12):.3f}x, reach "
        f"{ours.ndcg_reach / max(report.best_baseline('reach'), 1e-12):.3f}x",
        highlight=False,
    )


def backtest_command(
    split: Annotated[
        str,
        typer.Option(help="ISO date/time (a date: its end, as --until) or a share such as 70%"),
    ] = "70%",
    horizon: Annotated[
        float | None, typer.Option(help="days after the split counted (default: all)", min=0.01)
    ] = None,
    k: Annotated[int, typer.Option("--k", help="the top k scored", min=1, max=100_000)] = 100,
    profile: Annotated[str, typer.Option(help="scoring profile")] = "default",
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Rank the events before --split with the profile and the baselines (Klout-like volume,
    distinct amplifiers, unweighted PageRank, followers where known), and score each ranking
    on what happened after: each account's distinct amplifiers, and its two-step reach."""

    def run() -> None:
        settings = Settings()
        chosen = load_profile(profile, settings.data_dir)
        moment, share = parse_split(split)
        with command_store(settings) as store:
            if as_json:
                report = backtest(
                    store, split=moment, split_share=share, horizon_days=horizon, k=k,
                    profile=chosen,
                )  # fmt: skip
                console.print_json(json.dumps(asdict(report)))
                return
            with step_bar() as bar:
                task = bar.add_task("backtest", total=1.0)
                report = backtest(
                    store, split=moment, split_share=share, horizon_days=horizon, k=k,
                    profile=chosen,
                    progress=lambda what, done: bar.update(task, description=what, completed=done),
                )  # fmt: skip
        print_report(report)

    guarded(run)
