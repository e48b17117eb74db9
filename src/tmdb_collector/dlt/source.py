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

The linked entities a collection holds (``collect --linked``: people, collections, companies,
networks) have their tables too, as the export writes them, keyed by the entity.

A title (or entity) that changed or left the export also gets one *tombstone* row in each
table (its owner column set, :data:`DELETED` true, every other column null): dlt's
``hard_delete`` hint makes the merge delete the title's rows without inserting the tombstone,
which is how a title that lost all its rows in a table, or left the export, is cleared there.
:data:`DELETED` is therefore a column of every loaded table, null in every row it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import dlt
import pyarrow as pa
from dlt.common.schema.typing import TColumnSchema

from tmdb_collector.dlt.changes import Changes, State, changes, linked_changes
from tmdb_collector.export.arrow_types import arrow_schema, columns_table
from tmdb_collector.export.exporter import export_parts
from tmdb_collector.export.linked_names import linked_names
from tmdb_collector.export.tables import BATCH_SIZE, batch_tables, entity_tables
from tmdb_collector.history.tables import HISTORY_TABLES, history_tables
from tmdb_collector.media import MediaType
from tmdb_collector.media.table_schema import Column
from tmdb_collector.media.table_sets import PROVENANCE, TableSet
from tmdb_collector.store.codec import Stored
from tmdb_collector.store.store import Store

SOURCE_NAME = "tmdb"
DELETED = "_tmdb_deleted"  # dlt's hard_delete column: true in a tombstone, null in every row
Tables = Iterator[Any]  # the pa.Table batches a resource yields
Load = frozenset[int] | None  # the titles a load carries; None: every one exported


@dataclass(frozen=True)
class _Table:
    """One table of the source: its columns, what a load of it carries and how its rows
    for those are built (with a store each load opens)."""

    name: str
    columns: tuple[Column, ...]
    keys: tuple[str, ...] | None  # the table's key, if it has one
    todo: Callable[[Store, State], Changes]
    build: Callable[[Store, Load], Tables]

    @property
    def owner(self) -> str:
        """The id of the title (or entity) a row belongs to: every table's first column."""
        return self.columns[0].name

    @property
    def single(self) -> bool:
        """One row per owner: merged by that primary key."""
        return self.keys == (self.owner,)


@dlt.source(name=SOURCE_NAME)
def tmdb_source(db: str | Path, parts: object = None, include_removed: bool = False) -> list[Any]:
    """One dlt resource per table of the parquet export of the collection ``db`` (of
    ``parts``, a list or comma-separated names, default the collection's; with
    ``include_removed`` the titles gone from TMDB's daily export too)."""
    path = Path(db)
    with Store.open_existing(path) as store:
        chosen = export_parts(store, parts)
        tables = _title_tables(store, chosen, include_removed)
        tables += _linked_tables(store, {table.name for table in tables})
    return [
        dlt.resource(
            _rows(path, table),
            name=table.name,
            write_disposition={"disposition": "merge", "strategy": "delete-insert"},
            primary_key=table.owner if table.single else (),
            merge_key=() if table.single else table.owner,
            columns=_hints(table.columns),
        )
        for table in tables
    ]


def _hints(columns: tuple[Column, ...]) -> dict[str, TColumnSchema]:
    """dlt's hints beyond the Arrow schema: the hard-delete column, and timestamps (exact to
    the millisecond) at the destinations' default precision, microseconds: DuckDB's timestamp
    with time zone has no other, and dlt warns when it is asked for milliseconds."""
    hints: dict[str, TColumnSchema] = {DELETED: {"data_type": "bool", "hard_delete": True}}
    for column in columns:
        if column.kind == "timestamp":
            hints[column.name] = {"data_type": "timestamp", "timezone": True, "precision": 6}
    return hints


def _title_tables(store: Store, parts: Sequence[str], include_removed: bool) -> list[_Table]:
    """The titles' tables, provenance and the history tables, as the export writes them."""
    media = store.media_type.tables

    def todo(opened: Store, state: State) -> Changes:
        return changes(opened, state, include_removed=include_removed)

    found = []
    for name in media.names(parts):
        if name == PROVENANCE:
            build = _provenance(media, parts, include_removed)
        else:
            build = _bodies(media, name, parts, include_removed)
        found.append(_Table(name, media.tables[name], media.keys.get(name), todo, build))
    for name, _ in history_tables(store, parts):
        build = _history(name, parts, include_removed)
        found.append(_Table(name, HISTORY_TABLES[name], None, todo, build))
    return found


