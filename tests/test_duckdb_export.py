"""``export --format duckdb``: the parquet tables in one DuckDB file, with keys and views."""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.conftest import SmallCollection
from tests.support.durable import Durability
from tmdb_collector.errors import ExportError, UsageError
from tmdb_collector.export import duckdb_file
from tmdb_collector.export import tables as table_export
from tmdb_collector.export.exporter import export
from tmdb_collector.media.movie import TABLES, TOP_CAST, views
from tmdb_collector.store.store import Store


def run_export(collection: SmallCollection, fmt: str, out: Path) -> int:
    with Store.open_existing(collection.db) as store:
        return export(store, fmt, out)


@pytest.fixture(scope="module")
def exported(
    small_collection: SmallCollection, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """The same collection as one DuckDB file and as parquet tables."""
    folder = tmp_path_factory.mktemp("duckdb")
    run_export(small_collection, "duckdb", folder / "movies.duckdb")
    run_export(small_collection, "parquet", folder / "tables")
    return folder / "movies.duckdb", folder / "tables"


def query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as db:
        return db.execute(sql).fetchall()


def test_every_parquet_table_with_the_same_rows(exported: tuple[Path, Path]) -> None:
    database, tables = exported
    parquet = {p.stem: pq.read_metadata(p).num_rows for p in tables.glob("*.parquet")}
    in_duckdb = {
        name: query(database, f'SELECT count(*) FROM "{name}"')[0][0]
        for (name,) in query(database, "SELECT table_name FROM duckdb_tables()")
    }
    assert in_duckdb == parquet
    assert in_duckdb["movies"] > 20
    columns = query(database, "SELECT column_name FROM duckdb_columns() WHERE table_name='crew'")
    assert [c for (c,) in columns] == pq.read_schema(tables / "crew.parquet").names


def test_primary_keys(exported: tuple[Path, Path]) -> None:
    database, _ = exported
    keys = {
        table: tuple(columns)
        for table, columns in query(
            database,
            "SELECT table_name, constraint_column_names FROM duckdb_constraints()"
            " WHERE constraint_type = 'PRIMARY KEY'",
        )
    }
    tables = {name for (name,) in query(database, "SELECT table_name FROM duckdb_tables()")}
    assert keys == {name: key for name, key in TABLES.keys.items() if name in tables}
    assert keys["movies"] == ("id",)
    with duckdb.connect(str(database)) as db, pytest.raises(duckdb.ConstraintException):
        db.execute("INSERT INTO movies (id) SELECT min(id) FROM movies")


def test_movie_summary(exported: tuple[Path, Path]) -> None:
    database, _ = exported
    rows = query(
        database,
        "SELECT id, title, year, director, top_cast, genres, keywords FROM movie_summary",
    )
    assert len(rows) == query(database, "SELECT count(*) FROM movies")[0][0]
    by_id = {row[0]: row for row in rows}
    movie_id, title, year = query(
        database, "SELECT id, title, year(release_date) FROM movies ORDER BY popularity DESC"
    )[0]
    directors = query(
        database, f"SELECT name FROM crew WHERE movie_id = {movie_id} AND job = 'Director'"
    )
    cast = query(database, f'SELECT name FROM "cast" WHERE movie_id = {movie_id} ORDER BY "order"')
    genres = query(database, f"SELECT name FROM genres WHERE movie_id = {movie_id} ORDER BY name")
    summary = by_id[movie_id]
    assert summary[1:3] == (title, year)
    assert summary[3] == ", ".join(sorted(name for (name,) in directors))
    assert summary[4] == [name for (name,) in cast[:TOP_CAST]]
    assert len(summary[4]) == min(TOP_CAST, len(cast)) > 0
    assert summary[5] == [name for (name,) in genres]
    assert all(isinstance(keywords, list) for *_, keywords in rows)


def test_streaming_offers_view_when_watch_providers_were_collected() -> None:
    assert not any("streaming_offers" in s for s in views({"movies", "genres"}))
    with duckdb.connect() as db:
        db.execute(
            "CREATE TABLE movies (id BIGINT, title VARCHAR, release_date DATE,"
            " vote_average DOUBLE, vote_count BIGINT, popularity DOUBLE)"
        )
        db.execute(
            "CREATE TABLE watch_providers (movie_id BIGINT, country VARCHAR,"
            " offer_type VARCHAR, provider_id BIGINT, provider_name VARCHAR,"
            " display_priority BIGINT, logo_path VARCHAR, link VARCHAR)"
        )
        db.execute("INSERT INTO movies VALUES (550, 'Fight Club', '1999-10-15', 8.4, 1, 1.0)")
        db.execute(
            "INSERT INTO watch_providers VALUES (550, 'US', 'flatrate', 8, 'Netflix', 1,"
            " '/n.jpg', 'https://www.themoviedb.org/movie/550/watch')"
        )
        for statement in views({"movies", "watch_providers"}):
            db.execute(statement)
        offers = db.execute(
            "SELECT title, country, offer_type, provider_name FROM streaming_offers"
        ).fetchall()
        summary = db.execute("SELECT title, year, director, genres FROM movie_summary").fetchall()
    assert offers == [("Fight Club", "US", "flatrate", "Netflix")]
    assert summary == [("Fight Club", 1999, None, None)]  # no crew, no genre table exported


def test_the_manifest_counts_each_table(
    exported: tuple[Path, Path], small_collection: SmallCollection
) -> None:
    database, _ = exported
    manifest = json.loads(database.with_name("movies.duckdb.manifest.json").read_text())
    (entry,) = manifest["export"]["files"]
    assert entry["name"] == "movies.duckdb"
    assert entry["rows"] == query(database, "SELECT count(*) FROM movies")[0][0]
    assert entry["tables"]["cast"] == query(database, 'SELECT count(*) FROM "cast"')[0][0]
    assert manifest["source"]["base_url"] == small_collection.base_url


def test_every_table_as_duckdb_reads_the_parquet_export(exported: tuple[Path, Path]) -> None:
    """The same column types and the same rows as DuckDB reads from the parquet export."""
    database, tables = exported
    with duckdb.connect(str(database), read_only=True) as db:
        for path in tables.glob("*.parquet"):
            source = f"read_parquet('{path}')"
            kinds = "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {})"
            assert (
                db.execute(kinds.format(f'"{path.stem}"')).fetchall()
                == db.execute(kinds.format(source)).fetchall()
            )
            for one, other in ((f'"{path.stem}"', source), (source, f'"{path.stem}"')):
                missing = f"SELECT count(*) FROM (FROM {one} EXCEPT ALL FROM {other})"
                assert db.execute(missing).fetchone() == (0,), path.stem


def test_the_file_and_its_manifest_are_on_disk_before_their_names_and_their_names_after(
    small_collection: SmallCollection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """And nothing else is flushed to disk: the staging parquet tables are read once and
    deleted (each was fsynced)."""
    durability = Durability(monkeypatch)
    out = tmp_path / "movies.duckdb"
    run_export(small_collection, "duckdb", out)
    renamed = [
        (source, target)
        for source, target in durability.replaced()
        if target.startswith(str(tmp_path) + "/movies")
    ]
    assert [target for _, target in renamed] == [str(out), str(out) + ".manifest.json"]
    for source, _ in renamed:
        assert durability.synced_before(source)
    assert durability.directory_synced_after(out.with_name(out.name + ".manifest.json"))
    synced = {event[1] for event in durability.events if event[0] == "fsync"}
    assert synced == {source for source, _ in renamed} | {str(tmp_path.resolve())}


def test_duckdb_does_not_flush_each_commit_of_the_staging_file(
    small_collection: SmallCollection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB's fsync of the WAL at every table's commit: none (the file is flushed once,
    complete, as the test above shows)."""
    connect = duckdb.connect
    settings = "SELECT count(*) FROM duckdb_settings() WHERE name = 'fsync_mode'"
    with connect() as db:
        if not db.execute(settings).fetchone()[0]:
            pytest.skip("this DuckDB has no fsync_mode")
    modes = settings_at_close(monkeypatch, "fsync_mode")
    run_export(small_collection, "duckdb", tmp_path / "movies.duckdb")
    assert [mode[0].upper() for mode in modes] == ["NONE"]


def settings_at_close(monkeypatch: pytest.MonkeyPatch, *names: str) -> list[tuple[str, ...]]:
    """The settings ``names`` of each DuckDB connection the export makes, as it closes it."""
    connect = duckdb.connect
    seen: list[tuple[str, ...]] = []

    class Watched:
        def __init__(self, db: duckdb.DuckDBPyConnection) -> None:
            self._db = db

        def __getattr__(self, name: str) -> Any:
            return getattr(self._db, name)

        def close(self) -> None:
            settings = ", ".join(f"current_setting('{name}')::VARCHAR" for name in names)
            seen.append(tuple(self._db.execute(f"SELECT {settings}").fetchone()))
            self._db.close()

    monkeypatch.setattr(
        duckdb, "connect", lambda *args, **kwargs: Watched(connect(*args, **kwargs))
    )
    return seen


def test_duckdb_loads_within_a_memory_limit_and_spills_into_the_staging_directory(
    small_collection: SmallCollection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB's default takes 80% of the machine's memory and a thread a core, and its peak
    grew with the collection (issue #24, docs/benchmarks.md): capped for the load."""
    seen = settings_at_close(monkeypatch, "memory_limit", "threads", "temp_directory")
    run_export(small_collection, "duckdb", tmp_path / "movies.duckdb")
    [(limit, threads, spill)] = seen
    amount, unit = limit.split()
    assert unit == "MiB"
    assert float(amount) <= 128
    assert threads == "1"
    assert Path(spill).parent.parent == tmp_path.resolve()
    assert Path(spill).parent.name.startswith(".tmdb-export-")


def test_the_rows_loaded_in_slices_keep_the_parquet_files_order(
    small_collection: SmallCollection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(duckdb_file, "ROWS_PER_INSERT", 7)
    run_export(small_collection, "duckdb", tmp_path / "movies.duckdb")
    run_export(small_collection, "parquet", tmp_path / "tables")
    with duckdb.connect(str(tmp_path / "movies.duckdb"), read_only=True) as db:
        for path in (tmp_path / "tables").glob("*.parquet"):
            rows = db.execute(f'SELECT * FROM "{path.stem}" ORDER BY rowid').fetchall()
            assert rows == db.execute(f"FROM read_parquet('{path}')").fetchall(), path.stem
            assert len(rows) > 7 or path.stem not in ("movies", "cast"), path.stem


def test_a_failed_export_keeps_the_previous_file(
    small_collection: SmallCollection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "movies.duckdb"
    out.write_bytes(b"the previous export")

    def broken(tables: Path, database: Path, *keys: object) -> dict[str, int]:
        raise duckdb.IOException("No space left on device")

    monkeypatch.setattr(duckdb_file, "_load", broken)
    with pytest.raises(ExportError, match=r"No space left on device.*unchanged"):
        run_export(small_collection, "duckdb", out)
    assert out.read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["movies.duckdb"]


def test_out_must_be_a_file(small_collection: SmallCollection, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is a directory"):
        run_export(small_collection, "duckdb", tmp_path)


def test_a_full_disk_while_staging_the_tables_names_the_file_not_the_staging_folder(
    small_collection: SmallCollection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk filled while the parquet tables were staged: the error named the hidden
    staging folder and 'the parquet tables' instead of the duckdb file asked for."""
    out = tmp_path / "movies.duckdb"
    out.write_bytes(b"the previous export")

    def full(*args: object) -> object:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(table_export, "_write_tables", full)
    with pytest.raises(ExportError) as raised:
        run_export(small_collection, "duckdb", out)
    assert str(raised.value) == (
        f"could not write {out} (No space left on device); any previous movies.duckdb is unchanged"
    )
    assert out.read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["movies.duckdb"]
