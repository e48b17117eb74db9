"""The history tables of a table export (``availability``, ``part_versions``: see
:mod:`tmdb_collector.history.tables`) as batches for the export's build threads."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from typing import Any

from tmdb_collector.export.arrow_types import columns_table
from tmdb_collector.export.availability_table import availability_batches
from tmdb_collector.history.tables import AVAILABILITY, HISTORY_TABLES, history_tables
from tmdb_collector.media.table_schema import Column, Row
from tmdb_collector.store.store import Store

# The tables with a columnar build of their own; the others are built from the rule's rows.
COLUMNAR: dict[str, Callable[..., Iterator[Callable[[], Any]]]] = {
    AVAILABILITY: availability_batches
}


def history_batches(
    store: Store, parts: Sequence[str], rows_per_batch: int, *, include_removed: bool = False
) -> Iterator[tuple[str, Iterator[Callable[[], Any]]]]:
    """Each history table of an export of ``parts`` with its rows, streamed a batch at a
    time (``rows_per_batch`` rows, where a table is built from the rule's rows): each batch
    read when it is taken, as a function that returns its ``pa.Table`` (and may run on any
    thread)."""
    for table, rows in history_tables(store, parts, include_removed=include_removed):
        columns = HISTORY_TABLES[table]
        columnar = COLUMNAR.get(table)
        if columnar is not None:
            yield table, columnar(store, columns, include_removed=include_removed)
        else:
            yield table, _batched(columns, rows, rows_per_batch)


def _batched(
    columns: tuple[Column, ...], rows: Iterator[Row], size: int
) -> Iterator[Callable[[], Any]]:
    while chunk := list(islice(rows, size)):
        yield functools.partial(columns_table, columns, chunk)
