"""The ``resonance`` command: thin commands over library functions (a composition root)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.progress import Progress, TaskID, TextColumn
from rich.table import Table

from api.analysis_engine import ENGINES, run_analysis
from api.auth import check_exposure
from api.backtest_cli import backtest_command
from api.cli_session import command_store, console, errors, guarded, step_bar
from api.job_lock import LockHeld, holding, lock_path
from api.runs_cli import runs_app
from graph.analysis.profile import Profile, list_profiles, load_profile, save_profile
from graph.analysis.roles import ROLE_ORDER
from graph.analysis.rolling import InvalidWindows, duration_ms
from graph.analysis.run import AnalysisSummary
from graph.analysis.window import Window
from graph.backup import backup, restore
from graph.config import Settings
from graph.connect import start_embedded
from graph.errors import GraphError, LoadError
from graph.models import InfluencerQuery
from graph.server import EmbeddedServer
from graph.server_watch import StartProgress
from loaders.demo import generate_demo
from loaders.detect import FORMATS, open_reader
from loaders.formats.contract import CsvContractReader
from loaders.pipeline import load
from loaders.records import Reader
from loaders.report import LoadReport
from web.csv_export import communities_csv, influencer_csv

app = typer.Typer(help="Resonance: influence from who amplified whom.", no_args_is_help=True)
db_app = typer.Typer(help="The embedded FalkorDB server.", no_args_is_help=True)
export_app = typer.Typer(help="Export analysis results as CSV.", no_args_is_help=True)
profile_app = typer.Typer(
    help="Scoring profiles: named weights and thresholds.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(export_app, name="export")
app.add_typer(profile_app, name="profile")
app.add_typer(runs_app, name="runs")
app.command("backtest")(backtest_command)


@contextmanager
def _one_job(settings: Settings, what: str) -> Iterator[None]:
    """Hold the data directory's job lock (the API's jobs take it too), or exit 1 saying who
    holds it."""
    try:
        with holding(lock_path(settings.data_dir), what):
            yield
    except LockHeld as error:
        errors.print(
            f"[bold red]error:[/] {error}; wait for it to end", highlight=False, soft_wrap=True
        )
        raise typer.Exit(code=1) from None


def _default_rejects(settings: Settings) -> Path:
    """``<data dir>/rejects/<UTC time>.txt``: never the current directory."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    return settings.data_dir / "rejects" / f"{stamp}.txt"


# ------------------------------------------------------------------ db
@db_app.command("start")
def db_start() -> None:
    """Start the embedded database (or report the one already running)."""

    def run() -> None:
        with console.status("starting FalkorDB") as status:

            def progress(step: StartProgress) -> None:
                status.update(_start_step(step))

            info = EmbeddedServer.from_settings(Settings()).start(progress=progress)
        state = "already running" if info.reused else "started"
        took = f", ready in {info.start_s:.1f} s" if info.start_s >= 1 else ""
        console.print(
            f"FalkorDB {state}: pid {info.pid}, {info.host}:{info.port}, {info.data_dir}{took}"
        )

    guarded(run)


