"""What every ``resonance`` command module shares: the consoles, the store of a command, the
one way a library error ends a command (a red line, exit 1) and the analysis progress bar."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from graph.config import Settings
from graph.connect import open_backend
from graph.errors import GraphError
from graph.store import Store

console = Console()
errors = Console(stderr=True)


def fail(error: Exception) -> typer.Exit:
    """Print ``error`` in red on stderr; the ``typer.Exit`` (code 1) to raise."""
    errors.print(f"[bold red]error:[/] {error}", highlight=False, markup=True)
    return typer.Exit(code=1)


@contextmanager
def command_store(settings: Settings) -> Iterator[Store]:
    """The store of one command, its connection closed afterwards."""
    backend = open_backend(settings)
    try:
        yield Store(backend, batch_size=settings.batch_size)
    finally:
        backend.close()


def guarded(action: Callable[[], None]) -> None:
    """Run ``action``; a ``GraphError`` ends the command with its message and exit code 1."""
    try:
        action()
    except GraphError as error:
        raise fail(error) from None


def step_bar(*counters: ProgressColumn) -> Progress:
    """The progress bar of a long step (a load, an analysis, a backtest): what is done, how
    far, any ``counters`` (a load's rows and rate), and the time it has taken."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        *counters,
        TimeElapsedColumn(),
        console=console,
    )
