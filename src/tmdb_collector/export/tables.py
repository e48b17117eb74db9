"""Normalized tables: ``export --format parquet|csv --out DIR`` writes one file per table.

The tables and their columns are the media type's (its
:class:`~tmdb_collector.media.table_sets.TableSet`) and documented in ``docs/tables.md``;
:mod:`tmdb_collector.media.table_schema` holds the machinery.

* Streamed: items are read from the database cursor in batches of at most :data:`BATCH_SIZE`
  items and :func:`batch_bytes` of stored JSON, so memory depends on the batch, never on the
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
import functools
import json
import os
import shutil
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any, TypeVar

import pyarrow as pa

from tmdb_collector.errors import ExportError, UsageError
from tmdb_collector.export import columnar
from tmdb_collector.export.arrow_types import arrow_schema, columns_table
from tmdb_collector.export.atomic import check_output_dir, staging_directory
from tmdb_collector.export.atomic import error_reason as _reason
from tmdb_collector.export.atomic import fsync_path as _fsync_file
from tmdb_collector.export.availability_table import Current, InStep, batch_table
from tmdb_collector.export.csv_text import rows_text, table_csv
from tmdb_collector.export.formats import FORMATS, TABLE_FORMATS
from tmdb_collector.export.history_batches import history_batches
from tmdb_collector.export.linked_names import linked_names
from tmdb_collector.export.localize import LOCALIZED, Localizer
from tmdb_collector.export.manifest import (
    MANIFEST_NAME,
    build_manifest,
    manifest_text,
    read_listed,
)
from tmdb_collector.history.tables import AVAILABILITY, HISTORY_TABLES
from tmdb_collector.media.links import DETAILS
from tmdb_collector.media.rows import WATCH_PROVIDERS
from tmdb_collector.media.table_schema import Column, Row
from tmdb_collector.media.table_sets import PROVENANCE, TableSet
from tmdb_collector.store.codec import Codec, stored_length
from tmdb_collector.store.store import RawItemRow, Store

BATCH_SIZE = 500  # items per batch at most; tests lower it
# A batch of items holds at most 1 MiB of JSON (decompressed) per body read of each item, and
# from BATCH_BYTES to MOST_BATCH_BYTES (a batch has at least one item): each batch's build has
# a fixed cost of ~0.5 ms a part (the JSON reader's set-up, ~20 compute calls), 13% of the
# builds' CPU with all 13 parts in 8 MiB batches (docs/benchmarks.md, "#24/#22 table exports'
# CPU, fourth round"). See batch_bytes.
BATCH_BYTES = 8 << 20
BODY_BATCH_BYTES = 1 << 20
MOST_BATCH_BYTES = 12 << 20
# A linked entity's batch: its tables take ~3.5 times its JSON in memory while built (a person's
# credits), and WORKERS + 1 batches are in hand; 3 MiB cost ~5% less CPU than 2 MiB for 3 MiB
# more peak RSS with 100,000 people (docs/benchmarks.md, "#22 people's tables").
ENTITY_BATCH_BYTES = 3 << 20
ROW_GROUP_BYTES = 4 << 20  # a parquet row group gathers batches' rows up to this (Arrow) size
WORKERS = max(1, min(4, os.cpu_count() or 1))  # threads building batches' tables
_T = TypeVar("_T")


class _ParquetSink:
    """One table's parquet file. Batches are gathered into row groups of about
    :data:`ROW_GROUP_BYTES` (in Arrow): a row group per batch made small row groups, which
    wrote slower and compressed worse (docs/benchmarks.md). The file is opened by its first
    row group, or by :meth:`close` (see :meth:`_file`)."""

    def __init__(self, path: Path, columns: tuple[Column, ...]) -> None:
        self.path = path
        self.schema = arrow_schema(columns)
        self._writer: Any = None
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
            self._file().write_table(rows, row_group_size=max(1, rows.num_rows))

    def _file(self) -> Any:
        """The file's writer, opened now if it is not yet: by the writer thread, so that the
        import of ``pyarrow.parquet`` (~0.03 CPU s, docs/benchmarks.md "#22 people's tables:
        the start") runs beside the first batches' builds, not before them."""
        if self._writer is None:
            import pyarrow.parquet as pq

            statistics = self.statistics_for(self.schema)
            self._writer = pq.ParquetWriter(
                str(self.path), self.schema, write_statistics=statistics
            )
        return self._writer

    def close(self) -> None:
        self._flush()
        self._open = False
        self._file().close()

    def abort(self) -> None:
        if self._open:
            self._open = False
            if self._writer is not None:
                with contextlib.suppress(Exception):
                    self._writer.close()


@dataclass(frozen=True)
class _CsvBatch:
    """One batch's rows of a table as CSV bytes, made on a build thread."""

    num_rows: int
    data: memoryview

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
        self._file.close()

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()


_Sink = _ParquetSink | _CsvSink


class _Provenance:
    """Provenance rows for each exported item, walked in step with the items (both by id)."""

    def __init__(self, rows: Iterator[tuple[int, str, int | None, str, int, int]]) -> None:
        self._rows = rows
        self._next = next(rows, None)

    def rows_for(self, item_id: int) -> list[Row]:
        found: list[Row] = []
        while self._next is not None and self._next[0] <= item_id:
            if self._next[0] == item_id:
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
    localizer: Localizer | None = None,
    tables: Sequence[str] | None = None,
    durable: bool = True,
) -> int:
    """Write the tables of ``parts`` (default: the collection's) as ``fmt`` files into
    directory ``out``, only those named in ``tables`` if given (see :func:`chosen_tables`);
    returns the number of items (those gone from the daily export only with
    ``include_removed``). A ``localizer`` adds the ``localized`` table (export --language).
    ``durable=False``: no file is flushed to disk (fsync), for a copy that is read once and
    deleted (the duckdb export's staging tables)."""
    parts = store.plan().parts if parts is None else tuple(parts)
    if fmt not in TABLE_FORMATS:
        raise UsageError(f"unknown table format {fmt!r}; choose one of {', '.join(TABLE_FORMATS)}")
    wanted = chosen_tables(store, parts, tables)
    created = _prepare_directory(out)
    done = False
    try:
        staging = staging_directory(out)
        try:
            count, rows = _write_tables(
                store, fmt, staging, parts, wanted, include_removed, durable
            )
            if localizer is not None:
                rows |= _write_localized(
                    store, fmt, staging, parts, localizer, include_removed, durable
                )
            locale = None if localizer is None else localizer.locale
            manifest = manifest_text(build_manifest(store, fmt, rows, parts=parts, locale=locale))
            (staging / MANIFEST_NAME).write_text(manifest, encoding="utf-8")
            if durable:
                _fsync_file(staging / MANIFEST_NAME)
            _publish(staging, out, [*rows, MANIFEST_NAME], durable)
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
        listed = read_listed(out, directory=True).files
    except (OSError, ValueError):
        return []
    names = (f"{table}.{fmt}" for table in [*store.media_type.tables.tables, LOCALIZED])
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
        if out.suffix.lower().lstrip(".") in FORMATS:
            raise UsageError(
                f"--out {out} names a file, but parquet and csv exports write one file per"
                f" table into a directory: name the directory (e.g. --out {out.parent})"
            )
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


