"""``sync``: keep a PostgreSQL schema equal to the collection's tables (sync/run.py)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
from tmdb_collector.engine.events import ProgressEvents, progress_events, tell
from tmdb_collector.sync import DEFAULT_SCHEMA

Report = Callable[[str, int, int], None]


@click.command(cls=AttributedCommand)
@db_option
@click.option(
    "--to",
    "to",
    required=True,
    metavar="URL",
    help="postgresql://user@host:port/dbname (the password from it, PGPASSWORD or ~/.pgpass;"
    " never printed).",
)
@click.option(
    "--schema",
    default=DEFAULT_SCHEMA,
    show_default=True,
    help="The schema the tables are kept in (created if missing).",
)
@no_progress_option
@progress_option
def sync(db: Path, to: str, schema: str, no_progress: bool, progress_mode: str) -> None:
    """Keep the collection's tables (those of `export --format parquet`) in a PostgreSQL
    schema: the first run loads every row, later runs write only the titles that changed,
    each in one transaction."""
    events = progress_events("sync", progress_mode, 0, None)
    with reporting(events):
        bars = not no_progress and progress_mode == "auto" and sys.stderr.isatty()
        with api.Collection.open(db) as collection, _reporter(events, bars) as report:
            result = collection.sync(to, schema, report)
        for notice in result.notices:
            tell(events, notice)
        click.echo(result.summary())


@contextmanager
def _reporter(events: ProgressEvents | None, bars: bool) -> Iterator[Report | None]:
    """The sync's progress as JSON events, as a bar on a terminal, or not at all."""
    started = time.monotonic()
    if events is not None:

        def observe(stage: str, done: int, total: int) -> None:
            events.observe(
                {
                    "stage": stage,
                    "overall": {"done": done, "total": total},
                    "elapsed": round(time.monotonic() - started, 1),
                },
                force_progress=stage == "committing",
            )

        yield observe
    elif bars:
        from rich.progress import Progress

        with Progress(transient=True) as shown:
            task = shown.add_task("comparing", total=None)

            def update(stage: str, done: int, total: int) -> None:
                shown.update(task, description=stage, completed=done, total=total or None)

            yield update
    else:
        yield None
