"""What the page shows before any Start: the checkpoint's numbers, read from the store."""

from __future__ import annotations

from tmdb_collector.plan import MAX_PAGE, HarvestQuery
from tmdb_collector.progress import RunProgress
from tmdb_collector.store import QueryState, Store


def progress_from_store(store: Store) -> RunProgress:
    """A :class:`RunProgress` holding the stored stage and movie counts (state ``idle``)."""
    progress = RunProgress()
    known = set()
    for state in store.queries():
        known.add(state.query.key)
        stage = progress.stages[state.query.stage]
        done = len(store.pages_done(state.query.key))
        stage.done += done
        stage.total += done if state.split else _pages_wanted(state)
    for query in store.plan().harvest_queries():
        if query.key not in known:
            progress.stages[query.stage].total += _pages_estimate(query)
    counts = store.counts()
    details = progress.stages["details"]
    details.total = counts.ids
    details.done = counts.done + counts.not_found + counts.failed
    progress.movies = counts.done
    progress.failed_movies = counts.failed
    progress.not_found = counts.not_found
    return progress


def _pages_wanted(state: QueryState) -> int:
    if state.total_pages is None:
        return _pages_estimate(state.query)
    return min(state.query.wanted_pages(state.total_pages), MAX_PAGE)


def _pages_estimate(query: HarvestQuery) -> int:
    """Before TMDB has said how many pages there are: what the collector assumes too."""
    return min(1 if query.max_pages == "all" else int(query.max_pages), MAX_PAGE)