def _start_step(step: StartProgress) -> str:
    """What the spinner says while the database starts."""
    if step.phase == "loading":
        share = f" {step.percent:.0f}%" if step.percent is not None else ""
        eta = f", about {step.eta_s:.0f} s left" if step.eta_s else ""
        return f"FalkorDB is loading its data{share}{eta} ({step.elapsed_s:.0f} s)"
    if step.phase == "indexing":
        return f"FalkorDB is building its unique indexes ({step.elapsed_s:.0f} s)"
    return f"starting FalkorDB ({step.elapsed_s:.0f} s)"


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded database, saving everything first."""

    def run() -> None:
        stopped = EmbeddedServer.from_settings(Settings()).stop()
        console.print("FalkorDB stopped" if stopped else "FalkorDB was not running")

    guarded(run)


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

    guarded(run)


@db_app.command("backup")
def db_backup(
    path: Annotated[Path, typer.Argument(help="a new folder for the backup")],
) -> None:
    """Back up the running embedded database: a consistent snapshot (no password) into PATH."""

    def run() -> None:
        server = EmbeddedServer.from_settings(Settings())
        with console.status("writing a snapshot of the database"):
            made = backup(server, path)
        console.print(
            f"backed up {made.bytes:,} bytes to {made.path} (SHA-256 {made.sha256[:12]}...); "
            f"restore with `resonance db restore {made.path}`"
        )

    guarded(run)


@db_app.command("restore")
def db_restore(
    path: Annotated[Path, typer.Argument(help="a folder written by `resonance db backup`")],
    force: Annotated[
        bool, typer.Option("--force", help="replace the data there (moved aside, not deleted)")
    ] = False,
) -> None:
    """Restore a backup into the stopped embedded database; start it afterwards."""

    def run() -> None:
        made = restore(EmbeddedServer.from_settings(Settings()), path, force=force)
        console.print(
            f"restored the backup of {made.created_at} from {made.path}; "
            "start the database with `resonance db start`"
        )

    guarded(run)


# ---------------------------------------------------------------- load
def _print_report(report: LoadReport, seconds: float) -> None:
    rows = sum(report.read.values())
    rate = rows / max(seconds, 1e-6)
    console.print(
        f"read {rows:,} rows in {seconds:.1f} s ({rate:,.0f} rows/s): "
        + ", ".join(f"{name} {count:,}" for name, count in report.read.items())
    )
    table = Table(title="Load report")
    table.add_column("records")
    table.add_column("new", justify="right")
    table.add_column("already there", justify="right")
    for name in ("users", "posts", "amplifications"):
        table.add_row(name, f"{report.loaded[name]:,}", f"{report.duplicates[name]:,}")
    console.print(table)
    console.print(f"placeholder users created: {report.placeholder_users:,}")
    console.print(f"self-amplifications skipped: {report.self_amplifications:,}")
    console.print(f"rejected: {report.rejected_total:,}")
    for reason, count in sorted(report.rejected.items()):
        console.print(f"  {reason}: {count:,}", highlight=False)
    if report.rejects_path is not None:
        console.print(f"rejected rows are listed in {report.rejects_path}", highlight=False)
    for notice in report.notices:
        console.print(f"notice: {notice}", highlight=False)


def _load_bar() -> Progress:
    return step_bar(TextColumn("{task.fields[rows]:>12,} rows"), TextColumn("{task.fields[rate]}"))


def _run_load(
    settings: Settings, readers: list[Reader], rejects: Path | None, bulk: bool | None = None
) -> LoadReport:
    with command_store(settings) as store, _load_bar() as bar:
        tasks: dict[int, tuple[TaskID, float]] = {}

        def progress(reader: Reader, rows: int, done: int, total: int) -> None:
            key = id(reader)
            if key not in tasks:
                label = f"{reader.format} {reader.path.name}"
                tasks[key] = (bar.add_task(label, total=total, rows=0, rate=""), time.monotonic())
            task, started = tasks[key]
            rate = rows / max(time.monotonic() - started, 1e-6)
            # decompressed bytes: a .gz's total is its gzip trailer's size (exact below 4 GiB)
            bar.update(task, total=total, completed=done, rows=rows, rate=f"{rate:,.0f} rows/s")

        return load(store, readers, rejects_path=rejects, progress=progress, bulk=bulk)


FORMAT_HELP = "format name (" + ", ".join(FORMATS) + "); recognised from the content when left out"


@app.command("load")
def load_command(
    arguments: Annotated[list[str], typer.Argument(metavar="[FORMAT] PATH...", help=FORMAT_HELP)],
    rejects: Annotated[
        Path | None,
        typer.Option(
            help="where rejected rows are listed (default: rejects/<time>.txt in the data "
            "directory, RESONANCE_DATA_DIR)"
        ),
    ] = None,
    direction: Annotated[
        str | None, typer.Option(help="edge lists: amplifier-author (default) or author-amplifier")
    ] = None,
    kind: Annotated[str | None, typer.Option(help="edge lists: the kind of every edge")] = None,
    bulk: Annotated[
        bool | None,
        typer.Option(
            "--bulk/--no-bulk",
            help="force or forbid the bulk path (default: for a big first load into an empty "
            "embedded graph)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Load exports (idempotent): CSV contract, Twitter JSON, SNAP, edge lists, GraphML, GEXF."""

    def run() -> None:
        format_name = arguments[0] if arguments[0] in FORMATS else None
        paths = [Path(argument) for argument in arguments[1 if format_name else 0 :]]
        if not paths:
            raise LoadError(format_name or "", 0, "path", "give at least one file or directory")
        readers = [open_reader(path, format_name, direction=direction, kind=kind) for path in paths]
        settings = Settings()
        started = time.monotonic()
        try:
            with _one_job(settings, "resonance load (CLI)"):
                report = _run_load(settings, readers, rejects or _default_rejects(settings), bulk)
        except KeyboardInterrupt:
            errors.print(
                "interrupted: what was written is kept; run the same command again to finish "
                "(nothing is duplicated)"
            )
            raise typer.Exit(code=130) from None
        _print_report(report, time.monotonic() - started)

    guarded(run)