def table_names(store: Store, parts: Sequence[str]) -> list[str]:
    """Every table a table export of ``parts`` writes, in order: the items', the history's,
    then the linked entities'."""
    names = _own_names(store, parts)
    linked = linked_names(store, set(names))
    return names + [name for _, named in linked for name in named.values()]


def _own_names(store: Store, parts: Sequence[str]) -> list[str]:
    """The items' and the history's tables of an export of ``parts``."""
    names = list(store.media_type.tables.names(parts))
    return names + [table for table, _ in history_batches(store, parts, BATCH_SIZE)]


def chosen_tables(
    store: Store, parts: Sequence[str], tables: Sequence[str] | None
) -> frozenset[str]:
    """The tables an export of ``parts`` writes: all (``tables`` None) or those named in
    ``tables`` (``export --tables``), each of which must be one of them."""
    names = table_names(store, parts)
    if tables is None:
        return frozenset(names)
    unknown = [name for name in tables if name not in names]
    if unknown or not tables:
        which = f"no table {', '.join(unknown)} in" if unknown else "no table named for"
        raise UsageError(
            f"--tables: {which} this export of {store.media_type.plural};"
            f" choose from {', '.join(names)}"
        )
    return frozenset(tables)


def _write_tables(
    store: Store,
    fmt: str,
    staging: Path,
    parts: Sequence[str],
    wanted: frozenset[str],
    include_removed: bool,
    durable: bool = True,
) -> tuple[int, dict[str, int]]:
    """Write the tables ``wanted`` into ``staging``; returns the items and each file's rows.
    Only the bodies those tables are built from are read and parsed; each file is flushed to
    disk if ``durable``."""
    sink_type = _ParquetSink if fmt == "parquet" else _CsvSink
    tables = store.media_type.tables
    sinks: dict[str, _Sink] = {}
    count = [0]  # items read so far, counted as they are read
    with contextlib.ExitStack() as cursors:
        try:
            for table in tables.names(parts):
                if table in wanted:
                    sinks[table] = sink_type(staging / f"{table}.{fmt}", tables.tables[table])
            streams: list[Iterator[Job]] = []
            in_step = _in_step(store, parts, wanted, set(sinks), include_removed, cursors)
            if sinks:
                streams.append(
                    _item_jobs(store, parts, set(sinks), include_removed, count, cursors, in_step)
                )
            else:
                count[0] = store.count_exported(parts, include_removed=include_removed)
            for table, batches in history_batches(
                store, parts, BATCH_SIZE, include_removed=include_removed
            ):
                if table in wanted:
                    sinks[table] = sink_type(staging / f"{table}.{fmt}", HISTORY_TABLES[table])
                    if not (table == AVAILABILITY and in_step is not None):
                        streams.append(_table_jobs(table, batches))
            taken = set(_own_names(store, parts))
            streams += _linked_jobs(store, staging, sink_type, sinks, fmt, wanted, taken, cursors)
            _stream(_interleaved(streams), sinks)
            _close(list(sinks.values()), durable)
        except BaseException:
            for sink in sinks.values():
                sink.abort()
            raise
    return count[0], {sink.path.name: sink.rows for sink in sinks.values()}


