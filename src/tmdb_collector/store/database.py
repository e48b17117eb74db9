"""Opening the checkpoint file: create it, refuse what is not ours, migrate it, lock it.

:class:`Database` owns the SQLite connection, the collector's exclusive lock, the ``meta``
table (plan, media type, schema version) and the transactions every write goes through.
:class:`~tmdb_collector.store.store.Store` adds the reads and writes of the collection.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self, TypeVar

from tmdb_collector.errors import (
    NotOurDatabaseError,
    PlanMismatchError,
    StoreCorruptError,
    StoreError,
    StoreIntegrityError,
    StoreLockedError,
    StoreWriteError,
    UsageError,
)
from tmdb_collector.media import LEGACY_MEDIA, MediaType, media_type
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store import meta_keys, schema

APP_NAME = "tmdb-collector"
T = TypeVar("T")


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Database:
    """A tmdb-collector database file. Use :meth:`create_or_open` or :meth:`open_existing`."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection
        self._lock_fd: int | None = None
        self._media: MediaType | None = None

    # ---- opening ---------------------------------------------------------------------------

    @classmethod
    def open_existing(cls, path: Path) -> Self:
        """Open a database some earlier command created; never creates one. An older schema
        is migrated first (one transaction)."""
        if not path.exists():
            raise UsageError(f"no collection database at {path}; run `tmdb-collector collect`")
        if path.is_dir():
            raise UsageError(f"--db {path} is a directory, not a database file")
        connection = _connect(path)
        version = _check_ours(path, connection)
        database = cls(path, connection)
        database._migrate(version)
        return database

    @classmethod
    def create_or_open(cls, path: Path, plan: Plan, *, force_plan: bool = False) -> Self:
        """Open ``path`` for collecting with ``plan``, creating it when missing."""
        if path.is_dir():
            raise UsageError(f"--db {path} is a directory, not a database file")
        if not path.parent.exists():
            raise UsageError(f"cannot create {path}: directory {path.parent} does not exist")
        if not path.parent.is_dir():
            raise UsageError(f"cannot create {path}: {path.parent} is not a directory")
        # A zero-byte file, or an SQLite file without a single table, holds nothing to lose:
        # it is what a crash during creation leaves (switching to WAL writes the header first).
        fresh = not path.exists() or path.stat().st_size == 0
        connection = _connect(path)
        if fresh or _is_blank(connection):
            database = cls(path, connection)
            database.lock()
            database._initialise(plan)
            return database
        version = _check_ours(path, connection)
        database = cls(path, connection)
        database.lock()
        database._migrate(version)
        database.adopt(plan, force_plan=force_plan)
        return database

    def _initialise(self, plan: Plan) -> None:
        """Schema and metadata in one transaction: a crash leaves a complete file or none."""

        def create() -> None:
            schema.create(self._db)
            self._set_meta(meta_keys.APP, APP_NAME)
            self._set_meta(meta_keys.SCHEMA_VERSION, schema.SCHEMA_VERSION)
            self._set_meta(meta_keys.MEDIA, plan.media)
            self._set_meta(meta_keys.PLAN, json.dumps(plan.to_dict()))
            self._set_meta(meta_keys.CREATED_AT, now())

        try:
            self._db.execute(f"PRAGMA page_size = {schema.PAGE_SIZE}")  # before WAL's header
            _tune(self._db)
        except sqlite3.Error as exc:
            raise database_error(self.path, exc, action="cannot create") from None
        self._write(create)

    def _migrate(self, version: str) -> None:
        if version != schema.SCHEMA_VERSION:
            self._write(lambda: schema.migrate(self._db, version))

    def adopt(self, plan: Plan, *, force_plan: bool = False) -> None:
        """Make ``plan`` the collection's. Other parts are no conflict: the new parts become
        the collection's (the collector fetches what items lack); any other difference is a
        :class:`PlanMismatchError` unless ``force_plan``."""
        stored = self.plan()
        if stored == plan:
            return
        held = self.media_type
        if plan.media != held.name:
            self.close()
            holds, wants = (held.plural, held.name), (plan.media_type.plural, plan.media)
            raise PlanMismatchError(
                f"{self.path} holds {holds[0]} (media {holds[1]}); it cannot collect"
                f" {wants[0]} (media {wants[1]}), not even with force_plan: use a new database",
                cli=f"{self.path} holds {holds[0]} (--media {holds[1]}); it cannot collect"
                f" {wants[0]} (--media {wants[1]}), not even with --force-plan: use a new --db",
            )
        conflicts = stored.conflicts(plan)
        if conflicts and not force_plan:
            self.close()
            differs = f"{self.path} was created with a different plan ({'; '.join(conflicts)})"
            raise PlanMismatchError(
                f"{differs}; open it with its own plan, pass force_plan=True to adopt the new"
                " plan and keep what was collected, or use a new database",
                cli=f"{differs}; re-run with the original settings, pass --force-plan to adopt"
                " the new plan and keep what was collected, or use a new --db",
            )
        self._write(lambda: self._set_meta(meta_keys.PLAN, json.dumps(plan.to_dict())))

    def lock(self) -> None:
        """Take the collector's exclusive lock: one collecting process per database."""
        fd = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            self._db.close()
            raise StoreLockedError(
                f"another tmdb-collector process (collect, update or serve) has {self.path}"
                " open; wait for it to finish, or stop it (Ctrl-C) first"
            ) from None
        self._lock_fd = fd

    def close(self) -> None:
        self._db.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- meta ------------------------------------------------------------------------------

    def plan(self) -> Plan:
        return Plan.from_dict(json.loads(self.meta(meta_keys.PLAN) or "{}"))

    @property
    def media_type(self) -> MediaType:
        """What this database holds (fixed when it was created)."""
        if self._media is None:
            self._media = media_type(self.meta(meta_keys.MEDIA) or LEGACY_MEDIA)
        return self._media

    def meta(self, key: str) -> str | None:
        if not self._scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'meta'"):
            return None
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._write(lambda: self._set_meta(key, value))

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # ---- plumbing --------------------------------------------------------------------------

    def _scalar(self, sql: str, params: tuple[Any, ...] = ()) -> int:
        row = self._db.execute(sql, params).fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def _write(self, work: Callable[[], T]) -> T:
        """Run ``work`` in one transaction; a full disk becomes a clear error, not corruption."""
        try:
            with self._transaction():
                return work()
        except sqlite3.Error as exc:
            raise database_error(self.path, exc) from None

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")


