"""The checkpoint store: one SQLite file in WAL mode holds the plan, the harvest and the movies.

Every unit of work is committed together with its checkpoint in one transaction: a harvested
page with its ids and provenance, a movie with its status. Re-running a command therefore
resumes exactly where the last one stopped, whether it was paused, killed or lost power.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

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
from tmdb_collector.fetch.records import MovieRecord
from tmdb_collector.plan.plan import MAX_PAGE, HarvestQuery, PageCount, Plan

APP_NAME = "tmdb-collector"
SCHEMA_VERSION = "1"
IdStatus = Literal["pending", "done", "not_found", "failed"]
T = TypeVar("T")

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE queries (
    key TEXT PRIMARY KEY,
    stage TEXT NOT NULL,
    genre INTEGER,
    path TEXT NOT NULL,
    params TEXT NOT NULL,
    max_pages TEXT NOT NULL,
    keep_language TEXT,
    parent TEXT,
    total_pages INTEGER,
    total_results INTEGER,
    split INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE pages (
    query_key TEXT NOT NULL,
    page INTEGER NOT NULL,
    status TEXT NOT NULL,
    results INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    PRIMARY KEY (query_key, page)
) WITHOUT ROWID;
CREATE TABLE ids (
    id INTEGER PRIMARY KEY,
    status TEXT NOT NULL,
    seen_order INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX ids_status ON ids (status, seen_order);
CREATE TABLE provenance (
    movie_id INTEGER NOT NULL,
    stage TEXT NOT NULL,
    genre INTEGER,
    query_key TEXT NOT NULL,
    page INTEGER NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (movie_id, query_key, page)
) WITHOUT ROWID;
CREATE TABLE movies (
    id INTEGER PRIMARY KEY,
    details TEXT NOT NULL,
    credits TEXT NOT NULL,
    keywords TEXT NOT NULL,
    recommendations TEXT NOT NULL,
    fetched_at TEXT
);
"""


@dataclass(frozen=True)
class QueryState:
    query: HarvestQuery
    parent: str | None
    total_pages: int | None
    total_results: int | None
    split: bool

    def pages_wanted(self) -> int:
        """Pages this query still needs in all: known once page 1 has answered."""
        if self.total_pages is None:
            return self.query.pages_estimate()
        return min(self.query.wanted_pages(self.total_pages), MAX_PAGE)


