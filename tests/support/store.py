"""Setting up a store for a test the way a collection fills it."""

from __future__ import annotations

from collections.abc import Iterable

from tmdb_collector.store.store import Store


def queue_ids(store: Store, item_ids: Iterable[int]) -> int:
    """Queue ``item_ids`` as the lines of a daily id export would; returns how many were new."""
    return store.add_catalogue_ids(enumerate(item_ids, 1), source="tests", complete=False)
