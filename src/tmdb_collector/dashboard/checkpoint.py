"""What the page shows before any Start: the checkpoint's numbers, read from the store."""

from __future__ import annotations

from tmdb_collector.engine.progress import RunProgress
from tmdb_collector.store.store import Store


def progress_from_store(store: Store) -> RunProgress:
    """A :class:`RunProgress` holding the stored stage and movie counts (state ``idle``)."""
    progress = RunProgress()
    known = set()
    for state in store.queries():
        known.add(state.query.key)
        stage = progress.stages[state.query.stage]
        done = len(store.pages_done(state.query.key))
        stage.done += done
        stage.total += done if state.split else state.pages_wanted()
    for query in store.plan().harvest_queries():
        if query.key not in known:
            progress.stages[query.stage].total += query.pages_estimate()
    counts = store.counts()
    progress.set_movie_counts(
        ids=counts.ids, done=counts.done, not_found=counts.not_found, failed=counts.failed
    )
    return progress
