"""Loading TMDB's daily ID export into the store, without blocking the event loop.

The download streams with aiohttp; the file is read in a thread and committed in batches, so
Pause, Ctrl-C and the dashboard keep answering while a million ids load. A paused load starts
over next time (inserts are idempotent) because ``ids_loaded`` is written with the last batch
only. A download that meets an outage waits for TMDB like every request does.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from tmdb_collector.engine.run_progress import RunProgress
from tmdb_collector.errors import NetworkError, UsageError
from tmdb_collector.fetch.breaker import CircuitBreaker
from tmdb_collector.fetch.download import existing_file, is_url, local_copy, url_file_name
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.plan.id_catalogue import (
    check_name,
    iter_catalogue,
    iter_catalogue_ids,
    take,
)
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store import meta_keys
from tmdb_collector.store.database import database_files, stored_plan
from tmdb_collector.store.store import Store

log = logging.getLogger(__name__)
LOAD_BATCH = 5000  # daily-export ids per transaction; the loop runs between batches


@dataclass(frozen=True)
class UncheckedDownload:
    """A new collection whose daily export is a URL, checked only once downloaded (the
    download waits out outages, inside the run): :meth:`remove` removes what this command made
    of ``db`` when the run refused the download, so a wrong URL leaves nothing behind."""

    db: Path
    was_empty_file: bool  # an empty file is no collection; it is left empty again

    @staticmethod
    def refusal(error: BaseException | None, store: Store) -> UsageError | None:
        """``error``, when the run (``collect``'s, or the dashboard's last) ended refusing
        the download: a usage error while the ids are not loaded (nothing was fetched before
        them). ``db`` is then removed with :meth:`remove` once ``store`` is closed."""
        unloaded = store.meta(meta_keys.IDS_LOADED) is None
        return error if isinstance(error, UsageError) and unloaded else None

    def remove(self) -> None:
        main, *journals = database_files(self.db)
        for journal in journals:
            journal.unlink(missing_ok=True)
        if self.was_empty_file:
            main.write_bytes(b"")
        else:
            main.unlink(missing_ok=True)


def check_new_source(db: Path, plan: Plan) -> UncheckedDownload | None:
    """Before ``db`` is created for a plan whose ids come from a daily export, so that a wrong
    ``--ids-from`` leaves no collection behind: a file must exist and be the plan's media's
    daily export; a URL's file name must not be another media's export, and its content is
    checked once the run downloads it (the download waits out outages): the result then says
    how to remove the new collection if that check refuses it."""
    source = plan.ids_from
    if source is None or stored_plan(db) is not None:
        return None  # an existing collection (an empty file is none)
    if is_url(source):
        check_name(url_file_name(source), plan.media_type, source)
        return UncheckedDownload(db, was_empty_file=db.is_file())
    path = existing_file(source)
    next(iter_catalogue(path, plan, source), None)  # reads up to the first entry, checking it
    return None


async def load_catalogue_ids(
    store: Store,
    plan: Plan,
    progress: RunProgress,
    stop: asyncio.Event,
    breaker: CircuitBreaker,
    network: ClientSettings,
) -> None:
    """With ``plan.ids_from``, queue the daily ID export's ids (once: a no-op once loaded)."""
    source = plan.ids_from
    if source is None or store.meta(meta_keys.IDS_LOADED) == source:
        return
    log.info("loading ids from %s", source)
    progress.message = "Loading ids from the daily export…"

    async def wait_out_outage(exc: NetworkError) -> bool:
        """Hold the download like a request in an outage; True: try it again."""
        breaker.trip(exc.reason)
        back = asyncio.ensure_future(breaker.wait_closed())
        stopped = asyncio.ensure_future(stop.wait())
        await asyncio.wait({back, stopped}, return_when=asyncio.FIRST_COMPLETED)
        for waiter in (back, stopped):
            waiter.cancel()
        if back.done() and not back.cancelled():
            back.result()  # raises when the outage outlasted --give-up-after
        return not stop.is_set()

    try:
        async with local_copy(source, retry=wait_out_outage, network=network) as path:
            added = await _load_batches(store, plan, progress, stop, path, source)
    except NetworkError:
        if not stop.is_set():
            raise
        return  # paused while the download waited for the network
    log.info("%d ids queued from the daily export", added)


async def _load_batches(
    store: Store, plan: Plan, progress: RunProgress, stop: asyncio.Event, path: Path, source: str
) -> int:
    added = read = 0
    entries = iter_catalogue_ids(path, plan, source)
    while not stop.is_set():
        batch = await asyncio.to_thread(take, entries, LOAD_BATCH)
        last = len(batch) < LOAD_BATCH
        added += store.add_catalogue_ids(batch, source, complete=last)
        read += len(batch)
        progress.message = f"Loading ids from the daily export: {read:,} read"
        if last:
            break
    return added
