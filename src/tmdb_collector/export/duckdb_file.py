"""``export --format duckdb --out FILE.duckdb``: every normalized table in one DuckDB database.

The tables are exactly the parquet export's (export/tables.py): they are written as parquet into
a hidden staging directory beside FILE, loaded into a new DuckDB file there, given their primary
keys and the documented views (docs/tables.md), and only then renamed over FILE, together with
``FILE.manifest.json``. A failure at any point leaves an existing FILE untouched. Nothing in the
staging directory is flushed to disk but the finished FILE and its manifest, before the renames.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import duckdb

from tmdb_collector.errors import ExportError
from tmdb_collector.export.atomic import (
    check_output_file,
    error_reason,
    fsync_directory,
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
from tmdb_collector.export.tables import export_tables
from tmdb_collector.media.table_sets import TableSet
from tmdb_collector.store.store import Store

# DuckDB's bounds while it loads the staged tables (docs/duckdb.md, docs/benchmarks.md): by
# default it may take 80% of the machine's memory and a thread a core, and a primary key added
# to a whole table took memory outside its limit, growing with the table. Here the key comes
# first and the rows follow in slices, each checkpointed (the key's index written to the file,
# where DuckDB may evict it); what passes the limit spills into the staging directory.
MEMORY_LIMIT = "128MB"
THREADS = 1
ROWS_PER_INSERT = 500_000


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
    staging = staging_directory(out.parent)
    try:
        count = export_tables(
            store,
            "parquet",
            staging / "tables",
            parts,
            include_removed=include_removed,
            localizer=localizer,
            tables=tables,
            durable=False,  # read once below, then deleted
        )
        database = staging / out.name
        rows = _load(staging / "tables", database, store.media_type.tables)
        manifest = staging / MANIFEST_NAME
        files = {out.name: count}
        locale = None if localizer is None else localizer.locale
        built = build_manifest(store, "duckdb", files, tables=rows, parts=parts, locale=locale)
        manifest.write_text(manifest_text(built), encoding="utf-8")
        for path in (database, manifest):
            fsync_path(path)
        os.replace(database, out)
        os.replace(manifest, manifest_path(out, directory=False))
        fsync_directory(out.parent)
    except (OSError, duckdb.Error, ExportError) as exc:
        # The staged tables' own error names the hidden staging folder: say FILE, and why.
        cause = exc.__context__ if isinstance(exc, ExportError) and exc.__context__ else exc
        raise ExportError(
            f"could not write {out} ({error_reason(cause)}); any previous {out.name} is unchanged"
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return count


def _load(tables: Path, database: Path, table_set: TableSet) -> dict[str, int]:
    """Each parquet table into ``database`` with its primary key; then the set's views."""
    names = sorted(path.stem for path in tables.glob("*.parquet"))
    rows: dict[str, int] = {}
    with contextlib.closing(duckdb.connect(str(database))) as db:
        _no_syncs(db)
        _bounded(db, database.parent / "spill")
        for name in names:
            source = str(tables / f"{name}.parquet").replace("'", "''")
            parquet = f"read_parquet('{source}')"
            db.execute(f'CREATE TABLE "{name}" AS SELECT * FROM {parquet} LIMIT 0')
            key = table_set.keys.get(name)
            if key:
                db.execute(f'ALTER TABLE "{name}" ADD PRIMARY KEY ({_quoted(key)})')
            _insert(db, name, source)
            (rows[name],) = db.execute(f'SELECT count(*) FROM "{name}"').fetchone() or (0,)
        for statement in table_set.views(set(names)):
            db.execute(statement)
        db.execute("CHECKPOINT")
    return rows


def _insert(db: duckdb.DuckDBPyConnection, name: str, source: str) -> None:
    """The rows of the parquet file ``source`` into the table ``name``, in file order, by
    :data:`ROWS_PER_INSERT`, each slice checkpointed: the memory a slice takes, not a table."""
    numbered = f"read_parquet('{source}', file_row_number = true)"
    (total,) = db.execute(f"SELECT count(*) FROM read_parquet('{source}')").fetchone() or (0,)
    for start in range(0, total, ROWS_PER_INSERT):
        end = start + ROWS_PER_INSERT
        db.execute(
            f'INSERT INTO "{name}" SELECT * EXCLUDE (file_row_number) FROM {numbered}'
            f" WHERE file_row_number >= {start} AND file_row_number < {end}"
        )
        db.execute("CHECKPOINT")


def _no_syncs(db: duckdb.DuckDBPyConnection) -> None:
    """No flush to disk at each commit (a DuckDB with ``fsync_mode``; 1.1 has none): the file
    is new, under a staging name, and flushed once it is complete (:func:`export_duckdb`), so
    a crash before then loses only the staging copy. DuckDB flushed its WAL at each table's
    CREATE and again at its key: wall time waiting on the disk (docs/benchmarks.md)."""
    settings = "SELECT count(*) FROM duckdb_settings() WHERE name = 'fsync_mode'"
    if (db.execute(settings).fetchone() or (0,))[0]:
        db.execute("SET fsync_mode = 'NONE'")


def _bounded(db: duckdb.DuckDBPyConnection, spill: Path) -> None:
    """DuckDB's memory capped for the load (:data:`MEMORY_LIMIT`, :data:`THREADS`), its
    spills in ``spill``, inside the staging directory that is removed with it."""
    folder = str(spill).replace("'", "''")
    db.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    db.execute(f"SET threads = {THREADS}")
    db.execute(f"SET temp_directory = '{folder}'")


def _quoted(columns: tuple[str, ...]) -> str:
    return ", ".join(f'"{column}"' for column in columns)
