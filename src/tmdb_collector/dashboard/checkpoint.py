"""What the page shows before any Start: the checkpoint's numbers, read from the store."""

from __future__ import annotations

from tmdb_collector.engine.run_progress import RunProgress
from tmdb_collector.store.harvest_progress import HARVEST_STAGES, harvest_progress
from tmdb_collector.store.store import Store


def progress_from_store(store: Store) -> RunProgress:
    """A :class:`RunProgress` holding the stored stage and item counts (state ``idle``)."""
    progress = RunProgress(store.media_type)
    harvest = harvest_progress(store)
    for name in HARVEST_STAGES:
        pages = harvest.stage(name)
        progress.stages[name].done, progress.stages[name].total = pages.done, pages.total
    counts = store.counts()
    progress.set_item_counts(
        ids=counts.ids, done=counts.done, not_found=counts.not_found, failed=counts.failed
    )
    return progress