def database_files(path: Path) -> list[Path]:
    """The database file at ``path`` and its WAL journal files, resolved: what nothing but the
    store may write."""
    database = path.resolve()
    return [database.with_name(database.name + suffix) for suffix in ("", "-wal", "-shm")]


def stored_media(path: Path) -> str | None:
    """The media type an existing database was created for, or None when ``path`` is not a
    readable database of ours (opening it properly then says why). Read-only, no lock."""
    return _stored_meta(path, meta_keys.MEDIA)


def stored_plan(path: Path) -> dict[str, Any] | None:
    """The plan an existing database holds, as :meth:`Plan.to_dict` wrote it, with its
    ``media`` (a database made before media types, schema 1, holds movies), or None (as
    :func:`stored_media`)."""
    text = _stored_meta(path, meta_keys.PLAN)
    try:
        plan = json.loads(text) if text is not None else None
    except ValueError:
        return None
    if not isinstance(plan, dict):
        return None
    plan.setdefault("media", LEGACY_MEDIA)
    return plan


def _stored_meta(path: Path, key: str) -> str | None:
    if not path.is_file() or path.stat().st_size == 0:
        return None
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    return None if row is None else str(row[0])


def _connect(path: Path) -> sqlite3.Connection:
    try:
        connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    except sqlite3.Error as exc:
        raise database_error(path, exc, action="cannot open") from None
    return connection


