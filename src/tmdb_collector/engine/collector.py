"""The collection engine: the seed's three stages, run concurrently under one rate limiter.

Harvest pages (stages 1-2) and item details (stage 3) share one priority queue, harvest
first, so stage 3 starts on the first ids while stages 1-2 are still paging. Each finished unit
is committed with its checkpoint at once; re-running resumes from the store.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
import sqlite3
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from tmdb_collector.engine.harvest import HarvestPlanner, PageTask, parse_list
from tmdb_collector.engine.id_loading import load_catalogue_ids
from tmdb_collector.engine.linked import queue_linked
from tmdb_collector.engine.run_progress import RunProgress
from tmdb_collector.errors import (
    AuthError,
    CollectorError,
    NotFoundError,
    StoreError,
    TMDBError,
    UnexpectedError,
)
from tmdb_collector.export.manifest import collected_from, shareable_base_url
from tmdb_collector.fetch.client import TMDBClient
from tmdb_collector.media import MediaType, media_type
from tmdb_collector.plan.plan import Plan
from tmdb_collector.plan.stages import DETAILS_STAGE
from tmdb_collector.store import meta_keys
from tmdb_collector.store.harvest_progress import harvest_progress
from tmdb_collector.store.store import Store, database_error

log = logging.getLogger(__name__)
HARVEST_PRIORITY, ITEM_PRIORITY = 0, 1
STOP_GRACE_SECONDS = 3.0
FEED_BATCH = 1000  # pending ids read from the store at a time
QUEUED_ITEMS_PER_WORKER = 8  # bounds memory: ids wait in the store, not in the queue
# A unit whose retries are all spent on transient errors goes to the back of the queue and gets
# this many rounds in all before it is recorded as failed. At 20% faults, one round of 6
# attempts gives up on 1 unit in 15,000 (a third of the seed plan's runs); two rounds, spread in
# time, on 1 in 240 million.
TRANSIENT_ROUNDS = 2


@dataclass(frozen=True)
class ItemTask:
    item_id: int


@dataclass(frozen=True)
class LinkedTask:
    """One entity a title links to (the linked stage, after stage 3)."""

    entity: str  # its media type's name
    item_id: int


Task = PageTask | ItemTask | LinkedTask


@dataclass(frozen=True)
class RunOutcome:
    status: Literal["complete", "paused", "failed", "nothing-to-do"]
    collected: int  # items collected, of whatever media type
    not_found: int
    failed: int
    requests: int
    throttled: int
    elapsed: float
    failed_pages: int = 0
    error: CollectorError | None = None
    # Linked entities this run fetched, failed or found gone, by entity type ("person": 120).
    linked: Mapping[str, int] = field(default_factory=dict)

    @property
    def movies(self) -> int:
        """:attr:`collected` by its first name (the Python API's readers kept working)."""
        return self.collected


def trust_earlier_answers(store: Store, client: TMDBClient) -> None:
    """TMDB answered this collection at the client's URL before: an outage the first request
    meets is waited out, as later ones are (``TMDBClient.answered``)."""
    client.answered = client.answered or collected_from(store, client.base_url)


class Collector:
    """Runs one collection into ``store``. Create one per run."""

    def __init__(
        self,
        store: Store,
        client: TMDBClient,
        plan: Plan,
        *,
        concurrency: int,
        progress: RunProgress | None = None,
        stop: asyncio.Event | None = None,
        harvest_only: bool = False,
        refresh_parts: tuple[str, ...] = (),
    ) -> None:
        self._store = store
        self._refresh = refresh_parts  # update --refresh-parts: these parts alone
        self._harvest_only = harvest_only
        self._client = client
        self._plan = plan
        self._concurrency = concurrency
        self.progress = progress or RunProgress(plan.media_type)
        self._queue: asyncio.PriorityQueue[tuple[int, int, Task]] = asyncio.PriorityQueue()
        self._order = itertools.count()
        self._stop = stop or asyncio.Event()
        self._fatal: CollectorError | None = None
        self._harvest = HarvestPlanner(store, self.progress)
        self._harvest_outstanding = 0  # page tasks queued or running
        self._new_ids = asyncio.Event()  # wakes the item feeder
        self._item_room = asyncio.Semaphore(QUEUED_ITEMS_PER_WORKER * concurrency)
        self._rounds: Counter[tuple[str, int] | int] = Counter()  # unit -> rounds spent
        self._linked = tuple(entity.media.name for entity in plan.linked_entities)
        if self._linked:
            self.progress.add_linked(entity.media for entity in plan.linked_entities)
        # (one unit, several, reason) -> units failed: "harvest page", "series", ...
        self._failures: Counter[tuple[str, str, str]] = Counter()
        self._performing: set[asyncio.Task[Any] | None] = set()  # workers inside a unit

    def request_stop(self) -> None:
        """Pause: stop taking work; what is committed stays committed."""
        if self.progress.state == "running":
            self.progress.state = "pausing"
        self._stop.set()

    async def run(self, started: float | None = None) -> RunOutcome:
        """Run until done, paused or failed. Never raises for a failure it can describe: the
        outcome carries it, and any other exception becomes an :class:`UnexpectedError`.
        ``started`` (``time.monotonic()``) is when the run's requests began, if before this
        (``update`` reads the changes feed first): the outcome's elapsed time counts from it."""
        started = time.monotonic() if started is None else started
        self.progress.start()
        log.info(
            "run started: %s from %s into %s",
            self._plan.media_type.plural,
            shareable_base_url(self._client.base_url),
            self._store.path,
        )
        self._client.resume()
        breaker = self._client.breaker
        breaker.rearm()
        breaker.listen(self.progress.set_outage)
        try:
            status = await self._run()
        except Exception as exc:
            self._fail(exc, "while running the collection")
        else:
            if self._fatal is None:
                state = "complete" if status == "nothing-to-do" else status
                self.progress.finish(state, _FINAL_MESSAGES[status])
                return self._outcome(status, started)
        finally:
            breaker.unlisten(self.progress.set_outage)
            self.progress.outage = None
            self._sync_client_stats()  # a run that failed before its workers counts too
            self._report_failures()
        assert self._fatal is not None
        self.progress.finish("failed", str(self._fatal))
        return self._outcome("failed", started, self._fatal)

    def _report_failures(self) -> None:
        """One warning per distinct reason, with a count: per-unit lines are for -v."""
        for (one, several, reason), count in sorted(self._failures.items()):
            log.warning("%d %s failed: %s", count, several if count > 1 else one, reason)

    def _record_failure(self, task: Task, exc: TMDBError) -> None:
        if isinstance(task, PageTask):
            one, several = "harvest page", "harvest pages"
        else:
            media = self._media_of(task)
            one, several = media.word, media.plural
        self._failures[(one, several, _reason(exc))] += 1

    async def _run(self) -> Literal["complete", "paused", "nothing-to-do"]:
        for query in self._plan.harvest_queries():
            self._store.add_query(query)
        grown = self._store.requeue_lacking(self._plan.parts)
        if grown:
            log.info("%d collected items lack a chosen part; fetching them again", grown)
        client = self._client
        await load_catalogue_ids(
            self._store, self._plan, self.progress, self._stop, client.breaker, client.settings
        )
        if self._stop.is_set():
            return "paused"
        for task in self._harvest.initial_tasks():
            self._put(HARVEST_PRIORITY, task)
        if self._linked and not self._harvest_only:
            queue_linked(self._store, self._plan)
        items_left = not self._harvest_only and (
            self._store.ids_with_status("pending", limit=1) or self._linked_left()
        )
        if self._queue.empty() and not items_left:
            self._sync_counts()
            return "nothing-to-do"
        # One request alone first: a bad key costs one 401, not a burst of them.
        media, language = self._plan.media_type, self._plan.language
        trust_earlier_answers(self._store, client)
        first = await self._client.get_json(media.probe_path, {"language": language})
        # Exports name the API a collection came from (export/manifest.py).
        self._store.set_meta(meta_keys.BASE_URL, shareable_base_url(self._client.base_url))
        if self._store.meta(meta_keys.LAST_SYNC) is None:
            # Changes from the day the collection started on are caught by `update`.
            when = first.server_time or dt.datetime.now(dt.UTC)
            self._store.set_meta(meta_keys.LAST_SYNC, when.date().isoformat())
        await self._drain()
        self._sync_counts()
        # A pause asked for as the last requests finished leaves nothing to resume.
        return "paused" if self._stop.is_set() and self._work_left() else "complete"

    def _work_left(self) -> bool:
        """Whether the store has list pages or items left to fetch (as ``status`` sees it)."""
        if harvest_progress(self._store).harvesting:
            return True
        return not self._harvest_only and bool(
            self._store.ids_with_status("pending", limit=1) or self._linked_left()
        )

    def _linked_left(self) -> bool:
        return bool(self._linked and self._store.linked_pending(self._linked, 1))

    def _fail(self, exc: BaseException, where: str) -> None:
        """Record the first fatal error and stop every worker; later ones add nothing."""
        if isinstance(exc, sqlite3.Error):
            error: CollectorError = database_error(self._store.path, exc)
        elif isinstance(exc, CollectorError):
            error = exc
        else:
            log.info("unexpected error %s", where, exc_info=exc)
            error = UnexpectedError(where, exc)
        if self._fatal is None:
            self._fatal = error
        self._stop.set()

    # ---- scheduling -------------------------------------------------------------------------

    def _put(self, priority: int, task: Task) -> None:
        if isinstance(task, PageTask):
            self._harvest_outstanding += 1
        self._queue.put_nowait((priority, next(self._order), task))

    async def _feed_items(self) -> None:
        """Queue pending ids in store order, a bounded number at a time, until none can come."""
        cursor = 0
        while not self._harvest_only:
            self._new_ids.clear()
            batch = self._store.pending_after(cursor, FEED_BATCH)
            for seen_order, item_id in batch:
                await self._item_room.acquire()
                self._put(ITEM_PRIORITY, ItemTask(item_id))
                cursor = seen_order
            if batch:
                continue
            if self._harvest_outstanding == 0:
                return
            await self._new_ids.wait()

    async def _feed_linked(self) -> None:
        """The linked stage: queue the entities the held titles name, then every pending one,
        a bounded number at a time."""
        queue_linked(self._store, self._plan)
        self._sync_counts()
        # Each batch is done (saved, failed or not found) before the next is read: a deferred
        # entity goes back in the queue itself, so none is pending twice.
        while batch := self._store.linked_pending(self._linked, FEED_BATCH):
            for entity, item_id in batch:
                await self._item_room.acquire()
                self._put(ITEM_PRIORITY, LinkedTask(entity, item_id))
            await self._queue.join()

    def _sync_counts(self) -> None:
        counts = self._store.counts()
        self.progress.set_item_counts(
            ids=counts.ids, done=counts.done, not_found=counts.not_found, failed=counts.failed
        )
        if self._linked:
            self.progress.set_linked_counts(self._store.linked_counts())
        self._sync_client_stats()

    def _sync_client_stats(self) -> None:
        stats = self._client.stats
        self.progress.record_requests(stats.requests)
        self.progress.throttled = stats.throttled
        self.progress.errors = sum(stats.errors.values()) - stats.errors["NotFoundError"]

    # ---- running ----------------------------------------------------------------------------

    async def _drain(self) -> None:
        self._sync_counts()
        workers = [asyncio.create_task(self._worker()) for _ in range(self._concurrency)]
        finished = asyncio.create_task(self._all_done())
        stopped = asyncio.create_task(self._stop.wait())
        await asyncio.wait({finished, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if self._stop.is_set():
            # Requests the rate limiter still holds are not sent; those already on the wire
            # land (they are committed as they do), briefly.
            self._client.hold()
            busy = [worker for worker in workers if worker in self._performing]
            if busy:  # the idle ones, waiting for work, are cancelled below
                await asyncio.wait(busy, timeout=STOP_GRACE_SECONDS)
        for task in (*workers, finished, stopped):
            task.cancel()
        await asyncio.gather(*workers, finished, stopped, return_exceptions=True)
        self._client.resume()  # for whatever uses the client next

    async def _all_done(self) -> None:
        try:
            await self._feed_items()
        except Exception as exc:
            self._fail(exc, "while queueing pending ids")
            return
        await self._queue.join()
        if not self._linked or self._harvest_only or self._stop.is_set():
            return
        try:
            await self._feed_linked()
        except Exception as exc:
            self._fail(exc, "while queueing linked entities")

    async def _worker(self) -> None:
        me = asyncio.current_task()
        while not self._stop.is_set():
            _, _, task = await self._queue.get()
            deferred = False
            try:
                if not self._stop.is_set():
                    self._performing.add(me)
                    deferred = await self._perform(task)
            except Exception as exc:  # anything a unit cannot absorb stops the whole run
                self._fail(exc, f"while fetching {self._describe(task)}")
            finally:
                self._performing.discard(me)
                if isinstance(task, PageTask):
                    self._harvest_outstanding -= 1
                    self._new_ids.set()
                elif not deferred:  # a deferred item keeps its room in the queue
                    self._item_room.release()
                self._queue.task_done()
                self._sync_client_stats()

    async def _perform(self, task: Task) -> bool:
        """Run one unit; True when it was deferred to a later round."""
        if isinstance(task, PageTask):
            return await self._harvest_page(task)
        if isinstance(task, LinkedTask):
            return await self._collect_linked(task)
        return await self._collect_item(task)

    def _defer(self, task: Task, exc: TMDBError) -> bool:
        """Queue a unit whose retries are spent again, at the back, if it has rounds left."""
        key = _unit(task)
        self._rounds[key] += 1
        if not exc.retryable or self._rounds[key] >= TRANSIENT_ROUNDS:
            return False
        log.info("retries spent, trying again later in this run: %s", exc)
        self._put(HARVEST_PRIORITY if isinstance(task, PageTask) else ITEM_PRIORITY, task)
        return True

    def _defer_or_fail(self, task: Task, exc: TMDBError) -> bool:
        """A unit whose retries are spent: True when it is deferred to a later round, else it
        is logged and recorded as failed (its handler marks it failed in the store)."""
        if self._defer(task, exc):
            return True
        log.info("%s failed: %s", self._describe(task), exc)
        self._record_failure(task, exc)
        return False

    async def _harvest_page(self, task: PageTask) -> bool:
        query, page = task.query, task.page
        params = {**query.params, "page": str(page)}
        try:
            listing = await self._client.get(
                query.path, params, lambda r: parse_list(r, query.keep_language)
            )
        except (AuthError, StoreError):
            raise
        except TMDBError as exc:
            if self._defer_or_fail(task, exc):
                return True
            self._store.fail_page(query, page, str(exc))
            return False
        new_ids = self._store.save_page(
            query, page, listing.ids, listing.total_pages, listing.total_results, listing.listed
        )
        for more in self._harvest.page_saved(task, listing, len(new_ids)):
            self._put(HARVEST_PRIORITY, more)
        return False

    async def _collect_item(self, task: ItemTask) -> bool:
        item_id = task.item_id
        details = self.progress.stages[DETAILS_STAGE]
        plan = self._plan
        partial = bool(self._refresh) and self._store.holds(item_id)
        try:
            if partial:
                record = await self._client.fetch_parts(
                    plan.media_type, item_id, plan.details_params(), self._refresh
                )
            else:
                record = await self._client.fetch_item(
                    plan.media_type, item_id, plan.details_params(), plan.parts
                )
        except NotFoundError as exc:
            self._store.mark(item_id, "not_found", exc.reason)
            self.progress.not_found += 1
        except (AuthError, StoreError):
            raise
        except TMDBError as exc:
            if self._defer_or_fail(task, exc):
                return True
            self._store.mark(item_id, "failed", str(exc))
            self.progress.failed += 1
        else:
            if partial:
                self._store.save_item(record, partial=True)
            else:
                self._store.save_item(record)
            self.progress.collected += 1
        details.done += 1
        return False

    async def _collect_linked(self, task: LinkedTask) -> bool:
        """One linked entity, with its parts appended: one request."""
        entity, item_id = task.entity, task.item_id
        parts = next(e.parts for e in self._plan.linked_entities if e.media.name == entity)
        try:
            record = await self._client.fetch_item(
                media_type(entity), item_id, {"language": self._plan.language}, parts
            )
        except NotFoundError as exc:
            self._store.mark_linked(entity, item_id, "not_found", exc.reason)
        except (AuthError, StoreError):
            raise
        except TMDBError as exc:
            if self._defer_or_fail(task, exc):
                return True
            self._store.mark_linked(entity, item_id, "failed", str(exc))
        else:
            self._store.save_linked(entity, record)
        self.progress.linked_done(entity)
        return False

    def _media_of(self, task: ItemTask | LinkedTask) -> MediaType:
        return media_type(task.entity) if isinstance(task, LinkedTask) else self._plan.media_type

    def _describe(self, task: Task) -> str:
        """A unit in a message, in the media type's own word: "page 3 of ...", "series 1399"."""
        if isinstance(task, PageTask):
            return f"page {task.page} of {task.query.key}"
        return f"{self._media_of(task).word} {task.item_id}"

    def _outcome(
        self, status: Any, started: float, error: CollectorError | None = None
    ) -> RunOutcome:
        stats = self._client.stats
        try:
            counts = self._store.counts()
            done, not_found, failed, pages = (
                counts.done,
                counts.not_found,
                counts.failed,
                counts.pages_failed,
            )
        except sqlite3.Error:  # a damaged store: report what this run saw
            progress = self.progress
            done, not_found, failed, pages = (
                progress.collected,
                progress.not_found,
                progress.failed,
                0,
            )
        outcome = RunOutcome(
            status=status,
            collected=done,
            not_found=not_found,
            failed=failed,
            requests=stats.requests,
            throttled=stats.throttled,
            elapsed=time.monotonic() - started,
            failed_pages=pages,
            error=error,
            linked={name: s.done for name, s in self.progress.linked.items() if s.done},
        )
        log.info(
            "run ended (%s): %d %s collected, %d not found, %d failed, %d pages failed;"
            " %d requests in %.1f s, %d rate-limited%s",
            status,
            done,
            self._plan.media_type.plural,
            not_found,
            failed,
            pages,
            stats.requests,
            outcome.elapsed,
            stats.throttled,
            f"; error: {error}" if error is not None else "",
        )
        return outcome


_FINAL_MESSAGES = {
    "complete": "Collection complete!",
    "paused": "Paused. Run the same command again to resume.",
    "nothing-to-do": "Nothing to do: the collection is complete.",
}


def _unit(task: Task) -> tuple[str, int] | int:
    """A unit's key among the rounds spent."""
    if isinstance(task, PageTask):
        return (task.query.key, task.page)
    if isinstance(task, LinkedTask):
        return (task.entity, task.item_id)
    return task.item_id


def _reason(exc: TMDBError) -> str:
    """The error without its path, so that the same failure of many units reads the same."""
    return str(TMDBError(exc.reason, status=exc.status, tmdb_code=exc.tmdb_code))
