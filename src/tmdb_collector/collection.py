"""A collection database open for reading, the Python API's :class:`Collection`.

    with Collection.open("tmdb_collection.db") as collection:
        print(len(collection), collection.status()["stage"])
        for record in collection.items():       # the movies.json value shape, streamed
            ...
        crew = collection.table("crew")          # a pyarrow.Table
        collection.export("movies.duckdb", format="duckdb")

Its reads, exports and syncs of one collection; the runs that fill one (``collect``,
``update``, ``compact``, ``images``) are :mod:`tmdb_collector.api`'s, which gives this class
too. Documented in docs/python-api.md. Items may be TV series as well as movies:
:meth:`Collection.items` is the general name, :meth:`Collection.movies` the movies' one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tmdb_collector.errors import UsageError
from tmdb_collector.export.entities import entity_media, export_entity, iter_entity
from tmdb_collector.export.exporter import (
    export,
    export_parts,
    item_record_json,
    missing_from_export,
)
from tmdb_collector.export.formats import check_format
from tmdb_collector.export.localize import Localization, Localizer
from tmdb_collector.history.availability import Event
from tmdb_collector.history.availability import events as availability_events
from tmdb_collector.media import MediaType
from tmdb_collector.status import collection_status
from tmdb_collector.store.store import Store
from tmdb_collector.sync import DEFAULT_SCHEMA

# The sync loads where it runs (psycopg is not needed by the commands that do not sync).
if TYPE_CHECKING:
    from tmdb_collector.sync.run import SyncResult

PathLike = str | os.PathLike[str]


class Collection:
    """A collection database, open for reading. Use :meth:`open`, ideally as a context manager."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._tables: Path | None = None  # the parquet tables behind table(), made on first use
        self._locked = False  # whether this reader took the collector's lock to write

    @classmethod
    def open(cls, path: PathLike) -> Collection:
        """Open the database at ``path`` (made by ``collect``); never creates one."""
        return cls(Store.open_existing(Path(path)))

    @property
    def media(self) -> MediaType:
        """What the collection holds (movies or TV series), fixed when it was created."""
        return self._store.media_type

    @property
    def path(self) -> Path:
        return self._store.path

    def close(self) -> None:
        self._store.close()
        if self._tables is not None:
            shutil.rmtree(self._tables, ignore_errors=True)
            self._tables = None

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def status(self) -> dict[str, Any]:
        """Stage, counts and failures: the same data as ``tmdb-collector status --json``."""
        return collection_status(self._store)

    def availability(
        self,
        country: str,
        provider: str | int | None = None,
        since: dt.date | str | None = None,
    ) -> list[Event]:
        """Titles that arrived on or left a provider in ``country`` (on or after ``since``;
        ``provider`` an id or a name), by date: ``tmdb-collector availability``. Read from
        the watch providers' versions that refetches kept (see docs/history.md)."""
        chosen = None if provider is None else str(provider)
        return availability_events(self._store, country, chosen, since_day(since))

    def set_versions(self, keep: bool) -> None:
        """Keep part versions on later refetches (the default), or stop keeping them."""
        self._lock()
        self._store.set_versions(keep)

    def prune_versions(self, older_than_days: int) -> int:
        """Drop the past versions replaced more than ``older_than_days`` days before today;
        returns how many."""
        self._lock()
        return self._store.prune_versions(older_than_days, dt.datetime.now(dt.UTC).date())

    def _lock(self) -> None:
        """Take the collector's lock before a write (once: it is held until :meth:`close`)."""
        if not self._locked:
            self._store.lock()
            self._locked = True

    def __len__(self) -> int:
        """How many records :meth:`items` yields (with its defaults)."""
        return self._store.count_exported(export_parts(self._store, None))

    def items(
        self,
        parts: object = None,
        *,
        include_removed: bool = False,
        language: str | None = None,
        fallback: str | Sequence[str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every collected item in the ``movies.json`` value shape, by ascending id, streamed
        from the database (memory does not grow with the collection). ``parts`` (names, a
        comma-separated list or ``"all"``) defaults to the collection's; items lacking one
        are left out. These are the items :meth:`export` writes: those gone from TMDB's daily
        export (``removed`` by ``update --ids-from``) only with ``include_removed``; with a
        ``language`` (and ``fallback`` languages), each with its ``localized`` texts as
        :meth:`export` writes them."""
        chosen = export_parts(self._store, parts)
        localizer = self._localizer(chosen, language, fallback)
        rows = self._store.iter_items(chosen, include_removed=include_removed)
        try:
            for row in rows:
                yield json.loads(item_record_json(row, chosen, localizer))
        finally:
            close = getattr(rows, "close", None)  # the database cursor, even if not exhausted
            if close is not None:
                close()

    def movies(
        self, parts: object = None, *, include_removed: bool = False
    ) -> Iterator[dict[str, Any]]:
        """The collected movies: :meth:`items` for a movie collection."""
        return self.items(parts, include_removed=include_removed)

    def get(
        self,
        item_id: int,
        parts: object = None,
        *,
        include_removed: bool = False,
        language: str | None = None,
        fallback: str | Sequence[str] | None = None,
    ) -> dict[str, Any] | None:
        """One item's record as :meth:`items` yields it (with the same ``parts``,
        ``include_removed``, ``language`` and ``fallback``), or None if :meth:`items` leaves
        it out."""
        chosen = export_parts(self._store, parts)
        localizer = self._localizer(chosen, language, fallback)
        row = self._store.item_row(item_id, chosen, include_removed=include_removed)
        if row is None:
            return None
        return dict(json.loads(item_record_json(row, chosen, localizer)))

    def export(
        self,
        out: PathLike,
        format: str = "json",
        parts: object = None,
        *,
        include_removed: bool = False,
        as_of: dt.date | str | None = None,
        language: str | None = None,
        fallback: str | Sequence[str] | None = None,
        tables: object = None,
    ) -> int:
        """Write an export (json, jsonl, parquet, csv, duckdb) of ``parts`` (default: the
        collection's) to ``out``, atomically and with its manifest, as ``tmdb-collector
        export`` does; returns the number of items. Items gone from TMDB's daily export
        (``removed`` by ``update --ids-from``) only with ``include_removed``. ``as_of`` (a
        day) exports the collection as it was then: each part's version current that day,
        titles not yet collected left out (docs/history.md). ``language`` (``xx`` or
        ``xx-YY``) and ``fallback`` (languages in order, a list or comma-separated) add each
        item's texts in that language, from its ``translations`` part (export/localize.py):
        a ``localized`` object per record, or a ``localized`` table. ``tables`` (names or a
        comma-separated list; parquet, csv, duckdb): only those tables are built and
        written (``export --tables``)."""
        check_format(format)
        return export(
            self._store,
            format,
            Path(out),
            parts,
            include_removed=include_removed,
            locale=Localization.of(language, fallback),
            tables=tables,
            as_of=as_day(as_of, "as_of"),
        )

    def _localizer(
        self, parts: Sequence[str], language: str | None, fallback: str | Sequence[str] | None
    ) -> Localizer | None:
        locale = Localization.of(language, fallback)
        return None if locale is None else Localizer.of(locale, self._store.media_type, parts)

    def export_entity(self, entity: str, out: PathLike, format: str = "json") -> int:
        """Write the linked ``entity`` (people, collections, companies, networks) the
        collection holds to ``out`` as json or jsonl records ``{"id", "details", <part>...}``,
        as ``tmdb-collector export --entity`` does; returns how many."""
        return export_entity(self._store, entity, format, Path(out))

    def linked(self, entity: str) -> Iterator[dict[str, Any]]:
        """The linked ``entity``'s records (people, collections...), by id, each
        ``{"id", "details", <one key per part>}``."""
        parts = self._store.linked_parts(entity_media(self._store, entity))
        for row in iter_entity(self._store, entity):
            yield json.loads(item_record_json(row, parts))

    def earlier_tables(self, format: str, out: PathLike) -> list[str]:
        """After a ``format`` table export to directory ``out``: the files there named like
        this collection's tables that the export did not write (an earlier one's)."""
        from tmdb_collector.export.tables import earlier_tables

        return earlier_tables(self._store, format, Path(out))

    def sync(
        self,
        to: str,
        schema: str = DEFAULT_SCHEMA,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> SyncResult:
        """Bring the PostgreSQL schema ``schema`` at ``to`` (``postgresql://user@host:port/db``;
        the password from it, ``PGPASSWORD`` or ``~/.pgpass``) to this collection's tables, in
        one transaction: the first time every row, later only the titles and linked entities
        that changed since the last sync, as ``tmdb-collector sync`` does (docs/sync.md).
        ``progress(stage, done, total)`` is called as it goes."""
        # psycopg and the table builders load only when a sync runs, not at every CLI start
        from tmdb_collector.sync.run import sync as sync_to
        from tmdb_collector.sync.target import parse_target

        return sync_to(self._store, parse_target(to, schema), progress)

    def lacking(self, parts: object = None) -> int:
        """Collected items an export of ``parts`` leaves out because they lack one of them."""
        return missing_from_export(self._store, parts)

    def table(self, name: str) -> Any:
        """One normalized table (docs/tables.md) as a ``pyarrow.Table``.

        The first call exports every table to a private temporary directory (removed by
        :meth:`close`); later calls read from there, so they see the collection as it was then.
        """
        import pyarrow.parquet as pq

        if self._tables is None:
            folder = Path(tempfile.mkdtemp(prefix="tmdb-collector-tables-"))
            try:
                export(self._store, "parquet", folder)
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise
            self._tables = folder
        path = self._tables / f"{name}.parquet"
        if not path.is_file():
            known = sorted(p.stem for p in self._tables.glob("*.parquet"))
            raise UsageError(f"no table {name!r}; this collection has {', '.join(known)}")
        return pq.read_table(path, memory_map=True)


def since_day(value: dt.date | str | None) -> dt.date | None:
    """A ``since`` argument as a day (a date, a datetime or ``"YYYY-MM-DD"``), or None."""
    return as_day(value, "since")


def as_day(value: dt.date | str | None, name: str) -> dt.date | None:
    """The argument ``name`` as a day; a :class:`UsageError` naming it when it is not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{name} must be a date (YYYY-MM-DD), not {value!r}") from None
