"""Normalized tables: ``export --format parquet|csv --out DIR`` writes one file per table.

The tables and their columns are the media type's (its
:class:`~tmdb_collector.media.table_sets.TableSet`) and documented in ``docs/tables.md``;
:mod:`tmdb_collector.media.table_schema` holds the machinery.

* Streamed: items are read from the database cursor in batches of at most :data:`BATCH_SIZE`
  items and :data:`BATCH_BYTES` of stored JSON, so memory depends on the batch, never on the
  collection. Provenance is merged in by item id alongside (both cursors are ordered by id),
  which also restricts it to the items that are exported.
* Parallel: each batch's bodies are decompressed and its tables built on a pool of
  :data:`WORKERS` threads (zstd and pyarrow work without the GIL), at most ``WORKERS + 1``
  batches waiting or being built; the main thread reads the database, and one writer thread
  writes the finished batches in the order they were read, so the files are the same as a
  one-thread export's. Measured in ``docs/benchmarks.md``.
* Atomic: every table, and the export's ``manifest.json``, is written into a hidden staging
  directory inside DIR and moved into place only when all of them are complete. On any failure
  the staging directory is removed, existing files in DIR are left as they were, and an
  :class:`ExportError` explains what happened.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections import deque
from collections.abc import Callable, Container, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq

from tmdb_collector.errors import ExportError, UsageError
from tmdb_collector.export import columnar
from tmdb_collector.export.arrow_types import arrow_schema
from tmdb_collector.export.atomic import check_output_dir, staging_directory
from tmdb_collector.export.atomic import error_reason as _reason
from tmdb_collector.export.atomic import fsync_path as _fsync_file
from tmdb_collector.export.csv_text import rows_text, table_csv
from tmdb_collector.export.formats import TABLE_FORMATS
from tmdb_collector.export.manifest import MANIFEST_NAME, build_manifest, manifest_text
from tmdb_collector.history.tables import HISTORY_TABLES, history_tables
from tmdb_collector.media import MediaType
from tmdb_collector.media.table_schema import Column, Row
from tmdb_collector.media.table_sets import PROVENANCE, TableSet
from tmdb_collector.store.codec import Codec, stored_length
from tmdb_collector.store.store import RawItemRow, Store

BATCH_SIZE = 500  # movies per batch at most; tests lower it
BATCH_BYTES = 8 << 20  # stored JSON per batch at most (a batch has at least one movie)
ROW_GROUP_BYTES = 4 << 20  # a parquet row group gathers batches' rows up to this (Arrow) size
WORKERS = max(1, min(4, os.cpu_count() or 1))  # threads building batches' tables
_T = TypeVar("_T")


class _ParquetSink:
    """One table's parquet file. Batches are gathered into row groups of about
    :data:`ROW_GROUP_BYTES` (in Arrow): a row group per batch made small row groups, which
    wrote slower and compressed worse (docs/benchmarks.md)."""

    def __init__(self, path: Path, columns: tuple[Column, ...]) -> None:
        self.path = path
        self.schema = arrow_schema(columns)
        statistics = self.statistics_for(self.schema)
        self._writer: Any = pq.ParquetWriter(str(path), self.schema, write_statistics=statistics)
        self._open = True
        self._pending: list[Any] = []
        self._pending_bytes = 0
        self.rows = 0

    @staticmethod
    def statistics_for(schema: Any) -> list[str]:
        """Min/max statistics for the columns readers filter on (ids, numbers, dates): those
        of text and list columns cost a third of the writing and are of little use."""
        return [
            field.name
            for field in schema
            if not (pa.types.is_string(field.type) or pa.types.is_list(field.type))
        ]

    @staticmethod
    def prepare(table: Any) -> Any:
        return table  # the batch's rows stay a ``pa.Table`` until they are written

    def write(self, table: Any) -> None:
        """One batch's rows (a ``pa.Table``), written once a row group's worth is gathered."""
        self.rows += table.num_rows
        self._pending.append(table)
        self._pending_bytes += table.nbytes
        if self._pending_bytes >= ROW_GROUP_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            rows = pa.concat_tables(self._pending)
            self._pending, self._pending_bytes = [], 0
            self._writer.write_table(rows, row_group_size=max(1, rows.num_rows))

    def close(self) -> None:
        self._flush()
        self._open = False
        self._writer.close()
        _fsync_file(self.path)

    def abort(self) -> None:
        if self._open:
            self._open = False
            with contextlib.suppress(Exception):
                self._writer.close()


@dataclass(frozen=True)
class _CsvBatch:
    """One batch's rows of a table as CSV bytes, made on a build thread."""

    num_rows: int
    data: bytes

    def __len__(self) -> int:
        return self.num_rows


