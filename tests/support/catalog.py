"""What a test expects of the simulator's catalogue, read from it (the served answers are
checked against these)."""

from __future__ import annotations

from collections.abc import Mapping

from tmdb_collector.simulator.catalog import Catalog
from tmdb_collector.simulator.discover import DiscoverQuery, parse_discover_params
from tmdb_collector.simulator.generate import FLAG_DELETED
from tmdb_collector.simulator.vocab import GENRES

GENRE_IDS: tuple[int, ...] = tuple(g.id for g in GENRES)


def popular_ids(catalog: Catalog) -> list[int]:
    """All non-adult titles by popularity desc (id asc on ties), mixed languages."""
    ids = catalog.cols.ids
    return [ids[i] for i in catalog.popular_indices]


def discover_ids(catalog: Catalog, query: DiscoverQuery | Mapping[str, str]) -> list[int]:
    """Ids matching a discover query's column filters (a parsed query or raw query
    parameters); the filters answered from each title's bodies (runtime, keywords...) are
    simulator/discover_items.py's, which the served discover applies too."""
    if not isinstance(query, DiscoverQuery):
        query = parse_discover_params(query, catalog.media)
    ids = catalog.cols.ids
    return [ids[i] for i in catalog.discover_indices(query)]


def is_deleted(catalog: Catalog, item_id: int) -> bool:
    """Whether ``item_id`` is in the catalogue, deleted (TMDB answers 404 for it)."""
    idx = catalog.index_of(item_id)
    return idx is not None and bool(catalog.cols.flags[idx] & FLAG_DELETED)
