"""Harvest progress (stages 1-2) as the store has it: the one place it is computed from a store.

For each stored query: the pages done, and the pages it wants. A query split by release date
wants only the pages it finished before the split (its halves carry on); a query whose first
page has not answered yet wants its estimate. The plan's root queries that are not stored yet
count with their estimate too. ``status``, the dashboard's checkpoint and the collector's first
plan of a run all read this.

Once a stage's pages are all done, :func:`harvest_consistency` says how far the lists moved
under it: ids listed on two pages of one query, and an estimate of the ids missed (what the
pages should have listed, from ``total_results``, against the distinct ids they did list).
"""

from __future__ import annotations

from dataclasses import dataclass

from tmdb_collector.media.base import PAGE_SIZE
from tmdb_collector.plan.plan import HarvestQuery
from tmdb_collector.plan.stages import HARVEST_STAGES
from tmdb_collector.store.store import QueryState, Store


@dataclass(frozen=True)
class QueryProgress:
    state: QueryState
    done: int  # pages committed
    wanted: int  # pages this query needs in all, as far as is known

    @property
    def finished(self) -> bool:
        if self.state.split:
            return True
        return self.state.total_pages is not None and self.done >= self.wanted


@dataclass(frozen=True)
class StagePages:
    done: int
    total: int


@dataclass(frozen=True)
class HarvestProgress:
    queries: tuple[QueryProgress, ...]  # the stored queries, in the order they were added
    unstarted: tuple[HarvestQuery, ...]  # the plan's root queries not stored yet

    @property
    def queries_open(self) -> int:
        return sum(1 for query in self.queries if not query.finished)

    @property
    def harvesting(self) -> bool:
        """Whether stages 1-2 have pages left to fetch."""
        return bool(self.unstarted) or self.queries_open > 0

    @property
    def pages_done(self) -> int:
        return sum(query.done for query in self.queries)

    def stage(self, name: str) -> StagePages:
        stored = [query for query in self.queries if query.state.query.stage == name]
        estimated = sum(query.pages_estimate() for query in self.unstarted if query.stage == name)
        return StagePages(
            done=sum(query.done for query in stored),
            total=sum(query.wanted for query in stored) + estimated,
        )


def harvest_progress(store: Store) -> HarvestProgress:
    done = store.pages_done_counts()
    queries = []
    for state in store.queries():
        pages = done.get(state.query.key, 0)
        queries.append(QueryProgress(state, pages, pages if state.split else state.pages_wanted()))
    known = {query.state.query.key for query in queries}
    unstarted = tuple(q for q in store.plan().harvest_queries() if q.key not in known)
    return HarvestProgress(tuple(queries), unstarted)


@dataclass(frozen=True)
class StageConsistency:
    finished: bool  # every page of the stage is done; the counts below mean something
    duplicates: int  # ids listed on two pages of the same query
    missed: int  # estimated ids never listed: expected results minus distinct ids listed
    unrecorded: int = 0  # pages stored before pages kept what they listed (not counted)


def expected_results(state: QueryState, wanted: int) -> int:
    """Results the wanted pages of a query hold: all of them when they reach its last page."""
    if state.total_pages is None or state.total_results is None:
        return 0
    if wanted >= state.total_pages:
        return state.total_results
    return wanted * PAGE_SIZE


def harvest_consistency(store: Store) -> dict[str, StageConsistency]:
    """Per harvest stage that has queries; a query split by date counts through its halves."""
    progress = harvest_progress(store)
    listings = store.listings()
    report: dict[str, StageConsistency] = {}
    for stage in HARVEST_STAGES:
        queries = [
            q for q in progress.queries if q.state.query.stage == stage and not q.state.split
        ]
        if not queries and not any(q.stage == stage for q in progress.unstarted):
            continue
        finished = all(q.finished for q in queries) and not any(
            q.stage == stage for q in progress.unstarted
        )
        duplicates = missed = unrecorded = 0
        for query in queries:
            listing = listings.get(query.state.query.key)
            if listing is None:
                continue
            duplicates += listing.twice
            if listing.unrecorded:  # what those pages listed is unknown: no estimate
                unrecorded += listing.unrecorded
                continue
            missed += max(0, expected_results(query.state, query.wanted) - listing.listed)
        report[stage] = StageConsistency(finished, duplicates, missed, unrecorded)
    return report
