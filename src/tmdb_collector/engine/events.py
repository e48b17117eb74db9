"""Machine-readable progress (``--progress json``): one JSON object per line on stderr.

For cron, Airflow or systemd: a run can be followed without scraping text. Events, in order:

* ``start``: the command began (``command``);
* ``stage``: the current stage changed (``stage``: popular, discover, details or done);
* ``progress``: the counters, every :data:`INTERVAL` seconds and once more at the end;
* ``outage_start`` / ``outage_end``: TMDB became unreachable / answered again (read from the
  progress snapshot's ``outage`` entry, which the circuit breaker fills in);
* ``log``: a warning (or, with ``-v``, info) the run logged;
* ``notice``: a message the command would otherwise print to stderr;
* ``finish``: the last line, with ``exit_code`` and ``status`` (and ``error`` when it failed).

Every event has ``event`` and ``time`` (UTC, ISO 8601). The fields are documented in
``docs/progress-json.md``. The views read :meth:`RunProgress.snapshot`, so they never slow a run.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import IO, Any, Protocol

from tmdb_collector.credentials import redact
from tmdb_collector.logs import configure as configure_logging

INTERVAL = 5.0  # seconds between two "progress" events
POLL_SECONDS = 0.25  # how often the snapshot is read for stage and outage changes
COUNTERS = (
    "overall",
    "stages",
    "movies",
    "requests",
    "throttled",
    "errors",
    "failed_movies",
    "not_found",
    "request_rate",
    "elapsed",
    "eta",
    # tmdb-collector images (images/progress.py)
    "total",
    "files",
    "bytes",
    "skipped",
    "failed",
)
STATUS_BY_EXIT = {
    0: "complete",
    1: "failed",
    2: "usage-error",
    3: "finished-with-failures",
    130: "paused",
}


class Snapshots(Protocol):
    """A run's progress (:class:`~tmdb_collector.engine.run_progress.RunProgress`, an images
    run's): its counters as of now."""

    def snapshot(self) -> dict[str, Any]: ...


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class ProgressEvents:
    """Writes the events of one run to ``stream`` (stderr by default), one line each."""

    def __init__(
        self,
        command: str,
        stream: IO[str] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        interval: float = INTERVAL,
    ) -> None:
        self.command = command
        self._stream = stream
        self._clock = clock
        self._interval = interval
        self._last_progress: float | None = None
        self._stage: str | None = None
        self._outage: dict[str, Any] | None = None
        self._snapshot: dict[str, Any] = {}
        self.finished = False

    def emit(self, event: str, **fields: Any) -> None:
        line = redact(json.dumps({"event": event, "time": _now(), **fields}, ensure_ascii=False))
        stream = self._stream or sys.stderr
        stream.write(line + "\n")
        stream.flush()

    def start(self) -> None:
        self.emit("start", command=self.command)

    def observe(self, snapshot: dict[str, Any], *, force_progress: bool = False) -> None:
        """Emit what changed since the last snapshot, and the counters when they are due."""
        self._snapshot = snapshot
        stage = snapshot.get("stage")
        if stage is not None and stage != self._stage:
            self._stage = stage
            self.emit("stage", stage=stage)
        outage = snapshot.get("outage")
        if outage and not self._outage:
            self.emit("outage_start", **_outage_fields(outage))
        elif self._outage and not outage:
            self.emit("outage_end", after_seconds=self._outage.get("elapsed"))
        self._outage = outage or None
        now = self._clock()
        due = self._last_progress is None or now - self._last_progress >= self._interval
        if due or force_progress:
            self._last_progress = now
            self.emit("progress", **self.counters())

    def counters(self) -> dict[str, Any]:
        counters = {name: self._snapshot[name] for name in COUNTERS if name in self._snapshot}
        if "stages" in counters:  # counts only: the labels are for people
            counters["stages"] = {
                name: {"done": stage["done"], "total": stage["total"]}
                for name, stage in counters["stages"].items()
            }
        return counters

    def notice(self, message: str) -> None:
        self.emit("notice", message=message)

    def finish(self, exit_code: int, error: str | None = None) -> None:
        if self.finished:
            return
        self.finished = True
        fields: dict[str, Any] = {
            "command": self.command,
            "exit_code": exit_code,
            "status": STATUS_BY_EXIT.get(exit_code, "failed"),
            **self.counters(),
        }
        if error is not None:
            fields["error"] = error
        self.emit("finish", **fields)


@contextlib.asynccontextmanager
async def report_progress(progress: Snapshots, events: ProgressEvents) -> AsyncIterator[None]:
    """Emit ``events`` from ``progress`` while the body runs, and the final counters after."""

    async def poll() -> None:
        while True:
            events.observe(progress.snapshot())
            await asyncio.sleep(POLL_SECONDS)

    poller = asyncio.create_task(poll())
    try:
        yield
    finally:
        poller.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await poller
        events.observe(progress.snapshot(), force_progress=True)


def _outage_fields(outage: Any) -> dict[str, Any]:
    if isinstance(outage, dict):
        return {key: outage[key] for key in ("since", "reason") if key in outage}
    return {}


class JsonLogFormatter(logging.Formatter):
    """Log records as ``log`` events, so stderr stays one JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(
            {
                "event": "log",
                "time": _now(),
                "level": record.levelname.lower(),
                "logger": record.name,
                "message": record.getMessage(),
            },
            ensure_ascii=False,
        )


# ---- the command line's side -------------------------------------------------------------


def progress_events(
    command: str, mode: str, verbose: int, log_file: Path | None
) -> ProgressEvents | None:
    """Set up logging for ``--progress MODE``; the JSON event writer when MODE is json."""
    if mode != "json":
        configure_logging(verbose, log_file)
        return None
    configure_logging(verbose, log_file, console_format=JsonLogFormatter())
    return ProgressEvents(command)


def tell(events: ProgressEvents | None, message: str) -> None:
    """A message for stderr: a notice event under --progress json (without the blank lines
    that set it apart from the bars), else a plain line; both redacted."""
    if events is None:
        print(redact(message), file=sys.stderr, flush=True)
    else:
        events.notice(message.strip())