class _CsvSink:
    """One table's CSV file: UTF-8, a header row, RFC 4180 quoting and CRLF line ends."""

    def __init__(self, path: Path, columns: tuple[Column, ...]) -> None:
        self.path = path
        self._file: IO[bytes] = open(path, "wb")  # noqa: SIM115
        self._file.write(rows_text([[column.name for column in columns]]).encode())
        self.rows = 0

    @staticmethod
    def prepare(table: Any) -> _CsvBatch:
        return _CsvBatch(table.num_rows, table_csv(table))

    def write(self, batch: _CsvBatch) -> None:
        self.rows += batch.num_rows
        self._file.write(batch.data)

    def close(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()


_Sink = _ParquetSink | _CsvSink


class _Provenance:
    """Provenance rows for each exported movie, walked in step with the movies (both by id)."""

    def __init__(self, rows: Iterator[tuple[int, str, int | None, str, int, int]]) -> None:
        self._rows = rows
        self._next = next(rows, None)

    def rows_for(self, movie_id: int) -> list[Row]:
        found: list[Row] = []
        while self._next is not None and self._next[0] <= movie_id:
            if self._next[0] == movie_id:
                found.append(tuple(self._next))
            self._next = next(self._rows, None)
        return found


def export_tables(
    store: Store,
    fmt: str,
    out: Path,
    parts: Sequence[str] | None = None,
    *,
    include_removed: bool = False,
) -> int:
    """Write the tables of ``parts`` (default: the collection's) as ``fmt`` files into
    directory ``out``; returns the number of items (those gone from the daily export only with
    ``include_removed``)."""
    parts = store.plan().parts if parts is None else tuple(parts)
    tables = store.media_type.tables
    names = tables.names(parts)
    if fmt not in TABLE_FORMATS:
        raise UsageError(f"unknown table format {fmt!r}; choose one of {', '.join(TABLE_FORMATS)}")
    created = _prepare_directory(out)
    done = False
    try:
        staging = staging_directory(out)
        try:
            count, rows = _write_tables(store, fmt, staging, parts, tables, names, include_removed)
            manifest = manifest_text(build_manifest(store, fmt, rows, parts=parts))
            (staging / MANIFEST_NAME).write_text(manifest, encoding="utf-8")
            _fsync_file(staging / MANIFEST_NAME)
            _publish(staging, out, [*rows, MANIFEST_NAME])
        except (OSError, pa.ArrowException) as exc:
            raise ExportError(
                f"could not write the {fmt} tables to {out} ({_reason(exc)});"
                " existing files there are unchanged"
            ) from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        done = True
    finally:
        if created and not done:
            with contextlib.suppress(OSError):
                out.rmdir()  # only if empty: we made it, and nothing was published
    return count


def earlier_tables(store: Store, fmt: str, out: Path) -> list[str]:
    """Files in ``out`` named like one of the collection's tables that the export just written
    there (its ``manifest.json``) does not list: left by an earlier export of other parts."""
    try:
        manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
        listed = {entry["name"] for entry in manifest["export"]["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return []
    names = (f"{table}.{fmt}" for table in store.media_type.tables.tables)
    return [name for name in names if name not in listed and (out / name).is_file()]


def _prepare_directory(out: Path) -> bool:
    """Check ``out``, creating it when its parent exists. Returns whether it was created."""
    if out.exists() and not out.is_dir():
        raise UsageError(
            f"--out {out} is a file; parquet and csv exports write one file per table"
            " into a directory"
        )
    created = False
    if not out.exists():
        parent = out.absolute().parent
        if not parent.exists():
            raise UsageError(f"cannot create --out {out}: directory {parent} does not exist")
        if not parent.is_dir():
            raise UsageError(f"cannot create --out {out}: {parent} is not a directory")
        try:
            out.mkdir()
            created = True
        except FileExistsError:
            pass  # created meanwhile, or a dangling symlink; check_output_dir decides
        except OSError as exc:
            raise UsageError(f"cannot create --out {out}: {_reason(exc)}") from None
    check_output_dir(out)
    return created


def _write_tables(
    store: Store,
    fmt: str,
    staging: Path,
    parts: Sequence[str],
    tables: TableSet,
    names: Sequence[str],
    include_removed: bool,
) -> tuple[int, dict[str, int]]:
    """Write the tables ``names`` into ``staging``; returns the items and each file's rows."""
    sink_type = _ParquetSink if fmt == "parquet" else _CsvSink
    sinks: dict[str, _Sink] = {}
    # Both cursors' generators are closed here, not whenever they are garbage-collected.
    with (
        _closing(store.iter_stored_items(parts, include_removed=include_removed)) as movies,
        _closing(store.iter_provenance()) as provenance,
    ):
        try:
            for table in names:
                sinks[table] = sink_type(staging / f"{table}.{fmt}", tables.tables[table])
            count = _stream(movies, parts, tables, _Provenance(provenance), sinks, store.codec)
            for table, table_rows in history_tables(store, parts, include_removed=include_removed):
                sinks[table] = sink_type(staging / f"{table}.{fmt}", HISTORY_TABLES[table])
                while chunk := list(islice(table_rows, BATCH_SIZE)):
                    sinks[table].write(
                        sink_type.prepare(columns_table(HISTORY_TABLES[table], chunk))
                    )
            _write_linked(store, staging, sink_type, sinks, fmt)
            for sink in sinks.values():
                sink.close()
        except BaseException:
            for sink in sinks.values():
                sink.abort()
            raise
    return count, {sink.path.name: sink.rows for sink in sinks.values()}


def linked_names(media: MediaType, parts: Sequence[str], taken: Container[str]) -> dict[str, str]:
    """The tables of the linked entity type ``media`` (of ``parts``) that an export writes,
    each with its name there: ``linked_<table>`` when ``taken`` (the tables written before)
    has one of that name, as a TV export's own ``networks``."""
    return {
        table: f"linked_{table}" if table in taken else table
        for table in media.linked_tables
        if table in media.tables.names(parts)
    }


def _write_linked(
    store: Store, staging: Path, sink_type: type[_Sink], sinks: dict[str, _Sink], fmt: str
) -> None:
    """The linked entities the collection holds (``collect --linked``): each entity type's
    ``linked_tables``, built from its bodies as its own collection's are, added to ``sinks``."""
    for media in store.held_linked().values():
        parts = store.linked_parts(media)
        tables = media.tables
        names = linked_names(media, parts, sinks)
        for table, name in names.items():
            sinks[name] = sink_type(staging / f"{name}.{fmt}", tables.tables[table])
        rows = (
            (key, details.encode(), tuple(body.encode() for body in bodies))
            for key, details, bodies in store.iter_linked(media.name, parts)
        )
        for batch in _batches(rows):
            built = batch_tables(batch, parts, tables)
            _write({names[t]: sink_type.prepare(built[t]) for t in names if t in built}, sinks)


def _stream(
    movies: Iterator[RawItemRow],
    parts: Sequence[str],
    tables: TableSet,
    provenance: _Provenance,
    sinks: dict[str, _Sink],
    coder: Codec,
) -> int:
    """Turn the movies (as stored) into tables a batch at a time. This thread reads the
    batches; they are decompressed and built on :data:`WORKERS` threads, and one writer
    thread writes each to every table's file, one batch after the other in the order they were
    read, stopping at the first failure."""
    count = 0
    prepare = next(iter(sinks.values())).prepare if sinks else _ParquetSink.prepare
    builds: deque[Future[dict[str, Any]]] = deque()
    writing: Future[None] | None = None
    with (
        ThreadPoolExecutor(WORKERS, thread_name_prefix="export-build") as pool,
        ThreadPoolExecutor(1, thread_name_prefix="export-write") as writer,
    ):

        def write_next() -> Future[None]:
            built = builds.popleft().result()
            if writing is not None:
                writing.result()  # raises if the batch before failed to be written
            return writer.submit(_write, built, sinks)

        try:
            for batch in _batches(movies):
                rows = [row for item in batch for row in provenance.rows_for(item[0])]
                builds.append(pool.submit(_built, coder, batch, parts, tables, rows, prepare))
                count += len(batch)
                if len(builds) > WORKERS:
                    writing = write_next()
            while builds:
                writing = write_next()
            if writing is not None:
                writing.result()
        except BaseException:
            for future in builds:
                future.cancel()
            raise
    return count


def _batches(movies: Iterator[RawItemRow]) -> Iterator[list[RawItemRow]]:
    """Consecutive movies, :data:`BATCH_SIZE` or :data:`BATCH_BYTES` of JSON (decompressed)
    at most."""
    batch: list[RawItemRow] = []
    size = 0
    for item in movies:
        batch.append(item)
        size += stored_length(item[1]) + sum(stored_length(body) for body in item[2])
        if len(batch) >= BATCH_SIZE or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _built(
    coder: Codec,
    stored: Sequence[RawItemRow],
    parts: Sequence[str],
    tables: TableSet,
    provenance: list[Row],
    prepare: Callable[[Any], Any],
) -> dict[str, Any]:
    """A batch's tables, each made ready for its file (:meth:`_CsvSink.prepare`)."""
    built = batch_tables(coder.decode_rows(stored), parts, tables)
    built[PROVENANCE] = rows_table(PROVENANCE, provenance, tables)
    return {name: prepare(table) for name, table in built.items() if table.num_rows}


def _write(built: dict[str, Any], sinks: dict[str, _Sink]) -> None:
    for name, table in built.items():
        if table.num_rows:
            sinks[name].write(table)


def batch_tables(
    batch: Sequence[RawItemRow], parts: Sequence[str], tables: TableSet
) -> dict[str, Any]:
    """Every table's rows for a batch of items, but provenance: each body's tables by the
    columnar fast path where it has one and the batch is regular, else row by row."""
    ids = pa.array([item[0] for item in batch], pa.int64())
    built: dict[str, Any] = {}
    columns = [("details", [item[1] for item in batch])]
    columns += [(part, [item[2][i] for item in batch]) for i, part in enumerate(parts)]
    fast_paths = columnar.fast_paths(tables)
    for part, texts in columns:
        fast = fast_paths.get(part)
        if fast is not None:
            try:
                built.update(fast(ids, texts))
                continue
            except (columnar.Irregular, pa.ArrowInvalid, pa.ArrowTypeError):
                pass  # built row by row below, exactly as the builders define
        built.update(_row_by_row(part, batch, texts, tables))
    return built


def _row_by_row(
    part: str,
    batch: Sequence[RawItemRow],
    texts: Sequence[bytes],
    tables: TableSet,
) -> dict[str, Any]:
    rows: dict[str, list[Row]] = {}
    for item, text in zip(batch, texts, strict=True):
        try:
            built = tables.body_rows(part, item[0], text)
        except json.JSONDecodeError as exc:
            raise ExportError(
                f"the stored data of item {item[0]} is not valid JSON ({exc.msg});"
                " nothing was written"
            ) from None
        except UnicodeDecodeError:
            raise ExportError(
                f"the stored data of item {item[0]} is not valid UTF-8; nothing was written"
            ) from None
        for name, table_rows in built.items():
            rows.setdefault(name, []).extend(table_rows)
    return {name: rows_table(name, table_rows, tables) for name, table_rows in rows.items()}


def rows_table(name: str, rows: list[Row], tables: TableSet) -> Any:
    """Rows (tuples in column order) -> a ``pa.Table`` of table ``name``'s schema."""
    return columns_table(tables.tables[name], rows)


def columns_table(spec: tuple[Column, ...], rows: list[Row]) -> Any:
    """Rows (tuples in column order) -> a ``pa.Table`` of the columns ``spec``."""
    schema = arrow_schema(spec)
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(schema)
    arrays = [
        pa.array(column, type=field.type) for column, field in zip(columns, schema, strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


@contextlib.contextmanager
def _closing(rows: Iterator[_T]) -> Iterator[Iterator[_T]]:
    """Close a generator (and so its database cursor) when the block ends, however it ends."""
    try:
        yield rows
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()


def _publish(staging: Path, out: Path, names: list[str]) -> None:
    """Move the finished files into ``out``; if one move fails, put the earlier ones back."""
    moved: list[tuple[Path, Path | None, bool]] = []
    try:
        for name in names:
            target = out / name
            existed = target.exists()
            backup: Path | None = staging / f"{name}.previous"
            try:
                os.link(target, staging / f"{name}.previous")
            except OSError:
                backup = None  # nothing there yet, or no hard links on this filesystem
            os.replace(staging / name, target)
            moved.append((target, backup, existed))
    except OSError:
        for target, backup, existed in reversed(moved):
            with contextlib.suppress(OSError):
                if backup is not None:
                    os.replace(backup, target)
                elif not existed:
                    target.unlink()
        raise
    _fsync_file(out)
