"""The ``resonance`` command: thin commands over library functions (a composition root)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from graph.analysis import analyze
from graph.config import Settings
from graph.connect import open_backend
from graph.errors import GraphError
from graph.server import EmbeddedServer
from graph.store import Store
from loaders.demo import generate_demo
from loaders.ingest import load_csv_dir
from loaders.report import LoadReport

app = typer.Typer(help="Resonance: influence from who amplified whom.", no_args_is_help=True)
db_app = typer.Typer(help="The embedded FalkorDB server.", no_args_is_help=True)
load_app = typer.Typer(help="Load exports into the graph database.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(load_app, name="load")

console = Console()
errors = Console(stderr=True)


def _fail(error: Exception) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {error}", highlight=False, markup=True)
    return typer.Exit(code=1)


@contextmanager
def _store(settings: Settings) -> Iterator[Store]:
    backend = open_backend(settings)
    try:
        yield Store(backend, batch_size=settings.batch_size)
    finally:
        backend.close()


def _guard(action: Callable[[], None]) -> None:
    try:
        action()
    except GraphError as error:
        raise _fail(error) from None


# ------------------------------------------------------------------ db
@db_app.command("start")
def db_start() -> None:
    """Start the embedded database (or report the one already running)."""

    def run() -> None:
        info = EmbeddedServer.from_settings(Settings()).start()
        state = "already running" if info.reused else "started"
        console.print(f"FalkorDB {state}: pid {info.pid}, {info.host}:{info.port}, {info.data_dir}")

    _guard(run)


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded database, saving everything first."""

    def run() -> None:
        stopped = EmbeddedServer.from_settings(Settings()).stop()
        console.print("FalkorDB stopped" if stopped else "FalkorDB was not running")

    _guard(run)


@db_app.command("status")
def db_status() -> None:
    """Say whether the embedded database runs, and where."""

    def run() -> None:
        settings = Settings()
        info = EmbeddedServer.from_settings(settings).status()
        if info is None:
            console.print(f"FalkorDB is not running (data directory {settings.data_dir})")
            raise typer.Exit(code=3)
        console.print(f"FalkorDB running: pid {info.pid}, {info.host}:{info.port}, {info.data_dir}")

    _guard(run)


# ---------------------------------------------------------------- load
def _print_report(report: LoadReport, seconds: float) -> None:
    table = Table(title=f"Load report ({seconds:.1f} s)")
    table.add_column("table")
    table.add_column("read", justify="right")
    table.add_column("loaded", justify="right")
    table.add_column("duplicates", justify="right")
    for name in ("users", "posts", "amplifications"):
        table.add_row(
            name,
            str(report.read[name]),
            str(report.loaded[name]),
            str(report.duplicates[name]),
        )
    console.print(table)
    console.print(f"placeholder users created: {report.placeholder_users}")
    console.print(f"self-amplifications skipped: {report.self_amplifications}")
    for reason, count in sorted(report.rejected.items()):
        console.print(f"rejected {reason}: {count}")
    if report.rejects_path is not None:
        console.print(f"rejected rows are listed in {report.rejects_path}")
    for notice in report.notices:
        console.print(f"notice: {notice}", highlight=False)


def _run_load(settings: Settings, directory: Path, rejects: Path | None) -> LoadReport:
    with (
        _store(settings) as store,
        Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,} rows"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            console=console,
        ) as bar,
    ):
        tasks: dict[str, tuple[TaskID, float]] = {}

        def progress(table: str, rows: int) -> None:
            if table not in tasks:
                tasks[table] = (bar.add_task(table, total=None, rate=""), time.monotonic())
            task, started = tasks[table]
            rate = rows / max(time.monotonic() - started, 1e-6)
            bar.update(task, completed=rows, rate=f"{rate:,.0f} rows/s")

        return load_csv_dir(store, directory, rejects_path=rejects, progress=progress)


@load_app.command("csv")
def load_csv(
    directory: Annotated[
        Path, typer.Argument(help="folder with users.csv, posts.csv, amplifications.csv")
    ],
    rejects: Annotated[Path, typer.Option(help="where rejected rows are listed")] = Path(
        "rejects.txt"
    ),
) -> None:
    """Load a directory in the generic CSV contract (idempotent)."""

    def run() -> None:
        started = time.monotonic()
        report = _run_load(Settings(), directory, rejects)
        _print_report(report, time.monotonic() - started)

    _guard(run)


# ------------------------------------------------------------- analysis
def _run_analyze(settings: Settings) -> None:
    with _store(settings) as store, console.status("analysing") as status:
        summary = analyze(store, progress=lambda message: status.update(message))
    console.print(
        f"scored {summary.users_scored:,} users over {summary.edges:,} amplified pairs; "
        f"{summary.ranked:,} external voices ranked"
    )


@app.command("analyze")
def analyze_command() -> None:
    """Compute weighted PageRank and write scores and ranks back to the users."""
    _guard(lambda: _run_analyze(Settings()))


@app.command("stats")
def stats(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """What the database holds."""

    def run() -> None:
        with _store(Settings()) as store:
            counts = asdict(store.stats())
        if as_json:
            typer.echo(json.dumps(counts))
        else:
            for key, value in counts.items():
                console.print(f"{key}: {value:,}")

    _guard(run)


# ---------------------------------------------------------------- serve
def _serve(settings: Settings, host: str | None, port: int | None) -> None:
    import uvicorn

    from api.main import create_app

    bind_host = host or settings.host
    bind_port = port or settings.port
    console.print(f"Resonance explorer on http://{bind_host}:{bind_port}/", highlight=False)
    uvicorn.run(create_app(settings), host=bind_host, port=bind_port, log_level="warning")


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="bind address (default RESONANCE_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default RESONANCE_PORT)")] = None,
) -> None:
    """Serve the API and the explorer (127.0.0.1 unless told otherwise)."""
    _guard(lambda: _serve(Settings(), host, port))


@app.command("generate-demo")
def generate_demo_command(
    out: Annotated[Path, typer.Argument(help="folder to write the CSV files to")],
    seed: Annotated[int, typer.Option(help="random seed")] = 7,
    users: Annotated[int, typer.Option(help="number of users")] = 3000,
) -> None:
    """Write the seeded demo dataset in the CSV contract."""
    summary = generate_demo(out, seed=seed, users=users)
    console.print(
        f"wrote {summary.users:,} users, {summary.posts:,} posts, "
        f"{summary.amplifications:,} amplifications to {out}"
    )


@app.command("demo")
def demo(
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="serve when done")] = True,
) -> None:
    """Start the database, load the demo data, analyse it and serve the explorer."""

    def run() -> None:
        settings = Settings()
        info = EmbeddedServer.from_settings(settings).start() if not settings.uses_neo4j else None
        if info is not None:
            console.print(f"database: FalkorDB on {info.host}:{info.port} ({info.data_dir})")
        folder = settings.data_dir / "demo"
        summary = generate_demo(folder)
        console.print(
            f"demo data: {summary.users:,} users, {summary.amplifications:,} amplifications"
        )
        started = time.monotonic()
        report = _run_load(settings, folder, settings.data_dir / "demo-rejects.txt")
        _print_report(report, time.monotonic() - started)
        _run_analyze(settings)
        if serve_after:
            _serve(settings, None, None)

    _guard(run)


if __name__ == "__main__":  # pragma: no cover
    app()
