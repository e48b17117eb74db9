"""What the page shows before any Start: the checkpoint's numbers, read from the store."""

from __future__ import annotations

from collections.abc import Iterable

from tmdb_collector.engine.run_progress import RunProgress
from tmdb_collector.media import MediaType
from tmdb_collector.plan.stages import HARVEST_STAGES
from tmdb_collector.store.harvest_progress import harvest_progress
from tmdb_collector.store.store import Store


def progress_from_store(store: Store, linked: Iterable[MediaType] = ()) -> RunProgress:
    """A :class:`RunProgress` holding the stored stage and item counts (state ``idle``), and
    those of the ``linked`` entity types (the plan's ``--linked``)."""
    progress = RunProgress(store.media_type)
    harvest = harvest_progress(store)
    for name in HARVEST_STAGES:
        pages = harvest.stage(name)
        progress.stages[name].done, progress.stages[name].total = pages.done, pages.total
    counts = store.counts()
    progress.set_item_counts(
        ids=counts.ids, done=counts.done, not_found=counts.not_found, failed=counts.failed
    )
    linked = tuple(linked)
    if linked:
        progress.add_linked(linked)
        progress.set_linked_counts(store.linked_counts())
    return progress
