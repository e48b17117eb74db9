"""SQLite errors become StoreError subclasses by SQLite's result code, never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.store import queue_ids
from tmdb_collector.errors import (
    StoreCorruptError,
    StoreError,
    StoreIntegrityError,
    StoreWriteError,
)
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store, database_error


def damage(path: Path) -> None:
    """Overwrite every page but the header page with garbage, in the file, its WAL (whose
    frames a running writer reads instead of the file's pages) and the WAL index (so a running
    writer cannot go on trusting the pages it has cached)."""
    wal, index = (path.with_name(path.name + suffix) for suffix in ("-wal", "-shm"))
    for target, keep in ((path, 4096), (wal, 32), (index, 0)):
        if not target.exists():
            continue
        size = target.stat().st_size
        with target.open("r+b") as handle:
            for offset in range(keep, size, 4096):
                handle.seek(offset)
                handle.write(b"\xde\xad\xbe\xef" * 1024)


def test_a_read_only_database_is_a_write_error(db_path: Path) -> None:
    Store.create_or_open(db_path, Plan()).close()
    readonly = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, isolation_level=None)
    store = Store(db_path, readonly)
    with pytest.raises(StoreWriteError, match="re-run the same command"):
        store.set_meta("x", "y")
    readonly.close()


def test_a_damaged_database_names_the_file_and_points_to_status(db_path: Path) -> None:
    plan = Plan()
    with Store.create_or_open(db_path, plan) as store:
        queue_ids(store, range(1, 20_000))
    damage(db_path)
    # A fresh connection has no cached pages: its next write reads the garbage.
    store = Store(db_path, sqlite3.connect(db_path, isolation_level=None))
    with pytest.raises(StoreCorruptError) as caught:
        queue_ids(store, range(20_000, 40_000))
    store.close()
    message = str(caught.value)
    assert str(db_path) in message
    assert "status" in message
    assert "\n" not in message


def test_a_constraint_failure_is_a_store_error() -> None:
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    connection.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(sqlite3.IntegrityError) as caught:
        connection.execute("INSERT INTO t VALUES (1)")
    error = database_error(Path("x.db"), caught.value)
    assert isinstance(error, StoreIntegrityError)
    assert isinstance(error, StoreError)


def test_classification_uses_the_result_code_not_the_text() -> None:
    misleading = sqlite3.OperationalError("the disk is full of surprises")
    misleading.sqlite_errorcode = sqlite3.SQLITE_BUSY  # type: ignore[attr-defined]
    error = database_error(Path("x.db"), misleading)
    assert type(error) is StoreError
    full = sqlite3.OperationalError("whatever")
    full.sqlite_errorcode = sqlite3.SQLITE_FULL  # type: ignore[attr-defined]
    assert isinstance(database_error(Path("x.db"), full), StoreWriteError)


def test_a_database_that_sqlite_cannot_open_says_its_directory_must_be_writable() -> None:
    """A WAL database in a read-only directory (or file system) fails with SQLITE_CANTOPEN
    when its -shm cannot be made: that, not "not a tmdb-collector database", is the error."""
    cannot = sqlite3.OperationalError("unable to open database file")
    cannot.sqlite_errorcode = sqlite3.SQLITE_CANTOPEN  # type: ignore[attr-defined]
    error = database_error(Path("backup/x.db"), cannot)
    assert isinstance(error, StoreWriteError)
    assert "x.db-shm" in str(error)
    assert "directory backup must be writable" in str(error)
