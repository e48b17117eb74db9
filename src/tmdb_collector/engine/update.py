"""Incremental refresh: refetch only the collected items TMDB reports as changed.

The media type's changes list (``/movie/changes``, ``/tv/changes``) gives the ids changed in a
date window of at most 14 days. We walk every window from the last sync to today (by the
server's clock, from its ``Date`` header), read every page, and requeue the collected items
among them, plus, with ``max_age_days``, those fetched longer ago than that. The last sync day
is read again on purpose: a change made that day after an item was fetched would otherwise be
missed. ``since`` reads a longer window on
demand. The feed has blind spots (edits to titles and translations alone are reported missing
from it, and it never lists new or deleted ids); ``ids_from`` covers the last two through the
daily export (:mod:`.catalogue_sync`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from tmdb_collector.engine.catalogue_sync import sync_with_catalogue
from tmdb_collector.engine.collector import Collector, RunOutcome, trust_earlier_answers
from tmdb_collector.engine.run_progress import RunProgress
from tmdb_collector.errors import BadResponseError, UsageError
from tmdb_collector.fetch.client import JsonResponse, TMDBClient
from tmdb_collector.media.base import CONFIGURATION_PATH, MAX_PAGE
from tmdb_collector.store import meta_keys
from tmdb_collector.store.catalogue import CatalogueSync
from tmdb_collector.store.store import Store

log = logging.getLogger(__name__)
MAX_WINDOW_DAYS = 14


@dataclass(frozen=True)
class UpdateOutcome:
    since: dt.date
    until: dt.date
    changed: int  # ids TMDB reported changed in the windows (whole catalogue)
    refreshed: int  # collected items queued for refetch
    stale: int  # of those, queued because older than max_age_days
    run: RunOutcome
    catalogue: CatalogueSync | None = None  # with ids_from: what the daily export added, removed
    linked: int = 0  # held linked entities queued for refetch (changed, or with max_age stale)


def windows(since: dt.date, until: dt.date) -> Iterator[tuple[dt.date, dt.date]]:
    """Consecutive date windows of at most 14 days covering ``since``..``until``."""
    start = since
    while start <= until:
        end = min(start + dt.timedelta(days=MAX_WINDOW_DAYS - 1), until)
        yield start, end
        start = end + dt.timedelta(days=1)


async def changed_ids(client: TMDBClient, since: dt.date, until: dt.date, path: str) -> set[int]:
    """Ids ``path`` (the media type's changes list) reports changed in ``since``..``until``."""
    ids: set[int] = set()
    for start, end in windows(since, until):
        ids |= await _window_ids(client, path, start, end)
    return ids


async def _window_ids(client: TMDBClient, path: str, start: dt.date, end: dt.date) -> set[int]:
    async def page(number: int) -> tuple[list[int], int]:
        params = {"start_date": start.isoformat(), "end_date": end.isoformat()}
        params["page"] = str(number)
        return await client.get(path, params, _parse_changes)

    first_ids, total_pages = await page(1)
    if total_pages > MAX_PAGE and start < end:
        # Too many changes for one window to page through: halve it.
        middle = start + (end - start) // 2
        left = await _window_ids(client, path, start, middle)
        return left | await _window_ids(client, path, middle + dt.timedelta(days=1), end)
    rest = await asyncio.gather(*(page(n) for n in range(2, min(total_pages, MAX_PAGE) + 1)))
    ids = set(first_ids)
    for more, _ in rest:
        ids.update(more)
    return ids


def _parse_changes(response: JsonResponse) -> tuple[list[int], int]:
    results, total_pages = response.body.get("results"), response.body.get("total_pages")
    if not isinstance(results, list) or not isinstance(total_pages, int):
        raise BadResponseError("a changes page lacks results or total_pages")
    ids = [
        item["id"] for item in results if isinstance(item, dict) and isinstance(item.get("id"), int)
    ]
    return ids, total_pages


def stale_ids(store: Store, today: dt.date, max_age_days: int) -> set[int]:
    cutoff = today - dt.timedelta(days=max_age_days)
    stale = set()
    for item_id, fetched_at in store.fetched_at():
        if fetched_at is None or dt.datetime.fromisoformat(fetched_at).date() < cutoff:
            stale.add(item_id)
    return stale


async def run_update(
    store: Store,
    client: TMDBClient,
    *,
    concurrency: int,
    max_age_days: int | None = None,
    since: dt.date | None = None,
    ids_from: str | None = None,
    progress: RunProgress | None = None,
    stop: asyncio.Event | None = None,
    refresh_parts: Sequence[str] = (),
) -> UpdateOutcome:
    """Refetch what changed since the last sync (or since ``since``); with ``ids_from``, first
    follow that daily export (new ids queued, vanished ones marked removed). With
    ``refresh_parts``, refetch those parts of every held item instead of reading the feed."""
    plan = store.plan()
    if refresh_parts:
        return await _refresh_parts(store, client, refresh_parts, concurrency, progress, stop)
    trust_earlier_answers(store, client)
    probe = await client.get_json(CONFIGURATION_PATH)
    today = (probe.server_time or dt.datetime.now(dt.UTC)).date()
    if since is None:
        last_sync = store.meta(meta_keys.LAST_SYNC)
        since = dt.date.fromisoformat(last_sync) if last_sync else today
    elif since > today:
        raise UsageError(f"--since {since} is after TMDB's today ({today})")
    catalogue = None
    if ids_from is not None:
        catalogue = await sync_with_catalogue(store, ids_from, client.settings)
    started = time.monotonic()  # the summary's time and rate cover the feed's requests too
    media = store.media_type
    changed = (
        await changed_ids(client, since, today, media.changes_path) if media.changes else set()
    )
    collected = set(store.ids_with_status("done", "failed"))
    refresh = changed & collected
    stale = set()
    if max_age_days is not None:
        stale = (stale_ids(store, today, max_age_days) & collected) - refresh
    store.requeue(sorted(refresh | stale))
    linked = await _refresh_linked(store, client, since, today, max_age_days)
    log.info(
        "%d ids changed %s..%s; refetching %d collected %s (%d stale)",
        len(changed),
        since,
        today,
        len(refresh | stale),
        store.media_type.plural,
        len(stale),
    )
    collector = Collector(
        store, client, plan, concurrency=concurrency, progress=progress, stop=stop
    )
    outcome = await collector.run(started)
    if outcome.status in ("complete", "nothing-to-do"):
        store.set_meta(meta_keys.LAST_SYNC, today.isoformat())
    refreshed = len(refresh | stale)
    return UpdateOutcome(
        since, today, len(changed), refreshed, len(stale), outcome, catalogue, linked
    )


async def _refresh_parts(
    store: Store,
    client: TMDBClient,
    parts: Sequence[str],
    concurrency: int,
    progress: RunProgress | None,
    stop: asyncio.Event | None,
) -> UpdateOutcome:
    """``update --refresh-parts``: every held item queued once for ``parts`` (one request
    each), the list kept in the store until the run completes, so a run stopped part way is
    resumed by the same command rather than started again."""
    plan = store.plan()
    unknown = [part for part in parts if part not in plan.parts]
    if unknown:
        held = ", ".join(plan.parts) or "none"
        raise UsageError(
            f"--refresh-parts {','.join(unknown)}: not a part this collection holds ({held})"
        )
    wanted = ",".join(parts)
    queued = store.start_refresh(wanted)
    started = time.monotonic()
    collector = Collector(
        store,
        client,
        plan,
        concurrency=concurrency,
        progress=progress,
        stop=stop,
        refresh_parts=tuple(parts),
    )
    outcome = await collector.run(started)
    if outcome.status in ("complete", "nothing-to-do"):
        store.end_refresh()
    today = dt.datetime.now(dt.UTC).date()  # the outcome's window: no feed was read
    return UpdateOutcome(today, today, 0, queued, 0, outcome)


async def _refresh_linked(
    store: Store, client: TMDBClient, since: dt.date, today: dt.date, max_age_days: int | None
) -> int:
    """Queue again the held linked entities the plan fetches that changed (their type's
    changes feed: people) or, with ``max_age_days``, are older than that (collections,
    companies and networks have no feed); returns how many. People newly credited in the
    refetched titles are queued by the linked stage itself."""
    queued = 0
    cutoff = None if max_age_days is None else (today - dt.timedelta(days=max_age_days)).isoformat()
    for linked in store.plan().linked_entities:
        media = linked.media
        held = set(store.linked_held(media.name))
        again = set()
        if media.changes and held:
            again = await changed_ids(client, since, today, media.changes_path) & held
        if cutoff is not None:
            again.update(store.linked_fetched_before(media.name, cutoff))
        queued += store.requeue_linked(media.name, sorted(again))
        log.info("refetching %d held %s", len(again), media.plural)
    return queued
