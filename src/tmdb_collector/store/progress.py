"""Harvest progress (stages 1-2) as the store has it: the one place it is computed from a store.

For each stored query: the pages done, and the pages it wants. A query split by release date
wants only the pages it finished before the split (its halves carry on); a query whose first
page has not answered yet wants its estimate. The plan's root queries that are not stored yet
count with their estimate too. ``status``, the dashboard's checkpoint and the collector's first
plan of a run all read this.
"""

from __future__ import annotations

from dataclasses import dataclass

from tmdb_collector.plan.plan import HarvestQuery
from tmdb_collector.store.store import QueryState, Store

HARVEST_STAGES = ("popular", "discover")


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
