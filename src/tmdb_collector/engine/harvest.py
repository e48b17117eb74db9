"""Harvest planning (stages 1-2): which list pages to fetch, and what a fetched page means.

:class:`HarvestPlanner` turns the store's queries into :class:`PageTask` units, learns each
query's page count from its first page, splits a query that has more than TMDB's 500 pages into
release-date halves, and keeps the per-stage page totals of :class:`RunProgress` current. It does
no I/O of its own beyond the store; the collector runs the tasks it hands out.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from tmdb_collector.engine.run_progress import RunProgress
from tmdb_collector.errors import BadResponseError
from tmdb_collector.fetch.client import JsonResponse
from tmdb_collector.media.base import MAX_PAGE
from tmdb_collector.plan.plan import HarvestQuery
from tmdb_collector.plan.stages import DETAILS_STAGE, HARVEST_STAGES
from tmdb_collector.store.harvest_progress import harvest_progress
from tmdb_collector.store.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageTask:
    query: HarvestQuery
    page: int


@dataclass(frozen=True)
class ListPage:
    ids: list[int]  # the ids kept (the query's language filter)
    total_pages: int
    total_results: int
    listed: list[int]  # every id the page listed


class HarvestPlanner:
    """Pages wanted and done per query, for one run."""

    def __init__(self, store: Store, progress: RunProgress) -> None:
        self._store = store
        self._progress = progress
        self._wanted: dict[str, tuple[str, int]] = {}  # query key -> (stage, pages wanted)
        self._done: dict[str, int] = {}  # query key -> pages done
        self._planned: set[str] = set()  # queries whose pages are all queued in this run

    def initial_tasks(self) -> list[PageTask]:
        """Every page still missing, from the store's checkpoint (page 1 when unknown)."""
        tasks: list[PageTask] = []
        for entry in harvest_progress(self._store).queries:
            state = entry.state
            key = state.query.key
            self._done[key] = entry.done
            self._wanted[key] = (state.query.stage, entry.wanted)
            if state.split:
                continue
            if state.total_pages is None:
                tasks.append(PageTask(state.query, 1))
            else:
                done = self._store.pages_done(key)
                tasks.extend(self._plan_pages(state.query, state.total_pages, done))
        self.update_stage_totals()
        return tasks

    def page_saved(self, task: PageTask, listing: ListPage, new_ids: int) -> list[PageTask]:
        """Record a committed page; page 1 reveals the query's size, so it returns the rest."""
        query = task.query
        self._done[query.key] = self._done.get(query.key, 0) + 1
        self._progress.stages[DETAILS_STAGE].total += new_ids
        first = task.page == 1 and query.key not in self._planned  # a reharvest knows its size
        more = self._plan_pages(query, listing.total_pages, {1}) if first else []
        self.update_stage_totals()
        return more

    def _plan_pages(self, query: HarvestQuery, total_pages: int, done: set[int]) -> list[PageTask]:
        """The pages still missing, or page 1 of each half of a query over 500 pages."""
        wanted = query.wanted_pages(total_pages)
        if wanted > MAX_PAGE:
            children = split_by_date(query)
            if children:
                self._store.split_query(query.key, children)
                self._wanted[query.key] = (query.stage, len(done))
                for child in children:
                    self._wanted[child.key] = (child.stage, 1)
                    self._done[child.key] = 0
                return [PageTask(child, 1) for child in children]
            log.warning(
                "%s has %d pages; TMDB serves only the first %d and the query cannot be split",
                query.key,
                wanted,
                MAX_PAGE,
            )
            wanted = MAX_PAGE
        self._wanted[query.key] = (query.stage, wanted)
        self._planned.add(query.key)
        return [PageTask(query, page) for page in range(1, wanted + 1) if page not in done]

    def update_stage_totals(self) -> None:
        for stage in HARVEST_STAGES:
            keys = [k for k, (s, _) in self._wanted.items() if s == stage]
            self._progress.stages[stage].total = sum(self._wanted[k][1] for k in keys)
            self._progress.stages[stage].done = sum(self._done.get(k, 0) for k in keys)


def parse_list(response: JsonResponse, keep_language: str | None) -> ListPage:
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
    listed: list[int] = []
    for item in results:
        if not isinstance(item, dict) or not isinstance(item.get("id"), int):
            raise BadResponseError("a list result has no integer id")
        listed.append(item["id"])
        if keep_language is None or item.get("original_language") == keep_language:
            ids.append(item["id"])
    return ListPage(ids, total_pages, total_results, listed)


def split_by_date(query: HarvestQuery) -> list[HarvestQuery]:
    """Halve a query's release-date range (its media's date field); [] when it is a single day
    or undated."""
    dates = query.date_range()
    if dates is None:
        return []
    start, end = dates
    if start >= end:
        return []
    middle = start + (end - start) // 2
    return [query.with_dates(start, middle), query.with_dates(middle + dt.timedelta(days=1), end)]