def _close(sinks: list[_Sink], durable: bool) -> None:
    """Close every file: each one's last row group and its fsync (if ``durable``) on
    :data:`WORKERS` threads at once (they work without Python's lock), not one after the other
    after the last batch."""
    with ThreadPoolExecutor(WORKERS, thread_name_prefix="export-close") as pool:
        closing = [pool.submit(_closed, sink, durable) for sink in sinks]
        for future in closing:
            future.result()


def _closed(sink: _Sink, durable: bool) -> None:
    sink.close()
    if durable:
        _fsync_file(sink.path)


def _write_localized(
    store: Store,
    fmt: str,
    staging: Path,
    parts: Sequence[str],
    localizer: Localizer,
    include_removed: bool,
    durable: bool,
) -> dict[str, int]:
    """The ``localized`` table (export/localize.py), from a second read of the items; returns
    its file's rows."""
    spec = localizer.columns(store.media_type.id_column)
    sink = (_ParquetSink if fmt == "parquet" else _CsvSink)(staging / f"{LOCALIZED}.{fmt}", spec)
    rows = localizer.table_rows(store, parts, include_removed=include_removed)
    try:
        while chunk := list(islice(rows, BATCH_SIZE)):
            sink.write(sink.prepare(columns_table(spec, chunk)))
        _closed(sink, durable)
    except BaseException:
        sink.abort()
        raise
    finally:
        rows.close()
    return {sink.path.name: sink.rows}


Job = Callable[[], dict[str, Any]]  # builds one batch's tables: name -> ``pa.Table``


def _in_step(
    store: Store,
    parts: Sequence[str],
    wanted: frozenset[str],
    items: set[str],
    include_removed: bool,
    cursors: contextlib.ExitStack,
) -> InStep | None:
    """The titles' ``watch/providers`` versions read in step with the items, when the
    ``availability`` table is wanted and the items' batches build ``watch_providers`` (whose
    parse it then reuses: export/availability_table.py); else None."""
    tables = store.media_type.tables
    own = tables.part_tables.get(WATCH_PROVIDERS, ())
    if AVAILABILITY not in wanted or WATCH_PROVIDERS not in parts or not set(own) & items:
        return None
    if len(own) != 1 or WATCH_PROVIDERS not in columnar.fast_paths(tables):
        return None
    in_step = InStep(store, include_removed=include_removed)
    cursors.callback(in_step.close)
    return in_step


