"""The ``tmdb-collector`` group and the console entry point."""

from __future__ import annotations

import errno
import logging
import signal
import sys
from typing import NoReturn

import click

from tmdb_collector.about import ATTRIBUTION, __version__
from tmdb_collector.cli.lazy import LazyCommands
from tmdb_collector.cli.options import AttributedGroup
from tmdb_collector.credentials import redact
from tmdb_collector.errors import (
    EXIT_PAUSED,
    EXIT_RUNTIME,
    EXIT_USAGE,
    CollectorError,
    UnexpectedError,
)
from tmdb_collector.export.allocator import (
    choose_arrow_allocator,
    keep_pandas_and_numpy_out,
    no_collection_at_exit,
)
from tmdb_collector.logs import LOGGER, in_files

# Each command's module is imported when the command is asked for (run, or listed by --help):
# a sync or an export does not load the collector's HTTP client, and collect not psycopg.
COMMANDS = LazyCommands(
    {
        "collect": ("tmdb_collector.cli.collect", "collect"),
        "update": ("tmdb_collector.cli.collect", "update"),
        "status": ("tmdb_collector.cli.export", "status"),
        "export": ("tmdb_collector.cli.export", "export_command"),
        "sync": ("tmdb_collector.cli.sync", "sync"),
        "images": ("tmdb_collector.cli.images", "images"),
        "compact": ("tmdb_collector.cli.compact", "compact"),
        "availability": ("tmdb_collector.cli.history", "availability"),
        "versions": ("tmdb_collector.cli.history", "versions"),
        "simulate": ("tmdb_collector.cli.local", "simulate"),
        "demo": ("tmdb_collector.cli.local", "demo"),
        "serve": ("tmdb_collector.cli.local", "serve"),
    }
)


@click.group(
    cls=AttributedGroup,
    commands=COMMANDS,
    epilog=ATTRIBUTION,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="tmdb-collector")
def cli() -> None:
    """Harvest a movie dataset from The Movie Database (TMDB) API."""


def main() -> None:
    """Console entry point: our errors become one redacted line and an exit code."""
    choose_arrow_allocator()  # before anything loads pyarrow
    keep_pandas_and_numpy_out()
    no_collection_at_exit()
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
    except OSError as exc:
        if exc.filename is None or not exc.strerror:
            _unexpected(exc)
        # A path the system refuses before anything is written (a name too long, a loop of
        # links): the path is the error, not a bug to re-run.
        logging.getLogger(LOGGER).info("path refused", exc_info=exc)
        click.echo(f"error: {redact(f'{exc.filename}: {exc.strerror}')}", err=True)
        sys.exit(EXIT_USAGE if exc.errno in _BAD_PATH else EXIT_RUNTIME)
    except Exception as exc:  # a bug: one line; the traceback only with -v
        _unexpected(exc)
    sys.exit(code if isinstance(code, int) else 0)


_BAD_PATH = {errno.ENAMETOOLONG, errno.ELOOP}


def _unexpected(exc: Exception) -> NoReturn:
    logging.getLogger(LOGGER).info("unexpected error", exc_info=exc)
    click.echo(f"error: {redact(str(UnexpectedError('in tmdb-collector', exc)))}", err=True)
    sys.exit(EXIT_RUNTIME)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