@dataclass(frozen=True)
class StatusCounts:
    ids: int
    done: int
    pending: int
    not_found: int
    failed: int
    pages_done: int
    pages_failed: int


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Store:
    """A tmdb-collector database. Use :meth:`create_or_open` or :meth:`open_existing`."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection
        self._lock_fd: int | None = None
        self._next_seen = 1

    # ---- opening ---------------------------------------------------------------------------

    @classmethod
    def open_existing(cls, path: Path) -> Store:
        """Open a database some earlier command created; never creates one."""
        if not path.exists():
            raise UsageError(f"no collection database at {path}; run `tmdb-collector collect`")
        if path.is_dir():
            raise UsageError(f"--db {path} is a directory, not a database file")
        connection = _connect(path)
        _check_ours(path, connection)
        return cls(path, connection)

    @classmethod
    def create_or_open(cls, path: Path, plan: Plan, *, force_plan: bool = False) -> Store:
        """Open ``path`` for collecting with ``plan``, creating it when missing."""
        if path.is_dir():
            raise UsageError(f"--db {path} is a directory, not a database file")
        if not path.parent.exists():
            raise UsageError(f"cannot create {path}: directory {path.parent} does not exist")
        # A zero-byte file, or an SQLite file without a single table, holds nothing to lose:
        # it is what a crash during creation leaves (switching to WAL writes the header first).
        fresh = not path.exists() or path.stat().st_size == 0
        connection = _connect(path)
        if fresh or _is_blank(connection):
            store = cls(path, connection)
            store.lock()
            store._initialise(plan)
            return store
        _check_ours(path, connection)
        store = cls(path, connection)
        store.lock()
        stored = store.plan()
        if stored != plan:
            if not force_plan:
                store.close()
                raise PlanMismatchError(
                    f"{path} was created with a different plan ("
                    + "; ".join(stored.differences(plan))
                    + "); re-run with the original settings, pass --force-plan to adopt the "
                    "new plan and keep what was collected, or use a new --db"
                )
            store._write(lambda: store._set_meta("plan", json.dumps(plan.to_dict())))
        return store

    def _initialise(self, plan: Plan) -> None:
        """Schema and metadata in one transaction: a crash leaves a complete file or none."""

        def create() -> None:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._set_meta("app", APP_NAME)
            self._set_meta("schema_version", SCHEMA_VERSION)
            self._set_meta("plan", json.dumps(plan.to_dict()))
            self._set_meta("created_at", _now())

        try:
            _tune(self._db)
        except sqlite3.OperationalError as exc:
            raise StoreWriteError(f"cannot create {self.path}: {exc}") from None
        self._write(create)

    def lock(self) -> None:
        """Take the collector's exclusive lock: one collecting process per database."""
        fd = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            self._db.close()
            raise StoreLockedError(
                f"another tmdb-collector process is already collecting into {self.path}; "
                "wait for it to finish or pause it (Ctrl-C) first"
            ) from None
        self._lock_fd = fd
        if self.meta("app") == APP_NAME:
            self._next_seen = self._scalar("SELECT COALESCE(MAX(seen_order), 0) + 1 FROM ids")

    def close(self) -> None:
        self._db.close()
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- meta ------------------------------------------------------------------------------

    def plan(self) -> Plan:
        return Plan.from_dict(json.loads(self.meta("plan") or "{}"))

    def meta(self, key: str) -> str | None:
        if not self._scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'meta'"):
            return None
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self._write(lambda: self._set_meta(key, value))

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # ---- harvest ---------------------------------------------------------------------------

    def add_query(self, query: HarvestQuery, parent: str | None = None) -> None:
        self._write(lambda: self._insert_query(query, parent))

    def _insert_query(self, query: HarvestQuery, parent: str | None) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO queries (key, stage, genre, path, params, max_pages,"
            " keep_language, parent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                query.key,
                query.stage,
                query.genre,
                query.path,
                json.dumps(dict(query.params), sort_keys=True),
                str(query.max_pages),
                query.keep_language,
                parent,
            ),
        )

    def split_query(self, key: str, children: Iterable[HarvestQuery]) -> None:
        """Replace a query that has more than 500 pages by narrower ones, atomically."""

        def split() -> None:
            for child in children:
                self._insert_query(child, key)
            self._db.execute("UPDATE queries SET split = 1 WHERE key = ?", (key,))

        self._write(split)

    def queries(self) -> list[QueryState]:
        rows = self._db.execute(
            "SELECT stage, path, params, max_pages, genre, keep_language, parent, total_pages,"
            " total_results, split FROM queries ORDER BY rowid"
        ).fetchall()
        states = []
        for stage, path, params, max_pages, genre, keep, parent, pages, results, split in rows:
            count: PageCount = "all" if max_pages == "all" else int(max_pages)
            query = HarvestQuery(stage, path, json.loads(params), count, genre, keep)
            states.append(QueryState(query, parent, pages, results, bool(split)))
        return states

    def pages_done(self, key: str) -> set[int]:
        rows = self._db.execute(
            "SELECT page FROM pages WHERE query_key = ? AND status = 'done'", (key,)
        )
        return {row[0] for row in rows}

    def pages_done_counts(self) -> dict[str, int]:
        """Pages done per query key (see store/progress.py for what they add up to)."""
        rows = self._db.execute(
            "SELECT query_key, COUNT(*) FROM pages WHERE status = 'done' GROUP BY query_key"
        )
        return dict(rows.fetchall())

    def save_page(
        self,
        query: HarvestQuery,
        page: int,
        movie_ids: list[int],
        total_pages: int,
        total_results: int,
    ) -> list[int]:
        """Record a harvested page, its ids and their provenance. Returns the ids never seen."""
        new_ids: list[int] = []

        def save() -> None:
            new_ids.clear()
            self._db.execute(
                "INSERT OR REPLACE INTO pages (query_key, page, status, results)"
                " VALUES (?, ?, 'done', ?)",
                (query.key, page, len(movie_ids)),
            )
            self._db.execute(
                "UPDATE queries SET total_pages = ?, total_results = ? WHERE key = ?",
                (total_pages, total_results, query.key),
            )
            for position, movie_id in enumerate(movie_ids):
                self._db.execute(
                    "INSERT OR IGNORE INTO provenance VALUES (?, ?, ?, ?, ?, ?)",
                    (movie_id, query.stage, query.genre, query.key, page, position),
                )
                if self._insert_id(movie_id):
                    new_ids.append(movie_id)

        self._write(save)
        return new_ids

    def add_ids(self, movie_ids: Iterable[int]) -> int:
        """Queue ids from another source (e.g. a daily export). Returns how many were new."""
        added = 0

        def add() -> None:
            nonlocal added
            added = sum(1 for movie_id in movie_ids if self._insert_id(movie_id))

        self._write(add)
        return added

    def add_export_ids(
        self,
        entries: Iterable[tuple[int, int]],
        source: str,
        batch: int = 20_000,
        *,
        complete: bool = True,
    ) -> int:
        """Queue ``(line, id)`` entries of a daily export, in batches; returns how many were new.

        Each batch is one transaction and inserts are idempotent, so an interrupted load is
        simply loaded again. ``ids_loaded`` is recorded with the last batch when ``complete``
        (a caller feeding the export in several calls passes False until the last one).
        """
        added = 0
        chunk: list[tuple[int, int]] = []

        def flush(final: bool) -> None:
            nonlocal added
            for line, movie_id in chunk:
                self._db.execute(
                    "INSERT OR IGNORE INTO provenance VALUES (?, 'daily_export', NULL, ?, 0, ?)",
                    (movie_id, source, line),
                )
                added += self._insert_id(movie_id)
            if final:
                self._set_meta("ids_loaded", source)

        for entry in entries:
            chunk.append(entry)
            if len(chunk) >= batch:
                self._write(lambda: flush(False))
                chunk.clear()
        self._write(lambda: flush(complete))
        return added

    def _insert_id(self, movie_id: int) -> bool:
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO ids (id, status, seen_order, updated_at)"
            " VALUES (?, 'pending', ?, ?)",
            (movie_id, self._next_seen, _now()),
        )
        if cursor.rowcount:
            self._next_seen += 1
            return True
        return False

    def fail_page(self, query: HarvestQuery, page: int, reason: str) -> None:
        self._write(
            lambda: self._db.execute(
                "INSERT OR REPLACE INTO pages (query_key, page, status, error)"
                " VALUES (?, ?, 'failed', ?)",
                (query.key, page, reason),
            )
        )

    # ---- movies ----------------------------------------------------------------------------

    def ids_with_status(self, *statuses: IdStatus, limit: int = -1) -> list[int]:
        marks = ",".join("?" for _ in statuses)
        rows = self._db.execute(
            f"SELECT id FROM ids WHERE status IN ({marks}) ORDER BY seen_order LIMIT ?",
            (*statuses, limit),
        )
        return [row[0] for row in rows]

    def pending_after(self, seen_order: int, limit: int) -> list[tuple[int, int]]:
        """``(seen_order, id)`` of pending ids after ``seen_order``, in harvest order."""
        rows = self._db.execute(
            "SELECT seen_order, id FROM ids WHERE status = 'pending' AND seen_order > ?"
            " ORDER BY seen_order LIMIT ?",
            (seen_order, limit),
        )
        return [(int(a), int(b)) for a, b in rows]

    def save_movie(self, record: MovieRecord) -> None:
        fetched = record.fetched_at.isoformat() if record.fetched_at else _now()

        def save() -> None:
            self._db.execute(
                "INSERT OR REPLACE INTO movies VALUES (?, ?, ?, ?, ?, ?)",
                (
                    record.id,
                    record.details,
                    record.credits,
                    record.keywords,
                    record.recommendations,
                    fetched,
                ),
            )
            self._set_status(record.id, "done", None)

        self._write(save)

    def mark(self, movie_id: int, status: IdStatus, reason: str | None = None) -> None:
        self._write(lambda: self._set_status(movie_id, status, reason))

    def requeue(self, movie_ids: Iterable[int]) -> int:
        """Mark ids pending again; stored bodies stay until a new fetch replaces them."""
        count = 0

        def requeue() -> None:
            nonlocal count
            for movie_id in movie_ids:
                count += self._db.execute(
                    "UPDATE ids SET status = 'pending', error = NULL, updated_at = ? WHERE id = ?",
                    (_now(), movie_id),
                ).rowcount

        self._write(requeue)
        return count

    def _set_status(self, movie_id: int, status: IdStatus, reason: str | None) -> None:
        self._db.execute(
            "UPDATE ids SET status = ?, error = ?, attempts = attempts + 1, updated_at = ?"
            " WHERE id = ?",
            (status, reason, _now(), movie_id),
        )

    def failures(self, limit: int = 50) -> list[tuple[int, str, str]]:
        rows = self._db.execute(
            "SELECT id, status, COALESCE(error, '') FROM ids WHERE status IN"
            " ('failed', 'not_found') ORDER BY seen_order LIMIT ?",
            (limit,),
        )
        return [(int(a), str(b), str(c)) for a, b, c in rows]

    def page_failures(self, limit: int = 50) -> list[tuple[str, int, str]]:
        rows = self._db.execute(
            "SELECT query_key, page, COALESCE(error, '') FROM pages WHERE status = 'failed'"
            " ORDER BY query_key, page LIMIT ?",
            (limit,),
        )
        return [(str(a), int(b), str(c)) for a, b, c in rows]

    def movie_count(self) -> int:
        return self._scalar("SELECT COUNT(*) FROM movies")

    def iter_movies(self) -> Iterator[tuple[int, str, str, str, str]]:
        """Stored movies by ascending id, streamed from a cursor (bounded memory)."""
        return self._db.execute(
            "SELECT m.id, m.details, m.credits, m.keywords, m.recommendations FROM movies m"
            " JOIN ids i ON i.id = m.id WHERE i.status != 'not_found' ORDER BY m.id"
        )

    def movie_row(self, movie_id: int) -> tuple[int, str, str, str, str] | None:
        """One movie as :meth:`iter_movies` yields it, or None if it is not exported."""
        row = self._db.execute(
            "SELECT m.id, m.details, m.credits, m.keywords, m.recommendations FROM movies m"
            " JOIN ids i ON i.id = m.id WHERE i.status != 'not_found' AND m.id = ?",
            (movie_id,),
        ).fetchone()
        return None if row is None else (int(row[0]), *map(str, row[1:]))  # type: ignore[return-value]

    def iter_provenance(self) -> Iterator[tuple[int, str, int | None, str, int, int]]:
        return self._db.execute(
            "SELECT movie_id, stage, genre, query_key, page, position FROM provenance"
            " ORDER BY movie_id, stage, query_key, page"
        )

    def fetched_at(self) -> Iterator[tuple[int, str | None]]:
        return self._db.execute("SELECT id, fetched_at FROM movies ORDER BY id")

    def last_fetched_at(self) -> str | None:
        """When the newest stored movie was fetched (the server's clock), or None."""
        row = self._db.execute("SELECT MAX(fetched_at) FROM movies").fetchone()
        return None if row is None or row[0] is None else str(row[0])

    def counts(self) -> StatusCounts:
        by_status = dict(
            self._db.execute("SELECT status, COUNT(*) FROM ids GROUP BY status").fetchall()
        )
        pages = dict(
            self._db.execute("SELECT status, COUNT(*) FROM pages GROUP BY status").fetchall()
        )
        return StatusCounts(
            ids=sum(by_status.values()),
            done=by_status.get("done", 0),
            pending=by_status.get("pending", 0),
            not_found=by_status.get("not_found", 0),
            failed=by_status.get("failed", 0),
            pages_done=pages.get("done", 0),
            pages_failed=pages.get("failed", 0),
        )

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


