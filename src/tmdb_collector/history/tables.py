"""The history tables of the table exports (parquet, csv, duckdb), documented in
docs/tables.md: ``availability`` (one row per offer interval, from the watch providers'
versions) and ``part_versions`` (every version of each part that changed at least once)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Sequence

from tmdb_collector.history.availability import TITLE_COLUMN, availability
from tmdb_collector.media.links import DETAILS
from tmdb_collector.media.rows import WATCH_PROVIDERS
from tmdb_collector.media.table_schema import Column, Row, columns
from tmdb_collector.store.store import Store

AVAILABILITY = "availability"
PART_VERSIONS = "part_versions"
HISTORY_TABLES: dict[str, tuple[Column, ...]] = {
    AVAILABILITY: columns(
        f"{TITLE_COLUMN}:int country:str provider_id:int provider_name:str offer_type:str"
        " available_from:date available_to:date"
    ),
    PART_VERSIONS: columns(
        f"{TITLE_COLUMN}:int part:str fetched_on:date replaced_on:date body:str"
    ),
}


def history_tables(
    store: Store,
    parts: Sequence[str],
    *,
    include_removed: bool = False,
    ids: Collection[int] | None = None,
) -> Iterator[tuple[str, Iterator[Row]]]:
    """Each history table of an export of ``parts`` with its rows (streamed): ``availability``
    when ``watch/providers`` is among them, ``part_versions`` always; the rows of the titles
    ``ids`` only, if given (only their history is read)."""
    if WATCH_PROVIDERS in parts:
        yield AVAILABILITY, _availability_rows(store, include_removed, ids)
    yield PART_VERSIONS, _version_rows(store, (DETAILS, *parts), include_removed, ids)


def _availability_rows(
    store: Store, include_removed: bool, ids: Collection[int] | None
) -> Iterator[Row]:
    for x in availability(store, include_removed=include_removed, ids=ids):
        yield x.row()


def _version_rows(
    store: Store, parts: Sequence[str], include_removed: bool, ids: Collection[int] | None
) -> Iterator[Row]:
    decode = store.codec.decode_text
    for item_id, part, day, replaced, body in store.version_rows(
        parts, include_removed=include_removed, ids=ids
    ):
        until = None if replaced is None else dt.date.fromisoformat(replaced)
        yield item_id, part, dt.date.fromisoformat(day), until, decode(body)