# ------------------------------------------------------------- analysis
def _run_analyze(
    settings: Settings,
    profile_name: str = "default",
    since: str | None = None,
    until: str | None = None,
    windows: str | None = None,
    step: str | None = None,
    *,
    engine: str | None = None,
    spark_master: str | None = None,
    events: Path | None = None,
    post_topics: Path | None = None,
) -> None:
    profile = load_profile(profile_name, settings.data_dir)
    window = Window.parse(since, until)
    with command_store(settings) as store, step_bar() as bar:
        task = bar.add_task("analysing", total=1.0)

        def progress(what: str, done: float) -> None:
            bar.update(task, description=what, completed=done)

        summaries = run_analysis(
            settings,
            store,
            profile,
            since=window.since,
            until=window.until,
            window_ms=None if windows is None else duration_ms(windows),
            step_ms=None if step is None else duration_ms(step, name="--step"),
            progress=progress,
            engine=engine,
            spark_master=spark_master,
            events=events,
            post_topics=post_topics,
        )
    for summary in summaries:
        _print_summary(profile.name, summary)


def _print_summary(profile: str, summary: AnalysisSummary) -> None:
    console.print(
        f"profile {profile}: scored {summary.users_scored:,} accounts from "
        f"{summary.events:,} amplifications ({summary.edges:,} weighted pairs) in "
        f"{summary.seconds:.1f} s; {summary.ranked:,} external voices ranked; "
        f"{summary.communities:,} communities; {summary.topics:,} topics ranked; "
        f"{summary.discounted_pairs:,} suspicious pairs not counted",
        highlight=False,
    )
    if summary.roles:
        console.print(
            "roles: " + ", ".join(f"{name} {count:,}" for name, count in summary.roles.items()),
            highlight=False,
        )


@app.command("analyze")
def analyze_command(
    since: Annotated[
        str | None, typer.Option(help="only amplification at or after this ISO date/time")
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(help="only amplification before this date/time (a date: to its end)"),
    ] = None,
    profile: Annotated[
        str, typer.Option(help="scoring profile (see `resonance profile list`)")
    ] = "default",
    windows: Annotated[
        str | None,
        typer.Option(help="score rolling windows of this length (7d, 12h, 2w), each a run"),
    ] = None,
    step: Annotated[
        str | None, typer.Option(help="between window ends (default: the window's length)")
    ] = None,
    engine: Annotated[
        str | None,
        typer.Option(help="local (this process) or spark (default: RESONANCE_ENGINE, local)"),
    ] = None,
    spark_master: Annotated[
        str | None,
        typer.Option(help="Spark master: local[*], spark://host:7077, yarn (--engine spark)"),
    ] = None,
    events: Annotated[
        Path | None,
        typer.Option(help="Parquet events to analyse instead of the store's (--engine spark)"),
    ] = None,
    post_topics: Annotated[
        Path | None,
        typer.Option(help="Parquet post -> topic tags that go with --events"),
    ] = None,
) -> None:
    """Score who amplified whom: the global score, topics, communities, roles and their
    reasons; with --windows, every rolling window as a run of the history (events read once);
    with --engine spark, on Apache Spark (README: Beyond one machine)."""

    def run() -> None:
        settings = Settings()
        if step is not None and windows is None:
            raise InvalidWindows("--step needs --windows")
        if engine is not None and engine not in ENGINES:
            raise typer.BadParameter(f"{engine!r}: choose local or spark", param_hint="--engine")
        with _one_job(settings, "resonance analyze (CLI)"):
            _run_analyze(
                settings, profile, since, until, windows, step, engine=engine,
                spark_master=spark_master, events=events, post_topics=post_topics,
            )  # fmt: skip

    guarded(run)