def _item_jobs(
    store: Store,
    parts: Sequence[str],
    wanted: set[str],
    include_removed: bool,
    count: list[int],
    cursors: contextlib.ExitStack,
    in_step: InStep | None = None,
) -> Iterator[Job]:
    """The collection's items a batch at a time (read here, decompressed and built by the
    job), their provenance merged in: only the bodies the ``wanted`` tables are built from
    are read, of the items that hold every one of ``parts``. With ``in_step``, each batch
    builds the ``availability`` rows of the titles up to its last item, and the titles after
    the last item follow as jobs of their own."""
    tables = store.media_type.tables
    read, details = tables.sources(parts, wanted)
    bodies = None if len(read) == len(parts) else read
    # The cursors' generators are closed with the export, not whenever they are collected.
    items = cursors.enter_context(
        _closing(store.iter_stored_items(parts, include_removed=include_removed, bodies=bodies))
    )
    provenance = _Provenance(cursors.enter_context(_closing(store.iter_provenance())))
    columns = HISTORY_TABLES[AVAILABILITY]
    if in_step is not None:
        wanted = wanted | {AVAILABILITY}
    for batch in _batches(items, batch_bytes(len(read) + details)):
        rows = [row for item in batch for row in provenance.rows_for(item[0])]
        count[0] += len(batch)
        history = None
        if in_step is not None:
            titles = in_step.through(batch[-1][0])
            history = functools.partial(
                batch_table, titles, store.codec, columns, in_step.build, in_step.id_column
            )
        yield functools.partial(
            _built, store.codec, batch, read, tables, rows, wanted, details, history
        )
    if in_step is not None:
        for titles in in_step.rest():
            table = functools.partial(
                batch_table, titles, store.codec, columns, in_step.build, in_step.id_column
            )
            yield functools.partial(_named, AVAILABILITY, table)


def _table_jobs(table: str, batches: Iterator[Callable[[], Any]]) -> Iterator[Job]:
    """One table's batches (each a function that builds its ``pa.Table``) as jobs."""
    for batch in batches:
        yield functools.partial(_named, table, batch)


def _named(table: str, batch: Callable[[], Any]) -> dict[str, Any]:
    return {table: batch()}


def _linked_jobs(
    store: Store,
    staging: Path,
    sink_type: type[_Sink],
    sinks: dict[str, _Sink],
    fmt: str,
    wanted: frozenset[str],
    taken: set[str],
    cursors: contextlib.ExitStack,
) -> list[Iterator[Job]]:
    """The linked entities the collection holds (``collect --linked``): each entity type's
    ``linked_tables`` that are ``wanted``, built from its bodies as its own collection's
    are, their files added to ``sinks`` now and their batches as jobs; ``taken``: the other
    tables' names (see :func:`linked_names`)."""
    streams = []
    for media, all_names in linked_names(store, taken):
        names = {table: name for table, name in all_names.items() if name in wanted}
        if not names:
            continue
        for table, name in names.items():
            sinks[name] = sink_type(staging / f"{name}.{fmt}", media.tables.tables[table])
        parts = store.linked_parts(media)
        streams.append(_entity_jobs(store, media.name, parts, media.tables, names, cursors))
    return streams


def _entity_jobs(
    store: Store,
    entity: str,
    parts: Sequence[str],
    tables: TableSet,
    names: dict[str, str],
    cursors: contextlib.ExitStack,
) -> Iterator[Job]:
    """An entity type's held records a batch at a time, read here as stored and decompressed
    and built by the job (on a build thread), as :func:`_item_jobs` does the items': only the
    bodies the tables in ``names`` are built from are read, in batches of at most
    :data:`ENTITY_BATCH_BYTES`."""
    read, details = tables.sources(parts, names)
    rows = cursors.enter_context(_closing(store.iter_linked_raw(entity, parts, read)))
    for batch in _batches(rows, ENTITY_BATCH_BYTES):
        yield functools.partial(entity_tables, store.codec, batch, read, tables, names, details)


def entity_tables(
    coder: Codec,
    stored: Sequence[RawItemRow],
    parts: Sequence[str],
    tables: TableSet,
    names: dict[str, str],
    details: bool = True,
) -> dict[str, Any]:
    """A batch of an entity type's tables named in ``names`` (under the names given there),
    from its records as stored (the details, and the bodies of ``parts``): decompressed here,
    on the calling (build) thread."""
    built = batch_tables(stored, parts, tables, details=details, decode=coder.decode)
    return {names[table]: built[table] for table in names if table in built}


def _interleaved(streams: list[Iterator[Job]]) -> Iterator[Job]:
    """The jobs of every stream, one of each in turn, so that the tables built from other
    reads (history, linked entities) are built beside the items' instead of after them."""
    active = list(streams)
    while active:
        for stream in list(active):
            job = next(stream, None)
            if job is None:
                active.remove(stream)
            else:
                yield job


