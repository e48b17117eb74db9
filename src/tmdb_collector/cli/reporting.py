"""A CLI command's run under ``--progress json``: its ``start`` and ``finish`` events around
the work, and the exit a failure ends it with (the library raises; the CLI exits)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from tmdb_collector.engine.events import ProgressEvents
from tmdb_collector.errors import EXIT_PAUSED, CollectorError
from tmdb_collector.logs import in_files


@contextlib.contextmanager
def reporting(events: ProgressEvents | None) -> Iterator[None]:
    """With JSON events: ``start`` first, ``finish`` with the exit status last, whatever happens.

    A failure is told by the finish event alone (its ``error``), so stderr stays JSON.
    """
    if events is None:
        yield
        return
    events.start()
    try:
        yield
    except SystemExit as exc:
        events.finish(exc.code if isinstance(exc.code, int) else 1)
        raise
    except CollectorError as exc:
        in_files(exc.cli_message)  # the --log-file has it too, as without JSON events
        events.finish(exc.exit_code, error=exc.cli_message)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        events.finish(EXIT_PAUSED)
        raise
    except Exception as exc:
        events.finish(1, error=f"{type(exc).__name__}: {exc}")
        raise
    events.finish(0)
