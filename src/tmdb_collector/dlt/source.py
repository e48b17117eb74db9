"""The dlt source: every table of the parquet export as a dlt resource, loaded incrementally.

``tmdb_source(db)`` has one resource per table the parquet export of ``db`` writes (same
names, columns and rows: built by :func:`~tmdb_collector.export.tables.batch_tables` and the
history tables' own builder, never here), each yielding Arrow tables. Every table is merged
with dlt's ``delete-insert`` strategy, keyed by the title its rows belong to (its *owner*:
``id`` in the titles' own table, which is also its primary key, ``movie_id``/``series_id``
in the others, ``title_id`` in the history tables): a load deletes every row of the titles
it carries and inserts their rows anew, so a changed title's cast, genres, ... are replaced,
never duplicated. Which titles a load carries is :mod:`.changes`' rule, kept per resource in
its dlt state: a first load every exported title, later loads those changed since.

A title that changed or left the export also gets one *tombstone* row in each table (its
owner column set, :data:`DELETED` true, every other column null): dlt's ``hard_delete`` hint
makes the merge delete the title's rows without inserting the tombstone, which is how a title
that lost all its rows in a table, or left the export, is cleared there. :data:`DELETED` is
therefore a column of every loaded table, null in every row it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

import dlt
import pyarrow as pa

from tmdb_collector.dlt.changes import Changes, changes
from tmdb_collector.export.arrow_types import arrow_schema
from tmdb_collector.export.exporter import export_parts
from tmdb_collector.export.tables import BATCH_SIZE, batch_tables, columns_table
from tmdb_collector.history.tables import HISTORY_TABLES, history_tables
from tmdb_collector.media.table_schema import Column
from tmdb_collector.media.table_sets import PROVENANCE, TableSet
from tmdb_collector.store.codec import Stored
from tmdb_collector.store.store import Store

SOURCE_NAME = "tmdb"
DELETED = "_tmdb_deleted"  # dlt's hard_delete column: true in a tombstone, null in every row
Tables = Iterator[Any]  # the pa.Table batches a resource yields
# A table's rows for the titles ``load`` (None: every exported title), as Arrow batches.
_Build = Callable[[Store, Sequence[str], "frozenset[int] | None", bool], Tables]


@dlt.source(name=SOURCE_NAME)
def tmdb_source(db: str | Path, parts: object = None, include_removed: bool = False) -> list[Any]:
    """One dlt resource per table of the parquet export of the collection ``db`` (of
    ``parts``, a list or comma-separated names, default the collection's; with
    ``include_removed`` the titles gone from TMDB's daily export too)."""
    path = Path(db)
    with Store.open_existing(path) as store:
        chosen = export_parts(store, parts)
        media = store.media_type.tables
        history = [name for name, _ in history_tables(store, chosen)]
    tables: list[tuple[str, tuple[Column, ...], _Build]] = [
        (name, media.tables[name], _builder(media, name, chosen)) for name in media.names(chosen)
    ]
    tables += [(name, HISTORY_TABLES[name], _history(name)) for name in history]
    resources = []
    for name, columns, build in tables:
        owner = columns[0].name  # every table's first column is its title's id
        single = media.keys.get(name) == (owner,)  # one row per title: a primary key
        resources.append(
            dlt.resource(
                _load(path, owner, single, columns, chosen, include_removed, build),
                name=name,
                write_disposition={"disposition": "merge", "strategy": "delete-insert"},
                primary_key=owner if single else (),
                merge_key=() if single else owner,
                columns={DELETED: {"data_type": "bool", "hard_delete": True}},
            )
        )
    return resources


def _builder(media: TableSet, name: str, parts: Sequence[str]) -> _Build:
    if name == PROVENANCE:
        return _provenance(media)
    return _bodies(media, name, [part for part in parts if name in media.part_tables[part]])


def _load(
    path: Path,
    owner: str,
    single: bool,
    columns: tuple[Column, ...],
    parts: Sequence[str],
    include_removed: bool,
    build: _Build,
) -> Tables:
    """The resource's data: the changed titles' rows (each batch with a null :data:`DELETED`
    column), then the tombstones of the titles to clear."""
    with Store.open_existing(path) as store:
        todo: Changes = changes(
            store, dlt.current.resource_state(), include_removed=include_removed
        )
        loaded: set[int] = set()
        for table in build(store, parts, todo.load, include_removed):
            if table.num_rows:
                loaded.update(table.column(owner).to_pylist())
                yield table.append_column(DELETED, pa.nulls(table.num_rows, pa.bool_()))
    if todo.load is None:
        return  # a first load: nothing to clear
    # A table of one row per title: the titles without a row this load (the row of one that
    # has replaces the old by the primary key); any other: each title loaded or gone, since a
    # title may have no row left there.
    clear = todo.gone | (todo.load - loaded if single else todo.load)
    if clear:
        yield _tombstones(columns, owner, sorted(clear))


def _tombstones(columns: tuple[Column, ...], owner: str, ids: list[int]) -> Any:
    schema = arrow_schema(columns).append(pa.field(DELETED, pa.bool_()))
    arrays = [
        pa.array(ids, field.type)
        if field.name == owner
        else pa.array([True] * len(ids), field.type)
        if field.name == DELETED
        else pa.nulls(len(ids), field.type)
        for field in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def _titles(
    store: Store, parts: Sequence[str], load: frozenset[int] | None, include_removed: bool
) -> Iterator[tuple[int, Stored, tuple[Stored, ...]]]:
    """The exported titles among ``load`` (None: all), each with its details and the bodies
    of ``parts`` as stored (:attr:`Store.codec` decodes them), by ascending id."""
    if load is None:
        yield from store.iter_stored_items(parts, include_removed=include_removed)
        return
    for item_id in sorted(load):
        row = store.item_row(item_id, parts, include_removed=include_removed)
        if row is not None:
            yield row


def _bodies(media: TableSet, name: str, feeding: Sequence[str]) -> _Build:
    """Table ``name``, built from the details and the parts ``feeding`` it (none: the
    details' own tables) by the parquet export's :func:`batch_tables`."""

    def build(
        store: Store, parts: Sequence[str], load: frozenset[int] | None, include_removed: bool
    ) -> Tables:
        # Only the titles with every part the export asks are exported: read with them all,
        # decode and build from the bodies this table needs.
        index = [parts.index(part) for part in feeding]
        decode = store.codec.decode
        rows = _titles(store, parts, load, include_removed)
        while batch := list(islice(rows, BATCH_SIZE)):
            needed = [
                (key, decode(details), tuple(decode(bodies[i]) for i in index))
                for key, details, bodies in batch
            ]
            table = batch_tables(needed, feeding, media).get(name)
            if table is not None:
                yield table

    return build


def _provenance(media: TableSet) -> _Build:
    """Provenance, of the exported titles only, as the parquet export writes it."""

    def build(
        store: Store, parts: Sequence[str], load: frozenset[int] | None, include_removed: bool
    ) -> Tables:
        exported = {row[0] for row in _titles(store, parts, load, include_removed)}
        rows = (tuple(row) for row in store.iter_provenance() if row[0] in exported)
        yield from _chunks(media.tables[PROVENANCE], rows)

    return build


def _history(name: str) -> _Build:
    """A history table (``availability``, ``part_versions``), its rows by the exports'
    builder, of the titles ``load``."""

    def build(
        store: Store, parts: Sequence[str], load: frozenset[int] | None, include_removed: bool
    ) -> Tables:
        for table, rows in history_tables(store, parts, include_removed=include_removed):
            if table == name:
                chosen = (row for row in rows if load is None or row[0] in load)
                yield from _chunks(HISTORY_TABLES[name], chosen)

    return build


def _chunks(columns: tuple[Column, ...], rows: Iterator[tuple[Any, ...]]) -> Tables:
    while chunk := list(islice(rows, BATCH_SIZE)):
        yield columns_table(columns, chunk)
