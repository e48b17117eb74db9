"""What a sync writes: the parquet export's tables, grouped by what identifies their rows.

A *scope* is a kind of unit whose rows a sync replaces together: the collection's titles (every
table of the export of the collection's parts, the history tables and provenance included,
each naming the title in one column), and each linked entity type the collection holds
(``people``, ``person_credits``...: named as the table export names them). The rows are built
by the table export's own functions (:func:`~tmdb_collector.export.tables.batch_tables`), so
they are the parquet files' rows, a batch of units at a time, on the export's ``WORKERS`` threads.

pyarrow and the table export's builders are imported where rows are built, not with this
module: a changes-only sync's deletes are already on the server while they load (0.08 CPU s
on the loaded VM, docs/benchmarks.md).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

from tmdb_collector.export.linked_names import linked_names
from tmdb_collector.history.availability import TITLE_COLUMN
from tmdb_collector.history.tables import HISTORY_TABLES, history_tables
from tmdb_collector.media import MediaType
from tmdb_collector.media.table_schema import Column, Row
from tmdb_collector.media.table_sets import PROVENANCE
from tmdb_collector.store.items import RawItemRow
from tmdb_collector.store.store import Store
from tmdb_collector.sync.pg_schema import CopyData

# Units per batch at most: four times the table export's batch, so a first load of 100,000
# titles sends a fifth of the COPY statements, each with more rows; 1-2 CPU s less on each
# side and ~200 MB more peak memory (docs/benchmarks.md, "#26 sync, fifth round").
LOAD_BATCH = 2000
SPLIT = 8  # a few units' rows are built in this many batches at least...
SMALLEST_BATCH = 50  # ...of this many units at least
# table -> (rows, rows of new units, COPY data) of one batch
Built = dict[str, tuple[int, int, CopyData]]
_B = TypeVar("_B")
_R = TypeVar("_R", bound=tuple[Any, ...])


@dataclass(frozen=True)
class SyncTable:
    name: str
    columns: tuple[Column, ...]
    unit_column: str  # the column naming the unit (title or entity) a row belongs to
    key: tuple[str, ...]  # the primary key, or () when the export declares none

    def shape(self) -> list[tuple[str, str]]:
        return [(column.name, column.kind) for column in self.columns]


@dataclass(frozen=True)
class Scope:
    """One kind of unit and its tables; ``rows`` builds them for some units (all: None)."""

    name: str  # "movie", "tv" or a linked entity type's name
    label: str  # its plural, for people: "movies", "people"
    tables: tuple[SyncTable, ...]
    # the fingerprints of every unit, or of some (the others are left out)
    fingerprints: Callable[[Collection[int] | None], dict[int, str]]
    # (the units to build, those of them that are new, whether they are nearly all: read the
    # collection through and keep theirs) -> batches of their rows. Only the units asked are
    # written, even if the collection gained some since their fingerprints were read.
    rows: Callable[[frozenset[int], frozenset[int], bool], Iterator[Built]]


def scopes(store: Store) -> list[Scope]:
    """The collection's scope, then each linked entity type's, as the table export has them."""
    found = [_titles(store)]
    taken = {table.name for table in found[0].tables}
    for media, names in linked_names(store, taken):
        found.append(_linked(store, media, names))
    return found


def _unit_column(columns: tuple[Column, ...], id_column: str) -> str:
    names = [column.name for column in columns]
    for name in (id_column, TITLE_COLUMN):
        if name in names:
            return name
    return names[0]  # the unit's own table: its id first


def _titles(store: Store) -> Scope:
    media = store.media_type
    parts = store.plan().parts
    table_set = media.tables
    tables = [
        SyncTable(
            name,
            table_set.tables[name],
            _unit_column(table_set.tables[name], table_set.id_column),
            tuple(table_set.keys.get(name, ())),
        )
        for name in table_set.names(parts)
    ]
    history = [name for name, _rows in history_tables(store, parts)]
    tables += [SyncTable(name, HISTORY_TABLES[name], TITLE_COLUMN, ()) for name in history]

    units = {table.name: table.unit_column for table in tables}

    def rows(chosen: frozenset[int], new: frozenset[int], whole: bool) -> Iterator[Built]:
        from tmdb_collector.export.arrow_types import columns_table
        from tmdb_collector.export.tables import BATCH_SIZE, batch_tables, rows_table

        # A few units: only theirs are read (their history too); else every one, theirs kept.
        only = None if whole else chosen
        every = store.iter_stored_items(parts, ids=only)
        stored = _theirs(every, chosen, whole)

        coder = store.codec  # loaded on this thread: the database is read here only
        fresh = _counter(chosen, new)

        def build(batch: tuple[list[RawItemRow], list[Row]]) -> Built:
            items, provenance = batch
            built = batch_tables(coder.decode_rows(items), parts, table_set)
            built[PROVENANCE] = rows_table(PROVENANCE, provenance, table_set)
            return _as_copy(built, units, fresh)

        # The database is read on this thread only: each batch with its provenance.
        batches = (
            (batch, list(store.provenance_of(item[0] for item in batch)))
            for batch in _batches(stored, len(chosen))
        )
        try:
            yield from _in_order(batches, build)
        finally:
            every.close()
        for name, table_rows in history_tables(store, parts, ids=only):
            kept = _theirs(table_rows, chosen, whole)
            while chunk := list(islice(kept, BATCH_SIZE)):
                yield _as_copy({name: columns_table(HISTORY_TABLES[name], chunk)}, units, fresh)

    return Scope(
        media.name,
        media.plural,
        tuple(tables),
        lambda ids: store.item_fingerprints(parts, ids=ids),
        rows,
    )


def _linked(store: Store, media: MediaType, names: dict[str, str]) -> Scope:
    """A linked entity type's tables, under the ``names`` the table export gives them
    (:func:`~tmdb_collector.export.linked_names.linked_names`)."""
    parts = store.linked_parts(media)
    table_set = media.tables
    tables = tuple(
        SyncTable(
            names[table],
            table_set.tables[table],
            _unit_column(table_set.tables[table], table_set.id_column),
            tuple(table_set.keys.get(table, ())),
        )
        for table in names
    )

    units = {table.name: table.unit_column for table in tables}
    # Read as stored, and only the bodies these tables are built from (as the export does).
    read, details = table_set.sources(parts, names)

    def rows(chosen: frozenset[int], new: frozenset[int], whole: bool) -> Iterator[Built]:
        from tmdb_collector.export.tables import entity_tables

        # A few units: only theirs are read; else every one, theirs kept.
        every = store.iter_linked_raw(media.name, parts, read, ids=None if whole else chosen)
        records = _theirs(every, chosen, whole)
        coder = store.codec  # loaded on this thread: the database is read here only
        fresh = _counter(chosen, new)

        def build(batch: list[RawItemRow]) -> Built:
            built = entity_tables(coder, batch, read, table_set, names, details)
            return _as_copy(built, units, fresh)

        yield from _in_order(_batches(records, len(chosen)), build)

    fingerprints = lambda ids: store.linked_fingerprints(media.name, parts, ids)  # noqa: E731
    return Scope(media.name, media.plural, tables, fingerprints, rows)


def _theirs(rows: Iterator[_R], chosen: frozenset[int], whole: bool) -> Iterator[_R]:
    """The rows (unit id first) of the ``chosen`` units: a ``whole`` read's are kept here, a
    read of their ids (``ids=``) holds no others."""
    return (row for row in rows if row[0] in chosen) if whole else rows


def _as_copy(built: dict[str, Any], units: dict[str, str], fresh: Callable[[Any], int]) -> Built:
    """Each table's rows as COPY data, with how many of them belong to new units (``fresh``
    counts them in a column of unit ids)."""
    from tmdb_collector.sync.copy_binary import copy_data

    found: Built = {}
    for name, table in built.items():
        if table.num_rows:
            found[name] = (table.num_rows, fresh(table.column(units[name])), copy_data(table))
    return found


def _counter(chosen: frozenset[int], new: frozenset[int]) -> Callable[[Any], int]:
    """How many of a column's unit ids are ``new`` ones, asked once per table and batch: with
    every unit new (a first load) or none, without looking; else against one set of them."""
    if not new:
        return lambda values: 0
    if new >= chosen:
        return len
    import pyarrow as pa
    import pyarrow.compute as pc

    value_set = pa.array(sorted(new), pa.int64())
    return lambda values: int(pc.sum(pc.is_in(values, value_set=value_set)).as_py() or 0)


def _batches(rows: Iterator[RawItemRow], units: int) -> Iterator[list[RawItemRow]]:
    """``rows`` (of ``units`` units in all) in batches: at most :data:`LOAD_BATCH`, and for a
    few units at least :data:`SPLIT` batches, so that the first is sent while the next are
    built."""
    size = max(SMALLEST_BATCH, min(LOAD_BATCH, -(-units // SPLIT)))
    while batch := list(islice(rows, size)):
        yield batch


def _in_order(batches: Iterator[_B], build: Callable[[_B], Built]) -> Iterator[Built]:
    """Each batch built on :data:`WORKERS` threads, yielded in the order read, at most
    ``WORKERS + 1`` batches in hand."""
    from tmdb_collector.export.tables import WORKERS

    ahead: deque[Future[Built]] = deque()
    with ThreadPoolExecutor(WORKERS, thread_name_prefix="sync-build") as pool:
        try:
            for batch in batches:
                ahead.append(pool.submit(build, batch))
                if len(ahead) > WORKERS:
                    yield ahead.popleft().result()
            while ahead:
                yield ahead.popleft().result()
        finally:
            for future in ahead:
                future.cancel()
