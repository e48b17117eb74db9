"""The history tables of the table exports (parquet, csv, duckdb), documented in
docs/tables.md: ``availability`` (one row per offer interval, from the watch providers'
versions) and ``part_versions`` (every version of each part that changed at least once)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from typing import Any

from tmdb_collector.export.arrow_types import columns_table
from tmdb_collector.export.availability_table import availability_batches
from tmdb_collector.history.availability import WATCH_PROVIDERS
from tmdb_collector.media.links import DETAILS
from tmdb_collector.media.table_schema import Column, Row, columns
from tmdb_collector.store.store import Store

AVAILABILITY = "availability"
PART_VERSIONS = "part_versions"
HISTORY_TABLES: dict[str, tuple[Column, ...]] = {
    AVAILABILITY: columns(
        "title_id:int country:str provider_id:int provider_name:str offer_type:str"
        " available_from:date available_to:date"
    ),
    PART_VERSIONS: columns("title_id:int part:str fetched_on:date replaced_on:date body:str"),
}


BATCH_ROWS = 500  # part_versions rows per batch (each holds a whole body)


def history_tables(
    store: Store, parts: Sequence[str], *, include_removed: bool = False
) -> Iterator[tuple[str, Iterator[Callable[[], Any]]]]:
    """Each history table of an export of ``parts`` with its rows, streamed a batch at a
    time: each batch read when it is taken, as a function that returns its ``pa.Table`` (and
    may run on any thread). ``availability`` when ``watch/providers`` is among ``parts``,
    ``part_versions`` always."""
    if WATCH_PROVIDERS in parts:
        columns = HISTORY_TABLES[AVAILABILITY]
        yield AVAILABILITY, availability_batches(store, columns, include_removed=include_removed)
    rows = _version_rows(store, (DETAILS, *parts), include_removed)
    yield PART_VERSIONS, _batched(HISTORY_TABLES[PART_VERSIONS], rows)


def _batched(columns: tuple[Column, ...], rows: Iterator[Row]) -> Iterator[Callable[[], Any]]:
    while chunk := list(islice(rows, BATCH_ROWS)):
        yield functools.partial(columns_table, columns, chunk)


def _version_rows(store: Store, parts: Sequence[str], include_removed: bool) -> Iterator[Row]:
    decode = store.codec.decode_text
    for item_id, part, day, replaced, body in store.version_rows(
        parts, include_removed=include_removed
    ):
        until = None if replaced is None else dt.date.fromisoformat(replaced)
        yield item_id, part, dt.date.fromisoformat(day), until, decode(body)