def _linked_tables(store: Store, taken: set[str]) -> list[_Table]:
    """The tables of the linked entities the collection holds, named as the export names
    them (:func:`~tmdb_collector.export.linked_names.linked_names`)."""
    found: list[_Table] = []
    for media, names in linked_names(store, taken):
        parts = store.linked_parts(media)

        def todo(opened: Store, state: State, entity: str = media.name) -> Changes:
            return linked_changes(opened, entity, state)

        for table, name in names.items():
            build = _linked(media, table, parts)
            columns, keys = media.tables.tables[table], media.tables.keys.get(table)
            found.append(_Table(name, columns, keys, todo, build))
    return found


def _rows(path: Path, table: _Table) -> Tables:
    """A resource's data: the rows of the titles its load carries (each batch with a null
    :data:`DELETED` column), then the tombstones of the titles to clear."""
    owner, schema = table.owner, _schema(table)
    with Store.open_existing(path) as store:
        todo = table.todo(store, dlt.current.resource_state())
        loaded: set[int] = set()
        for rows in table.build(store, todo.load):
            if rows.num_rows:
                loaded.update(rows.column(owner).to_pylist())
                deleted = pa.nulls(rows.num_rows, pa.bool_())
                yield pa.Table.from_arrays([*rows.columns, deleted], names=schema.names).cast(
                    schema
                )
    if todo.load is None:
        return  # a first load: nothing to clear
    # A table of one row per title: the titles without a row this load (the row of one that
    # has replaces the old by the primary key); any other: each title loaded or gone, since a
    # title may have no row left there.
    clear = todo.gone | (todo.load - loaded if table.single else todo.load)
    if clear:
        yield _tombstones(schema, owner, sorted(clear))


def _schema(table: _Table) -> Any:
    """The Arrow schema of what a resource yields: the export's, its key column not null (as
    dlt makes a primary or merge key), its timestamps in microseconds (the precision of
    :func:`_hints`: dlt warns when the two differ), and :data:`DELETED`."""
    schema = arrow_schema(table.columns)
    index = schema.get_field_index(table.owner)
    schema = schema.set(index, schema.field(index).with_nullable(False))
    for index, field in enumerate(schema):
        if pa.types.is_timestamp(field.type):
            schema = schema.set(index, field.with_type(pa.timestamp("us", tz=field.type.tz)))
    return schema.append(pa.field(DELETED, pa.bool_()))


def _tombstones(schema: Any, owner: str, ids: list[int]) -> Any:
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
    store: Store, parts: Sequence[str], load: Load, include_removed: bool
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


def _bodies(
    media: TableSet, name: str, parts: Sequence[str], include_removed: bool
) -> Callable[[Store, Load], Tables]:
    """Table ``name``, built by the parquet export's :func:`batch_tables` from the details
    and the parts that feed it (none: a table of the details)."""
    feeding = [part for part in parts if name in media.part_tables[part]]
    index = [parts.index(part) for part in feeding]

    def build(store: Store, load: Load) -> Tables:
        # Only the titles with every part asked are exported: read with them all, decode
        # only the bodies this table is built from.
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


def _provenance(
    media: TableSet, parts: Sequence[str], include_removed: bool
) -> Callable[[Store, Load], Tables]:
    """Provenance, of the exported titles only, as the parquet export writes it."""

    def build(store: Store, load: Load) -> Tables:
        exported = {row[0] for row in _titles(store, parts, load, include_removed)}
        rows = (tuple(row) for row in store.iter_provenance() if row[0] in exported)
        yield from _chunks(media.tables[PROVENANCE], rows)

    return build


def _history(
    name: str, parts: Sequence[str], include_removed: bool
) -> Callable[[Store, Load], Tables]:
    """A history table (``availability``, ``part_versions``) by the exports' builder."""

    def build(store: Store, load: Load) -> Tables:
        for table, rows in history_tables(store, parts, include_removed=include_removed):
            if table == name:
                chosen = (row for row in rows if load is None or row[0] in load)
                yield from _chunks(HISTORY_TABLES[name], chosen)

    return build


def _linked(media: MediaType, table: str, parts: Sequence[str]) -> Callable[[Store, Load], Tables]:
    """A linked entity type's table, built from its bodies as the export builds it: read as
    stored, only the bodies the table is built from decoded."""
    tables = media.tables
    read, details = tables.sources(parts, [table])

    def build(store: Store, load: Load) -> Tables:
        held = store.iter_linked_raw(media.name, parts, read, ids=load)
        while batch := list(islice(held, BATCH_SIZE)):
            built = entity_tables(store.codec, batch, read, tables, {table: table}, details)
            if table in built:
                yield built[table]

    return build


def _chunks(columns: tuple[Column, ...], rows: Iterator[tuple[Any, ...]]) -> Tables:
    while chunk := list(islice(rows, BATCH_SIZE)):
        yield columns_table(columns, chunk)