@export_app.command("influencers")
def export_influencers(
    topic: Annotated[str | None, typer.Option(help="rank on this topic (INFLUENTIAL_IN)")] = None,
    role: Annotated[str | None, typer.Option(help="primary role: " + ", ".join(ROLE_ORDER))] = None,
    community: Annotated[int | None, typer.Option(help="community number")] = None,
    limit: Annotated[int, typer.Option(min=1, help="at most this many rows")] = 100,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="CSV file (default: standard output)")
    ] = None,
) -> None:
    """Write the ranked external influencers as CSV (run `resonance analyze` first)."""

    def run() -> None:
        if role is not None and role not in ROLE_ORDER:
            raise GraphError(f"--role {role!r}: roles are {', '.join(ROLE_ORDER)}")
        with command_store(Settings()) as store:
            if store.latest_analysis() is None:
                raise GraphError("nothing analysed yet: run `resonance analyze` first")
            wanted = InfluencerQuery(topic=topic, role=role, community=community)
            page = store.influencers(wanted, limit=limit)
        _write_lines(influencer_csv(page.items), output, f"{len(page.items):,} influencers")

    guarded(run)


def _write_lines(lines: Iterable[str], output: Path | None, what: str) -> None:
    if output is None:
        for line in lines:
            typer.echo(line, nl=False)
        return
    with open(output, "w", encoding="utf-8", newline="") as handle:
        handle.writelines(lines)
    console.print(f"{what} written to {output}", highlight=False)


@export_app.command("communities")
def export_communities(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="CSV file (default: standard output)")
    ] = None,
) -> None:
    """Write `user_id,community` for every analysed user (run `resonance analyze` first)."""

    def run() -> None:
        with command_store(Settings()) as store:
            members = store.community_members()
        _write_lines(communities_csv(members), output, f"{len(members):,} community memberships")

    guarded(run)


# ------------------------------------------------------------- profiles
@profile_app.command("list")
def profile_list() -> None:
    """The scoring profiles: built in and saved."""

    def run() -> None:
        for item in list_profiles(Settings().data_dir):
            console.print(f"{item.name}: {item.description}", highlight=False)

    guarded(run)


@profile_app.command("show")
def profile_show(name: Annotated[str, typer.Argument(help="profile name")] = "default") -> None:
    """Print a profile as JSON (every weight and threshold)."""
    guarded(lambda: typer.echo(load_profile(name, Settings().data_dir).model_dump_json(indent=2)))


def _setting(text: str) -> tuple[str, object]:
    field, sep, value = text.partition("=")
    if not sep or not field:
        raise GraphError(f"--set {text!r}: write FIELD=VALUE, for example half_life_days=30")
    try:
        return field.strip(), json.loads(value)
    except json.JSONDecodeError:
        return field.strip(), value


