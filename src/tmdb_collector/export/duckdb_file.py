"""``export --format duckdb --out FILE.duckdb``: every normalized table in one DuckDB database.

The tables are exactly the parquet export's (export/tables.py): the same pipeline builds each
batch's Arrow tables, and its writer thread appends them (gathered as the parquet export
gathers its row groups) to the tables of a new DuckDB file in a hidden staging directory beside
FILE, in one transaction; the tables are then given their primary keys and the documented views
(docs/tables.md), and only then renamed over FILE, together with ``FILE.manifest.json``. A
failure at any point leaves an existing FILE untouched. (The tables used to be written as
parquet files and loaded from them after the export: docs/benchmarks.md.)
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from tmdb_collector.errors import ExportError
from tmdb_collector.export.arrow_types import arrow_schema
from tmdb_collector.export.atomic import (
    check_output_file,
    error_reason,
    fsync_path,
    staging_directory,
)
from tmdb_collector.export.formats import default_export_path
from tmdb_collector.export.localize import Localizer
from tmdb_collector.export.manifest import (
    MANIFEST_NAME,
    build_manifest,
    manifest_path,
    manifest_text,
)
from tmdb_collector.export.tables import GatheringSink, chosen_tables, write_tables
from tmdb_collector.media.table_schema import Column
from tmdb_collector.media.table_sets import TableSet
from tmdb_collector.store.store import Store

_CHUNK = "_tmdb_collector_chunk"  # the name a chunk is known by while it is appended


class _DuckdbSink(GatheringSink):
    """One table of the DuckDB file, created when the export starts (empty, its columns typed
    from their Arrow types as DuckDB reads them from parquet) with its primary key, if it has
    one in ``table_set``, so that the key is built as the batches are appended, in order."""

    closes_in_parallel = False  # the tables share one connection

    def __init__(
        self,
        db: duckdb.DuckDBPyConnection,
        table_set: TableSet,
        name: str,
        columns: tuple[Column, ...],
    ) -> None:
        super().__init__(name)
        self._db = db
        self._append(arrow_schema(columns).empty_table(), f"CREATE TABLE {_quoted((name,))} AS")
        key = table_set.keys.get(name)
        if key:
            db.execute(f"ALTER TABLE {_quoted((name,))} ADD PRIMARY KEY ({_quoted(key)})")

    def put(self, rows: Any) -> None:
        self._append(rows, f"INSERT INTO {_quoted((self.name,))}")

    def _append(self, table: Any, statement: str) -> None:
        self._db.register(_CHUNK, table)
        try:
            self._db.execute(f"{statement} SELECT * FROM {_CHUNK}")
        finally:
            self._db.unregister(_CHUNK)

    def close(self) -> None:
        self.flush()

    def abort(self) -> None:
        self._pending = []


def export_duckdb(
    store: Store,
    out: Path,
    parts: Sequence[str] | None = None,
    *,
    include_removed: bool = False,
    localizer: Localizer | None = None,
    tables: Sequence[str] | None = None,
) -> int:
    """Write the tables of ``parts`` (default: the collection's; only those named in
    ``tables`` if given) into the DuckDB file ``out``; returns the items exported (those gone
    from the daily export only with ``include_removed``). A ``localizer`` adds the
    ``localized`` table (export --language)."""
    check_output_file(out, default_export_path(store.media_type, "duckdb").name)
    parts = store.plan().parts if parts is None else tuple(parts)
    wanted = chosen_tables(store, parts, tables)
    staging = staging_directory(out.parent)
    try:
        database = staging / out.name
        with contextlib.closing(duckdb.connect(str(database))) as db:
            db.execute("BEGIN")
            count, rows = write_tables(
                store,
                functools.partial(_DuckdbSink, db, store.media_type.tables),
                parts,
                wanted,
                include_removed=include_removed,
                localizer=localizer,
            )
            db.execute("COMMIT")
            _finish(db, set(rows), store.media_type.tables)
        manifest = staging / MANIFEST_NAME
        files = {out.name: count}
        locale = None if localizer is None else localizer.locale
        listed = dict(sorted(rows.items()))
        built = build_manifest(store, "duckdb", files, tables=listed, parts=parts, locale=locale)
        manifest.write_text(manifest_text(built), encoding="utf-8")
        for path in (database, manifest):
            fsync_path(path)
        os.replace(database, out)
        os.replace(manifest, manifest_path(out, directory=False))
    except (OSError, duckdb.Error, pa.ArrowException) as exc:
        raise ExportError(
            f"could not write {out} ({error_reason(exc)}); any previous {out.name} is unchanged"
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return count


def _finish(db: duckdb.DuckDBPyConnection, names: set[str], table_set: TableSet) -> None:
    """The set's views, then everything written to the file."""
    for statement in table_set.views(names):
        db.execute(statement)
    db.execute("CHECKPOINT")


def _quoted(columns: tuple[str, ...]) -> str:
    return ", ".join(f'"{column}"' for column in columns)