def _connect(path: Path) -> sqlite3.Connection:
    try:
        connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    except sqlite3.Error as exc:
        raise database_error(path, exc, action="cannot open") from None
    return connection


# SQLite's primary result codes (the low byte of an extended code such as SQLITE_IOERR_WRITE).
_NO_SPACE_OR_WRITE = {sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY}
_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


def database_error(path: Path, exc: sqlite3.Error, action: str = "") -> StoreError:
    """The :class:`StoreError` for an ``sqlite3`` error, by SQLite's result code, not its text."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    reason = str(exc) or getattr(exc, "sqlite_errorname", None) or type(exc).__name__
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


def _is_blank(connection: sqlite3.Connection) -> bool:
    """An SQLite database with no schema at all (not even our meta table)."""
    try:
        row = connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        return False
    return row is not None and int(row[0]) == 0


def _check_ours(path: Path, connection: sqlite3.Connection) -> None:
    """Refuse any file we did not create, before writing a single byte to it."""
    if path.stat().st_size == 0:
        connection.close()
        raise NotOurDatabaseError(f"{path} is an empty file, not a tmdb-collector database")
    try:
        row = connection.execute("SELECT value FROM meta WHERE key = 'app'").fetchone()
        version = connection.execute(
            "SELECT value FROM meta WHERE key = 'schema_version'"
        ).fetchone()
        connection.execute("SELECT COUNT(*) FROM movies").fetchone()
    except sqlite3.DatabaseError as exc:
        connection.close()
        reason = "corrupt or not SQLite" if "not a database" in str(exc) else str(exc)
        raise NotOurDatabaseError(
            f"{path} is not a tmdb-collector database ({reason}); choose another --db"
        ) from None
    if row is None or row[0] != APP_NAME:
        connection.close()
        raise NotOurDatabaseError(f"{path} is not a tmdb-collector database; choose another --db")
    if version is None or version[0] != SCHEMA_VERSION:
        connection.close()
        raise NotOurDatabaseError(f"{path} uses an unknown schema version")
    try:
        _tune(connection)
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise NotOurDatabaseError(f"{path} is corrupt: {exc}") from None


def _tune(connection: sqlite3.Connection) -> None:
    # WAL + NORMAL: a commit survives a killed process; a power cut loses at most the last
    # few commits and never corrupts the file.
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
