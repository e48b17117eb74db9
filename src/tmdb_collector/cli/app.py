"""The ``tmdb-collector`` group and the console entry point."""

from __future__ import annotations

import logging
import signal
import sys

import click

from tmdb_collector.about import ATTRIBUTION, __version__
from tmdb_collector.cli.collect import collect, update
from tmdb_collector.cli.compact import compact
from tmdb_collector.cli.export import export_command, status
from tmdb_collector.cli.history import availability, versions
from tmdb_collector.cli.images import images
from tmdb_collector.cli.local import demo, serve, simulate
from tmdb_collector.cli.options import AttributedGroup
from tmdb_collector.cli.sync import sync
from tmdb_collector.credentials import redact
from tmdb_collector.errors import (
    EXIT_PAUSED,
    EXIT_RUNTIME,
    EXIT_USAGE,
    CollectorError,
    UnexpectedError,
)
from tmdb_collector.export.allocator import choose_arrow_allocator, keep_pandas_and_numpy_out
from tmdb_collector.logs import LOGGER, in_files


@click.group(
    cls=AttributedGroup,
    epilog=ATTRIBUTION,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="tmdb-collector")
def cli() -> None:
    """Harvest a movie dataset from The Movie Database (TMDB) API."""


for command in (
    collect,
    update,
    status,
    export_command,
    sync,
    images,
    compact,
    availability,
    versions,
    simulate,
    demo,
    serve,
):
    cli.add_command(command)


def main() -> None:
    """Console entry point: our errors become one redacted line and an exit code."""
    choose_arrow_allocator()  # before anything loads pyarrow
    keep_pandas_and_numpy_out()
    # SIGTERM stops a command as Ctrl-C does, so that it cleans up (an export's staging files)
    # on the way out; collect and serve turn it into a pause while they run.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        code = cli.main(standalone_mode=False)
    except click.UsageError as exc:
        hint = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx else ""
        click.echo(f"error: {redact(exc.format_message())}{hint}", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        click.echo(f"error: {redact(exc.format_message())}", err=True)
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_PAUSED)
    except CollectorError as exc:
        in_files(exc.cli_message)
        click.echo(f"error: {redact(exc.cli_message)}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(EXIT_PAUSED)
    except Exception as exc:  # a bug: one line; the traceback only with -v
        logging.getLogger(LOGGER).info("unexpected error", exc_info=exc)
        click.echo(f"error: {redact(str(UnexpectedError('in tmdb-collector', exc)))}", err=True)
        sys.exit(EXIT_RUNTIME)
    sys.exit(code if isinstance(code, int) else 0)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