# SQLite's primary result codes (the low byte of an extended code such as SQLITE_IOERR_WRITE).
_NO_SPACE_OR_WRITE = {sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY}
_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
# Opening a WAL database writes beside it (its -shm, -wal): a read-only directory or file
# system, a full disk or an I/O error then fails the first read, whatever the file holds.
_UNUSABLE_HERE = {*_NO_SPACE_OR_WRITE, sqlite3.SQLITE_CANTOPEN}


def database_error(path: Path, exc: sqlite3.Error, action: str = "") -> StoreError:
    """The :class:`StoreError` for an ``sqlite3`` error, by SQLite's result code, not its text."""
    primary = _primary_code(exc)
    reason = str(exc) or getattr(exc, "sqlite_errorname", None) or type(exc).__name__
    if primary == sqlite3.SQLITE_CANTOPEN:
        return StoreWriteError(
            f"cannot open {path} ({reason}): SQLite writes {path.name}-wal and {path.name}-shm"
            f" beside it, so its directory {path.parent} must be writable (or copy the file"
            " somewhere writable)"
        )
    if primary in _NO_SPACE_OR_WRITE:
        return StoreWriteError(
            f"cannot write to {path} ({reason}); everything committed so far is safe:"
            " free space (or fix permissions) and re-run the same command to resume"
        )
    if primary in _DAMAGED:
        return StoreCorruptError(
            f"{path} is damaged ({reason}); run `tmdb-collector status --db {path}` to see what"
            " it still holds"
        )
    if primary == sqlite3.SQLITE_CONSTRAINT or isinstance(exc, sqlite3.IntegrityError):
        return StoreIntegrityError(f"database constraint failed in {path}: {reason}")
    if action:
        return StoreError(f"{action} {path}: {reason}")
    return StoreError(
        f"database error in {path}: {reason}; run `tmdb-collector status --db {path}` to check it"
    )


def _primary_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def _is_blank(connection: sqlite3.Connection) -> bool:
    """An SQLite database with no schema at all (not even our meta table)."""
    try:
        row = connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        return False
    return row is not None and int(row[0]) == 0


# The table that holds the collected bodies, by schema version.
_BODIES_TABLE = {"1": schema.V1_TABLE, "2": "items"}


def _check_ours(path: Path, connection: sqlite3.Connection) -> str:
    """Refuse any file we did not create, before writing a single byte to it; returns its
    schema version."""
    if path.stat().st_size == 0:
        connection.close()
        raise NotOurDatabaseError(f"{path} is an empty file, not a tmdb-collector database")
    try:
        row = connection.execute(
            "SELECT value FROM meta WHERE key = ?", (meta_keys.APP,)
        ).fetchone()
        version = connection.execute(
            "SELECT value FROM meta WHERE key = ?", (meta_keys.SCHEMA_VERSION,)
        ).fetchone()
        if version is not None and version[0] in _BODIES_TABLE:
            connection.execute(f"SELECT COUNT(*) FROM {_BODIES_TABLE[version[0]]}").fetchone()
    except sqlite3.DatabaseError as exc:
        connection.close()
        if _primary_code(exc) in _UNUSABLE_HERE:  # ours or not, it cannot be read here
            raise database_error(path, exc) from None
        reason = "corrupt or not SQLite" if "not a database" in str(exc) else str(exc)
        raise NotOurDatabaseError(
            f"{path} is not a tmdb-collector database ({reason}); choose another --db"
        ) from None
    if row is None or row[0] != APP_NAME:
        connection.close()
        raise NotOurDatabaseError(f"{path} is not a tmdb-collector database; choose another --db")
    if version is None or version[0] not in schema.KNOWN_VERSIONS:
        connection.close()
        raise NotOurDatabaseError(
            f"{path} uses an unknown schema version; a newer tmdb-collector made it"
        )
    try:
        _tune(connection)
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise NotOurDatabaseError(f"{path} is corrupt: {exc}") from None
    return str(version[0])


def _tune(connection: sqlite3.Connection) -> None:
    # WAL + NORMAL: a commit survives a killed process; a power cut loses at most the last
    # few commits and never corrupts the file.
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
