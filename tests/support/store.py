"""Setting up and reading a store for a test (or a script) the way a collection fills it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from tmdb_collector.store.items import RawItemRow
from tmdb_collector.store.store import Store


def queue_ids(store: Store, item_ids: Iterable[int]) -> int:
    """Queue ``item_ids`` as the lines of a daily id export would; returns how many were new."""
    return store.add_catalogue_ids(enumerate(item_ids, 1), source="tests", complete=False)


def raw_items(
    store: Store, parts: Sequence[str], *, include_removed: bool = False
) -> Iterator[RawItemRow]:
    """The items of ``store.iter_stored_items(parts)``, every body decoded to UTF-8 bytes (as
    the table builders' parsers take them)."""
    decode = store.codec.decode
    for item_id, details, bodies in store.iter_stored_items(parts, include_removed=include_removed):
        yield item_id, decode(details), tuple(map(decode, bodies))
