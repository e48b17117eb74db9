"""Running a collection in this process: client, collector, signals and progress wired up."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterator, Sequence

from tmdb_collector.credentials import Credentials
from tmdb_collector.engine.collector import Collector, RunOutcome
from tmdb_collector.engine.display import show_progress
from tmdb_collector.engine.events import ProgressEvents, report_progress, tell
from tmdb_collector.engine.run_progress import RunProgress
from tmdb_collector.engine.signals import on_stop_signals
from tmdb_collector.engine.update import UpdateOutcome, run_update
from tmdb_collector.errors import EXIT_PAUSED
from tmdb_collector.fetch.client import TMDBClient
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store


async def run_collection(
    store: Store,
    plan: Plan,
    settings: ClientSettings,
    credentials: Credentials,
    *,
    show_bars: bool,
    progress: RunProgress | None = None,
    handle_signals: bool = True,
    harvest_only: bool = False,
    events: ProgressEvents | None = None,
) -> RunOutcome:
    async with TMDBClient(settings, credentials) as client:
        collector = Collector(
            store,
            client,
            plan,
            concurrency=settings.concurrency,
            progress=progress,
            harvest_only=harvest_only,
        )
        with _pause_on_signals(collector.request_stop, enabled=handle_signals, events=events):
            async with _view(collector.progress, show_bars, events):
                return await collector.run()


async def run_update_with_progress(
    store: Store,
    settings: ClientSettings,
    credentials: Credentials,
    *,
    max_age_days: int | None,
    show_bars: bool,
    events: ProgressEvents | None = None,
    since: dt.date | None = None,
    ids_from: str | None = None,
    progress: RunProgress | None = None,
    handle_signals: bool = True,
    refresh_parts: Sequence[str] = (),
) -> UpdateOutcome:
    progress, stop = progress or RunProgress(store.media_type), asyncio.Event()
    async with TMDBClient(settings, credentials) as client:
        with _pause_on_signals(stop.set, enabled=handle_signals, events=events):
            async with _view(progress, show_bars, events):
                return await run_update(
                    store,
                    client,
                    concurrency=settings.concurrency,
                    max_age_days=max_age_days,
                    since=since,
                    ids_from=ids_from,
                    progress=progress,
                    stop=stop,
                    refresh_parts=refresh_parts,
                )


def _view(
    progress: RunProgress, show_bars: bool, events: ProgressEvents | None
) -> contextlib.AbstractAsyncContextManager[None]:
    """JSON events when asked for, else bars (on a terminal) or nothing."""
    if events is not None:
        return report_progress(progress, events)
    return show_progress(progress, enabled=show_bars)


@contextlib.contextmanager
def _pause_on_signals(
    pause: Callable[[], None], *, enabled: bool, events: ProgressEvents | None = None
) -> Iterator[None]:
    """First Ctrl-C / SIGTERM pauses cleanly; a second one exits at once.

    Exiting at once is safe: every commit is a complete SQLite transaction, so the store is
    consistent whatever moment the process dies.
    """
    if not enabled:
        yield
        return
    received = 0

    def on_signal() -> None:
        nonlocal received
        received += 1
        if received == 1:
            tell(
                events,
                "\nPausing: letting requests in flight finish (Ctrl-C again to quit at once)...",
            )
            pause()
        else:
            tell(events, "\nStopped. Run the same command to resume.")
            if events is not None:
                events.finish(EXIT_PAUSED)
            os._exit(EXIT_PAUSED)

    with on_stop_signals(on_signal):
        yield
