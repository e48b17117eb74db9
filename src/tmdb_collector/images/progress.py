"""An ``images`` run's counters, and its views: bars with files and bytes, JSON events, or
nothing live (``--no-progress``).

:meth:`ImageProgress.snapshot` is what the views read (and what ``on_progress`` gets from the
Python API): ``total`` files the collection names, ``files`` and ``bytes`` downloaded by this
run, ``skipped`` (already on disk), ``failed`` (retries spent), ``not_found`` (the CDN's 404,
recorded), ``requests``, ``throttled``, ``elapsed`` and ``outage`` while the CDN is
unreachable.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.progress import Progress

from tmdb_collector.engine.display import bar_columns, drawing, waiting_line
from tmdb_collector.engine.events import ProgressEvents, report_progress
from tmdb_collector.engine.run_progress import OutageWatch

IMAGES_STAGE, DONE_STAGE = "images", "done"


def megabytes(size_bytes: int) -> str:
    return f"{size_bytes / 1_000_000:,.1f} MB"


@dataclass
class ImageProgress:
    total: int = 0
    files: int = 0
    bytes: int = 0
    skipped: int = 0
    failed: int = 0
    not_found: int = 0
    requests: Callable[[], int] = lambda: 0
    throttled: Callable[[], int] = lambda: 0
    finished: bool = False
    outage: OutageWatch = field(default_factory=OutageWatch)
    started: float = field(default_factory=time.monotonic)

    @property
    def handled(self) -> int:
        return self.files + self.skipped + self.failed + self.not_found

    def snapshot(self) -> dict[str, Any]:
        elapsed = time.monotonic() - self.started
        return {
            "stage": DONE_STAGE if self.finished else IMAGES_STAGE,
            "total": self.total,
            "files": self.files,
            "bytes": self.bytes,
            "skipped": self.skipped,
            "failed": self.failed,
            "not_found": self.not_found,
            "requests": self.requests(),
            "throttled": self.throttled(),
            "elapsed": round(elapsed, 1),
            "outage": self.outage.snapshot(),
        }


@contextlib.asynccontextmanager
async def shown(
    progress: ImageProgress,
    *,
    bars: bool,
    events: ProgressEvents | None,
    console: Console | None = None,
) -> AsyncIterator[None]:
    """The JSON events, or bars on a terminal, while the body runs."""
    if events is not None:
        async with report_progress(progress, events):
            yield
        return
    console = console or Console(stderr=True)
    if not bars or not console.is_terminal:
        yield
        return
    view = Progress(*bar_columns("[bold]Images"), console=console)
    task = view.add_task("images", total=None, info="")

    def update() -> None:
        elapsed = max(time.monotonic() - progress.started, 1e-9)
        info = (
            f"{megabytes(progress.bytes)} ({megabytes(round(progress.bytes / elapsed))}/s)"
            f"  {progress.skipped:,} present  {progress.failed:,} failed"
            f"  {progress.not_found:,} not found"
        )
        outage = progress.outage.snapshot()
        if outage is not None:
            info = waiting_line(outage)
        view.update(task, completed=progress.handled, total=progress.total or None, info=info)

    async with drawing(view, update):
        yield
