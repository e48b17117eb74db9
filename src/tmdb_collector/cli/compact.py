"""``compact``: rewrite a collection into the compact store, in place."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from tmdb_collector import api
from tmdb_collector.cli.options import (
    AttributedCommand,
    db_option,
    no_progress_option,
    progress_option,
)
from tmdb_collector.cli.reporting import reporting
from tmdb_collector.engine.events import progress_events


@click.command(cls=AttributedCommand)
@db_option
@no_progress_option
@progress_option
def compact(db: Path, no_progress: bool, progress_mode: str) -> None:
    """Rewrite --db into the compact form in place (bodies compressed with the collection's
    dictionaries, freed pages returned); safe to stop at any moment and run again."""
    events = progress_events("compact", progress_mode, 0, None)
    started = time.monotonic()
    with reporting(events):
        bars = not no_progress and progress_mode == "auto" and sys.stderr.isatty()
        if events is not None:

            def report(done: int, total: int) -> None:
                events.observe(
                    {
                        "overall": {"done": done, "total": total},
                        "elapsed": round(time.monotonic() - started, 1),
                    },
                    force_progress=done == total,
                )

            result = api.compact(db, report)
        elif bars:
            from rich.progress import Progress

            with Progress(transient=True) as shown:
                task = shown.add_task("compacting bodies", total=None)
                result = api.compact(
                    db, lambda done, total: shown.update(task, completed=done, total=total)
                )
        else:
            result = api.compact(db)
        click.echo(
            f"{db}: {_mib(result.size_before)} -> {_mib(result.size_after)}"
            f" ({result.size_after / max(result.size_before, 1):.2f} of its size);"
            f" {result.rewritten:,} of {result.bodies:,} bodies rewritten,"
            f" {result.dictionaries} dictionaries trained."
        )


def _mib(size: int) -> str:
    return f"{size / 2**20:,.1f} MiB"
