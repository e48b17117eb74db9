"""Terminal views of a run: rich progress bars, or plain lines for scripts (``--no-progress``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from tmdb_collector.engine.run_progress import RunProgress
from tmdb_collector.fetch.breaker import format_duration
from tmdb_collector.plan.stages import DETAILS_STAGE

REFRESH_SECONDS = 0.25


def bar_columns(label: str) -> tuple[ProgressColumn, ...]:
    """The columns of every progress bar the CLI draws: ``label`` (a rich format of the task),
    the bar, done of total, percent, elapsed, ETA and the task's ``info`` field."""
    return (
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.percentage:>5.1f}%"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[info]}"),
    )


@contextlib.asynccontextmanager
async def drawing(view: Progress, update: Callable[[], None]) -> AsyncIterator[None]:
    """Show ``view`` while the body runs, calling ``update`` every :data:`REFRESH_SECONDS`
    and once more at the end."""

    async def refresh() -> None:
        while True:
            update()
            await asyncio.sleep(REFRESH_SECONDS)

    with view:
        updater = asyncio.create_task(refresh())
        try:
            yield
        finally:
            updater.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await updater
            update()


@contextlib.asynccontextmanager
async def show_progress(
    progress: RunProgress, *, enabled: bool, console: Console | None = None
) -> AsyncIterator[None]:
    """Draw bars for each stage while the body runs; plain mode prints nothing live.

    Bars need a terminal: when stderr is a pipe or a file (scripts, CI) the output stays plain.
    """
    console = console or Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield
        return
    bars = Progress(*bar_columns("[bold]{task.description:<14}"), console=console, transient=False)
    tasks: dict[str, TaskID] = {
        name: bars.add_task(stage.label, total=None, info="")
        for name, stage in progress.stages.items()
    }

    async with drawing(bars, lambda: _update(bars, tasks, progress)):
        yield


def waiting_line(outage: dict[str, Any]) -> str:
    """The status while TMDB is unreachable, as the bars and the dashboard show it."""
    probe = outage["next_probe_in"]
    next_probe = "probing now" if probe is None else f"next probe in {probe:.0f} s"
    return (
        f"Waiting for TMDB since {outage['since']} ({format_duration(outage['elapsed'])}; "
        f"{outage['reason']}); {next_probe}"
    )


def _update(bars: Progress, tasks: dict[str, TaskID], progress: RunProgress) -> None:
    for name, stage in progress.stages.items():  # a stage added by the run (linked)
        if name not in tasks:
            tasks[name] = bars.add_task(stage.label, total=None, info="")
    for name, task in tasks.items():
        stage = progress.stages[name]
        info = ""
        if name == DETAILS_STAGE:
            info = (
                f"{progress.request_rate():5.1f} req/s  {progress.requests} requests"
                f"  {progress.throttled} x 429  {progress.not_found} not found"
                f"  {progress.errors} errors"
            )
            outage = progress.outage_snapshot()
            if outage is not None:
                info = waiting_line(outage)
        bars.update(task, completed=stage.done, total=stage.total or None, info=info)
