"""The collection engine: the seed's three stages, run concurrently under one rate limiter.

Harvest pages (stages 1-2) and movie details (stage 3) share one priority queue, harvest
first, so stage 3 starts on the first ids while stages 1-2 are still paging. Each finished unit
is committed with its checkpoint at once; re-running resumes from the store.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

from tmdb_collector.engine.progress import RunProgress
from tmdb_collector.errors import (
    AuthError,
    BadResponseError,
    CollectorError,
    NotFoundError,
    StoreError,
    TMDBError,
)
from tmdb_collector.fetch.client import JsonResponse, TMDBClient
from tmdb_collector.plan.id_source import iter_export_ids, local_copy
from tmdb_collector.plan.plan import MAX_PAGE, HarvestQuery, Plan
from tmdb_collector.store.store import Store

log = logging.getLogger(__name__)
HARVEST_PRIORITY, MOVIE_PRIORITY = 0, 1
STOP_GRACE_SECONDS = 3.0
FEED_BATCH = 1000  # pending ids read from the store at a time
QUEUED_MOVIES_PER_WORKER = 8  # bounds memory: ids wait in the store, not in the queue
# A unit whose retries are all spent on transient errors goes to the back of the queue and gets
# this many rounds in all before it is recorded as failed. At 20% faults, one round of 6
# attempts gives up on 1 unit in 15,000 (a third of the seed plan's runs); two rounds, spread in
# time, on 1 in 240 million.
TRANSIENT_ROUNDS = 2


@dataclass(frozen=True)
class PageTask:
    query: HarvestQuery
    page: int


@dataclass(frozen=True)
class MovieTask:
    movie_id: int


Task = PageTask | MovieTask


@dataclass(frozen=True)
class ListPage:
    ids: list[int]
    total_pages: int
    total_results: int


@dataclass(frozen=True)
class RunOutcome:
    status: Literal["complete", "paused", "failed", "nothing-to-do"]
    movies: int
    not_found: int
    failed: int
    requests: int
    throttled: int
    elapsed: float
    failed_pages: int = 0
    error: CollectorError | None = None


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
    ) -> None:
        self._store = store
        self._harvest_only = harvest_only
        self._client = client
        self._plan = plan
        self._concurrency = concurrency
        self.progress = progress or RunProgress()
        self._queue: asyncio.PriorityQueue[tuple[int, int, Task]] = asyncio.PriorityQueue()
        self._order = itertools.count()
        self._stop = stop or asyncio.Event()
        self._fatal: CollectorError | None = None
        self._wanted: dict[str, tuple[str, int]] = {}  # query key -> (stage, pages wanted)
        self._done: dict[str, int] = {}  # query key -> pages done
        self._harvest_outstanding = 0  # page tasks queued or running
        self._new_ids = asyncio.Event()  # wakes the movie feeder
        self._movie_room = asyncio.Semaphore(QUEUED_MOVIES_PER_WORKER * concurrency)
        self._rounds: Counter[tuple[str, int] | int] = Counter()  # unit -> rounds spent

    def request_stop(self) -> None:
        """Pause: stop taking work; what is committed stays committed."""
        if self.progress.state == "running":
            self.progress.state = "pausing"
        self._stop.set()

    async def run(self) -> RunOutcome:
        started = time.monotonic()
        self.progress.start()
        for query in self._plan.harvest_queries():
            self._store.add_query(query)
        try:
            self._load_export_ids()
        except CollectorError as exc:
            self.progress.finish("failed", str(exc))
            return self._outcome("failed", started, exc)
        self._schedule_harvest()
        movies_left = not self._harvest_only and self._store.ids_with_status("pending", limit=1)
        if self._queue.empty() and not movies_left:
            self._sync_counts()
            self.progress.finish("complete", "Nothing to do: the collection is complete.")
            return self._outcome("nothing-to-do", started)
        try:
            # One request alone first: a bad key costs one 401, not a burst of them.
            first = await self._client.get_json(
                "/genre/movie/list", {"language": self._plan.language}
            )
            if self._store.meta("last_sync") is None:
                # Changes from the day the collection started on are caught by `update`.
                when = first.server_time or dt.datetime.now(dt.UTC)
                self._store.set_meta("last_sync", when.date().isoformat())
        except CollectorError as exc:
            self.progress.finish("failed", str(exc))
            return self._outcome("failed", started, exc)
        await self._drain()
        self._sync_counts()
        if self._fatal is not None:
            self.progress.finish("failed", str(self._fatal))
            return self._outcome("failed", started, self._fatal)
        if self._stop.is_set():
            self.progress.finish("paused", "Paused. Run the same command again to resume.")
            return self._outcome("paused", started)
        self.progress.finish("complete", "Collection complete!")
        return self._outcome("complete", started)

    # ---- scheduling -------------------------------------------------------------------------

    def _load_export_ids(self) -> None:
        """With ``ids_from``, the daily ID export replaces stages 1-2 (loaded once)."""
        source = self._plan.ids_from
        if source is None or self._store.meta("ids_loaded") == source:
            return
        log.info("loading ids from %s", source)
        with local_copy(source) as path:
            added = self._store.add_export_ids(iter_export_ids(path, self._plan), source)
        log.info("%d ids queued from the daily export", added)

    def _put(self, priority: int, task: Task) -> None:
        if isinstance(task, PageTask):
            self._harvest_outstanding += 1
        self._queue.put_nowait((priority, next(self._order), task))

    def _schedule_harvest(self) -> None:
        for state in self._store.queries():
            key = state.query.key
            done = self._store.pages_done(key)
            self._done[key] = len(done)
            if state.split:
                self._wanted[key] = (state.query.stage, len(done))
                continue
            if state.total_pages is None:
                self._wanted[key] = (state.query.stage, state.pages_wanted())
                self._put(HARVEST_PRIORITY, PageTask(state.query, 1))
                continue
            self._plan_pages(state.query, state.total_pages, done)
        self._update_stage_totals()

    def _plan_pages(self, query: HarvestQuery, total_pages: int, done: set[int]) -> None:
        """Queue the pages still missing, or split a query that has more than 500 pages."""
        wanted = query.wanted_pages(total_pages)
        if wanted > MAX_PAGE:
            children = _split_by_date(query)
            if children:
                self._store.split_query(query.key, children)
                self._wanted[query.key] = (query.stage, len(done))
                for child in children:
                    self._wanted[child.key] = (child.stage, 1)
                    self._done[child.key] = 0
                    self._put(HARVEST_PRIORITY, PageTask(child, 1))
                return
            log.warning(
                "%s has %d pages; TMDB serves only the first %d and the query cannot be split",
                query.key,
                wanted,
                MAX_PAGE,
            )
            wanted = MAX_PAGE
        self._wanted[query.key] = (query.stage, wanted)
        for page in range(1, wanted + 1):
            if page not in done:
                self._put(HARVEST_PRIORITY, PageTask(query, page))

    async def _feed_movies(self) -> None:
        """Queue pending ids in store order, a bounded number at a time, until none can come."""
        cursor = 0
        while not self._harvest_only:
            self._new_ids.clear()
            batch = self._store.pending_after(cursor, FEED_BATCH)
            for seen_order, movie_id in batch:
                await self._movie_room.acquire()
                self._put(MOVIE_PRIORITY, MovieTask(movie_id))
                cursor = seen_order
            if batch:
                continue
            if self._harvest_outstanding == 0:
                return
            await self._new_ids.wait()

    def _update_stage_totals(self) -> None:
        for stage in ("popular", "discover"):
            keys = [k for k, (s, _) in self._wanted.items() if s == stage]
            self.progress.stages[stage].total = sum(self._wanted[k][1] for k in keys)
            self.progress.stages[stage].done = sum(self._done.get(k, 0) for k in keys)

    def _sync_counts(self) -> None:
        counts = self._store.counts()
        self.progress.set_movie_counts(
            ids=counts.ids, done=counts.done, not_found=counts.not_found, failed=counts.failed
        )
        self._sync_client_stats()

    def _sync_client_stats(self) -> None:
        stats = self._client.stats
        self.progress.record_requests(stats.requests)
        self.progress.throttled = stats.throttled
        self.progress.errors = sum(stats.errors.values())

    # ---- running ----------------------------------------------------------------------------

    async def _drain(self) -> None:
        self._sync_counts()
        workers = [asyncio.create_task(self._worker()) for _ in range(self._concurrency)]
        finished = asyncio.create_task(self._all_done())
        stopped = asyncio.create_task(self._stop.wait())
        await asyncio.wait({finished, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if self._stop.is_set():
            # Let requests already on the wire land (they are committed as they do), briefly.
            await asyncio.wait(workers, timeout=STOP_GRACE_SECONDS)
        for task in (*workers, finished, stopped):
            task.cancel()
        await asyncio.gather(*workers, finished, stopped, return_exceptions=True)

    async def _all_done(self) -> None:
        await self._feed_movies()
        await self._queue.join()

    async def _worker(self) -> None:
        while not self._stop.is_set():
            _, _, task = await self._queue.get()
            deferred = False
            try:
                if not self._stop.is_set():
                    deferred = await self._perform(task)
            except (AuthError, StoreError) as exc:
                self._fatal = exc
                self._stop.set()
            finally:
                if isinstance(task, PageTask):
                    self._harvest_outstanding -= 1
                    self._new_ids.set()
                elif not deferred:  # a deferred movie keeps its room in the queue
                    self._movie_room.release()
                self._queue.task_done()
                self._sync_client_stats()

    async def _perform(self, task: Task) -> bool:
        """Run one unit; True when it was deferred to a later round."""
        if isinstance(task, PageTask):
            return await self._harvest(task)
        return await self._collect_movie(task)

    def _defer(self, task: Task, exc: TMDBError) -> bool:
        """Queue a unit whose retries are spent again, at the back, if it has rounds left."""
        key = (task.query.key, task.page) if isinstance(task, PageTask) else task.movie_id
        self._rounds[key] += 1
        if not exc.retryable or self._rounds[key] >= TRANSIENT_ROUNDS:
            return False
        log.info("retries spent, trying again later in this run: %s", exc)
        self._put(HARVEST_PRIORITY if isinstance(task, PageTask) else MOVIE_PRIORITY, task)
        return True

    async def _harvest(self, task: PageTask) -> bool:
        query, page = task.query, task.page
        params = {**query.params, "page": str(page)}
        try:
            listing = await self._client.get(
                query.path, params, lambda r: _parse_list(r, query.keep_language)
            )
        except (AuthError, StoreError):
            raise
        except TMDBError as exc:
            if self._defer(task, exc):
                return True
            log.warning("page %d of %s failed: %s", page, query.key, exc)
            self._store.fail_page(query, page, str(exc))
            return False
        new_ids = self._store.save_page(
            query, page, listing.ids, listing.total_pages, listing.total_results
        )
        self._done[query.key] = self._done.get(query.key, 0) + 1
        self.progress.stages["details"].total += len(new_ids)
        if page == 1:
            self._plan_pages(query, listing.total_pages, {1})
        self._update_stage_totals()
        return False

    async def _collect_movie(self, task: MovieTask) -> bool:
        movie_id = task.movie_id
        details = self.progress.stages["details"]
        try:
            record = await self._client.fetch_movie(movie_id, self._plan.language)
        except NotFoundError as exc:
            self._store.mark(movie_id, "not_found", exc.reason)
            self.progress.not_found += 1
        except (AuthError, StoreError):
            raise
        except TMDBError as exc:
            if self._defer(task, exc):
                return True
            log.warning("movie %d failed: %s", movie_id, exc)
            self._store.mark(movie_id, "failed", str(exc))
            self.progress.failed_movies += 1
        else:
            self._store.save_movie(record)
            self.progress.movies += 1
        details.done += 1
        return False

    def _outcome(
        self, status: Any, started: float, error: CollectorError | None = None
    ) -> RunOutcome:
        counts = self._store.counts()
        stats = self._client.stats
        return RunOutcome(
            status=status,
            movies=counts.done,
            not_found=counts.not_found,
            failed=counts.failed,
            requests=stats.requests,
            throttled=stats.throttled,
            elapsed=time.monotonic() - started,
            failed_pages=counts.pages_failed,
            error=error,
        )


def _parse_list(response: JsonResponse, keep_language: str | None) -> ListPage:
    body = response.body
    results = body.get("results")
    total_pages, total_results = body.get("total_pages"), body.get("total_results")
    if (
        not isinstance(results, list)
        or not isinstance(total_pages, int)
        or not isinstance(total_results, int)
    ):
        raise BadResponseError("a list page lacks results or totals")
    ids: list[int] = []
    for item in results:
        if not isinstance(item, dict) or not isinstance(item.get("id"), int):
            raise BadResponseError("a list result has no integer id")
        if keep_language is None or item.get("original_language") == keep_language:
            ids.append(item["id"])
    return ListPage(ids, total_pages, total_results)


def _split_by_date(query: HarvestQuery) -> list[HarvestQuery]:
    """Halve a query's primary_release_date range; [] when it is a single day or undated."""
    dates = query.date_range()
    if dates is None:
        return []
    start, end = dates
    if start >= end:
        return []
    middle = start + (end - start) // 2
    return [query.with_dates(start, middle), query.with_dates(middle + dt.timedelta(days=1), end)]