@profile_app.command("save")
def profile_save(
    name: Annotated[str, typer.Argument(help="name of the new profile")],
    base: Annotated[str, typer.Option("--from", help="profile to start from")] = "default",
    settings: Annotated[
        list[str] | None,
        typer.Option("--set", help="FIELD=VALUE, repeatable (see `resonance profile show`)"),
    ] = None,
    kind_weights: Annotated[
        list[str] | None, typer.Option("--kind-weight", help="KIND=WEIGHT, repeatable")
    ] = None,
    description: Annotated[str | None, typer.Option(help="what the profile is for")] = None,
) -> None:
    """Save a named profile: another profile with some fields changed."""

    def run() -> None:
        data_dir = Settings().data_dir
        values = load_profile(base, data_dir).model_dump()
        values.update(dict(_setting(text) for text in settings or []))
        for text in kind_weights or []:
            kind, weight = _setting(text)
            values["kind_weights"] = {**values["kind_weights"], kind: weight}
        values["name"] = name
        if description is not None:
            values["description"] = description
        try:
            profile = Profile.model_validate(values)
        except ValidationError as exc:
            raise GraphError(f"profile {name!r} is not valid: {exc}") from None
        path = save_profile(profile, data_dir)
        console.print(f"profile {name} saved to {path}", highlight=False)

    guarded(run)


@app.command("stats")
def stats(as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False) -> None:
    """What the database holds."""

    def run() -> None:
        with command_store(Settings()) as store:
            counts = asdict(store.stats())
        if as_json:
            typer.echo(json.dumps(counts))
        else:
            for key, value in counts.items():
                console.print(f"{key}: {value:,}")

    guarded(run)


# ---------------------------------------------------------------- serve
#: The default number of worker processes is the number of cores, up to this: each worker
#: holds the app and its own response cache (RESONANCE_RESPONSE_CACHE_MB), so a 64-core box
#: would otherwise hold 64 of each for a team's traffic.
MAX_DEFAULT_WORKERS = 8


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS))


def _serve(settings: Settings, host: str | None, port: int | None, workers: int) -> None:
    from api.main import create_app
    from api.serving import host_notice, run, run_workers

    bind_host = host or settings.host
    bind_port = port or settings.port
    settings = settings.model_copy(update={"host": bind_host, "port": bind_port})
    proxies = bool(settings.trusted_proxy_networks)
    if workers > 1:
        check_exposure(settings)  # refuses a non-local address without RESONANCE_API_TOKEN
        os.environ.update(RESONANCE_HOST=bind_host, RESONANCE_PORT=str(bind_port))
    else:
        served = create_app(settings)  # the same refusal
    console.print(
        f"Resonance explorer on http://{bind_host}:{bind_port}/"
        + (f" ({workers} worker processes)" if workers > 1 else ""),
        highlight=False,
    )
    notice = host_notice(settings)
    if notice is not None:
        console.print(notice, highlight=False)
    if workers > 1:
        run_workers(settings, workers, bind_host, bind_port, own_proxy_headers=proxies)
    else:
        run(served, bind_host, bind_port, own_proxy_headers=proxies)


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="bind address (default RESONANCE_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default RESONANCE_PORT)")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help=f"worker processes (default: the number of cores, at most {MAX_DEFAULT_WORKERS})",
        ),
    ] = None,
) -> None:
    """Serve the API and the explorer (127.0.0.1 unless told otherwise)."""
    guarded(lambda: _serve(Settings(), host, port, workers or default_workers()))


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
        info = start_embedded(settings)
        if info is not None:
            console.print(f"database: FalkorDB on {info.host}:{info.port} ({info.data_dir})")
        folder = settings.data_dir / "demo"
        summary = generate_demo(folder)
        console.print(
            f"demo data: {summary.users:,} users, {summary.amplifications:,} amplifications"
        )
        started = time.monotonic()
        readers: list[Reader] = [CsvContractReader(folder)]
        with _one_job(settings, "resonance demo (CLI)"):
            report = _run_load(settings, readers, settings.data_dir / "demo-rejects.txt")
            _print_report(report, time.monotonic() - started)
            _run_analyze(settings)
        if serve_after:
            _serve(settings, None, None, 1)

    guarded(run)


if __name__ == "__main__":  # pragma: no cover
    app()