def _stream(jobs: Iterator[Job], sinks: dict[str, _Sink]) -> None:
    """Run the jobs (each reads its batch here) on :data:`WORKERS` threads: the batches are
    decompressed and built there, made ready for their files, and one writer thread writes
    each to its tables' files, one batch after the other in the order they were read,
    stopping at the first failure."""
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
            for job in jobs:
                builds.append(pool.submit(_prepared, job, prepare))
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


def _prepared(job: Job, prepare: Callable[[Any], Any]) -> dict[str, Any]:
    """A job's tables that have rows, each made ready for its file (:meth:`_CsvSink.prepare`)."""
    return {name: prepare(table) for name, table in job().items() if table.num_rows}


def batch_bytes(bodies: int) -> int:
    """The most JSON a batch of items holds when ``bodies`` of each item are read: 1 MiB a
    body, from :data:`BATCH_BYTES` to :data:`MOST_BATCH_BYTES` (the default parts: 8 MiB;
    all 13 parts: 12 MiB, which with the bodies decoded a part at a time peaks no higher
    than 8 MiB did with the whole batch decoded at once)."""
    return min(MOST_BATCH_BYTES, max(BATCH_BYTES, bodies * BODY_BATCH_BYTES))


def _batches(
    items: Iterator[RawItemRow], most_bytes: int = BATCH_BYTES
) -> Iterator[list[RawItemRow]]:
    """Consecutive items, :data:`BATCH_SIZE` or ``most_bytes`` of JSON (decompressed) at
    most."""
    batch: list[RawItemRow] = []
    size = 0
    for item in items:
        batch.append(item)
        size += stored_length(item[1]) + sum(stored_length(body) for body in item[2])
        if len(batch) >= BATCH_SIZE or size >= most_bytes:
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
    wanted: set[str],
    details: bool,
    availability: Callable[[Current | None], Any] | None = None,
) -> dict[str, Any]:
    """A batch of items' ``wanted`` tables, their provenance among them, from the bodies of
    ``parts`` (and the details when ``details``); with ``availability`` (which builds that
    table's rows), the ``availability`` rows, from this batch's ``watch_providers`` where
    its columnar path built it."""
    fast: set[str] = set()
    built = batch_tables(stored, parts, tables, details=details, fast=fast, decode=coder.decode)
    built[PROVENANCE] = rows_table(PROVENANCE, provenance, tables)
    if availability is not None:
        current = None
        if WATCH_PROVIDERS in fast:
            (name,) = tables.part_tables[WATCH_PROVIDERS]
            index = parts.index(WATCH_PROVIDERS)
            current = Current(built[name], {item[0]: item[2][index] for item in stored})
        built[AVAILABILITY] = availability(current)
    return {name: table for name, table in built.items() if name in wanted}


def _write(built: dict[str, Any], sinks: dict[str, _Sink]) -> None:
    for name, table in built.items():
        if table.num_rows:
            sinks[name].write(table)


def batch_tables(
    batch: Sequence[RawItemRow],
    parts: Sequence[str],
    tables: TableSet,
    *,
    details: bool = True,
    fast: set[str] | None = None,
    decode: Callable[[bytes], bytes] | None = None,
) -> dict[str, Any]:
    """Every table's rows for a batch of items, but provenance (and the details' tables
    only with ``details``): each body's tables by the columnar fast path where it has one
    and the batch is regular (the part added to ``fast``, if given), else row by row.
    With ``decode`` the batch is as stored, and each part's bodies are decoded just before
    its tables are built (so only one part's bodies are held decoded at a time)."""
    ids = pa.array([item[0] for item in batch], pa.int64())
    built: dict[str, Any] = {}
    fast_paths = columnar.fast_paths(tables)
    columns = [(DETAILS, -1)] if details else []
    for part, column in [*columns, *((part, i) for i, part in enumerate(parts))]:
        texts = [item[1] if column < 0 else item[2][column] for item in batch]
        if decode is not None:
            texts = list(map(decode, texts))
        fast_path = fast_paths.get(part)
        if fast_path is not None:
            try:
                built.update(fast_path(ids, texts))
                if fast is not None:
                    fast.add(part)
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


@contextlib.contextmanager
def _closing(rows: Iterator[_T]) -> Iterator[Iterator[_T]]:
    """Close a generator (and so its database cursor) when the block ends, however it ends."""
    try:
        yield rows
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()


def _publish(staging: Path, out: Path, names: list[str], durable: bool) -> None:
    """Move the finished files into ``out`` (and fsync it if ``durable``); if one move fails,
    put the earlier ones back."""
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
    if durable:
        _fsync_file(out)
