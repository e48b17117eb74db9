"""Issue 26, item 2: the dlt source. A simulator-built collection loaded into DuckDB through
dlt holds the parquet export's tables row for row; after ``update`` on a later simulated day
(titles refetched, some gone from the daily export), a second run loads only the changed and
removed titles and the tables match the new parquet export again."""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import json
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import dlt
import duckdb
import pyarrow.parquet as pq
import pytest

from tests.cli_helpers import collect_args, run_cli, simulator, update_args
from tmdb_collector.dlt import DELETED, tmdb_source
from tmdb_collector.dlt.changes import changes
from tmdb_collector.fetch.records import ItemRecord
from tmdb_collector.simulator.catalog import DEFAULT_TODAY
from tmdb_collector.store.store import Store

SIZE, SEED = "3000", "7"
PLAN = ["--popular-pages", "10", "--genre-pages", "0"]
PARTS = ["--parts", "credits,keywords,recommendations,watch/providers,reviews"]
LINKED = ["--linked", "collections"]  # no changes feed: the update reads none
DAY0, DAY7, DAY14 = (DEFAULT_TODAY + dt.timedelta(days=n) for n in (0, 7, 14))
GONE = 4  # titles left out of the later day's daily export


def sim_args(day: dt.date) -> list[str]:
    return ["--catalog-size", SIZE, "--seed", SEED, "--today", day.isoformat()]


def export_tables(db: Path, out: Path) -> dict[str, list[dict[str, Any]]]:
    result = run_cli(["export", "--db", str(db), "--format", "parquet", "--out", str(out)])
    assert result.returncode == 0, result.stderr
    return {path.stem: pq.read_table(path).to_pylist() for path in sorted(out.glob("*.parquet"))}


def loaded_tables(
    database: Path, names: list[str], columns: dict[str, list[str]]
) -> dict[str, list[dict[str, Any]]]:
    """Each table as dlt loaded it, with the parquet table's columns (lists come back from
    DuckDB's JSON columns as text)."""
    found: dict[str, list[dict[str, Any]]] = {}
    with contextlib.closing(duckdb.connect(str(database), read_only=True)) as db:
        db.execute("SET TimeZone = 'UTC'")
        for name in names:
            cols = ", ".join(f'"{c}"' for c in columns[name])
            cursor = db.execute(f'SELECT {cols} FROM tmdb."{name}"')
            kinds = [d[1] for d in cursor.description]
            found[name] = [
                {
                    c: json.loads(v) if kind == "JSON" and v is not None else v
                    for c, v, kind in zip(columns[name], row, kinds, strict=True)
                }
                for row in cursor.fetchall()
            ]
    return found


def as_counter(rows: list[dict[str, Any]]) -> Counter[str]:
    return Counter(json.dumps(row, sort_keys=True, default=str) for row in rows)


def assert_same_tables(database: Path, expected: dict[str, list[dict[str, Any]]]) -> None:
    columns = {name: list(rows[0]) if rows else [] for name, rows in expected.items()}
    with contextlib.closing(duckdb.connect(str(database), read_only=True)) as db:
        present = {
            row[0]
            for row in db.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'tmdb'"
                " AND table_name NOT LIKE '_dlt%'"
            ).fetchall()
        }
        # nothing but the parquet columns and the hard-delete column, which is always null
        for name in present:
            cols = [r[0] for r in db.execute(f'DESCRIBE tmdb."{name}"').fetchall()]
            if expected.get(name):
                assert sorted(cols) == sorted([*columns[name], DELETED]), name
            assert db.execute(
                f'SELECT count(*) FROM tmdb."{name}" WHERE "{DELETED}" IS NOT NULL'
            ).fetchone() == (0,)
    non_empty = [name for name, rows in expected.items() if rows]
    assert set(non_empty) <= present
    loaded = loaded_tables(database, non_empty, columns)
    for name in non_empty:
        assert len(loaded[name]) == len(expected[name]), name
        assert as_counter(loaded[name]) == as_counter(expected[name]), name
    for name in present - set(non_empty):  # a table whose titles all left: emptied
        with contextlib.closing(duckdb.connect(str(database), read_only=True)) as db:
            assert db.execute(f'SELECT count(*) FROM tmdb."{name}"').fetchone() == (0,), name


def run_pipeline(db: Path, work: Path) -> Any:
    pipeline = dlt.pipeline(
        pipeline_name="tmdb_test",
        destination=dlt.destinations.duckdb(str(work / "loaded.duckdb")),
        dataset_name="tmdb",
        pipelines_dir=str(work / "pipelines"),
    )
    pipeline.run(tmdb_source(db))
    return pipeline


def write_daily_export(path: Path, ids: list[int]) -> str:
    lines = [{"id": i, "adult": False, "video": False, "popularity": 1.0} for i in ids]
    path.write_bytes(gzip.compress("".join(json.dumps(e) + "\n" for e in lines).encode()))
    return str(path)


def ids_of(db: Path, sql: str) -> set[int]:
    with contextlib.closing(sqlite3.connect(db)) as connection:
        return {int(row[0]) for row in connection.execute(sql)}


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("dlt") / "c.db"
    with simulator(*sim_args(DAY0)) as sim:
        result = run_cli(collect_args(db, sim.base_url, *PLAN, *PARTS, *LINKED))
        assert result.returncode == 0, result.stderr
    return db


def test_a_first_run_loads_the_parquet_tables_and_a_second_only_the_changes(
    collected: Path, tmp_path: Path
) -> None:
    db = tmp_path / "c.db"
    shutil.copy(collected, db)
    pipeline = run_pipeline(db, tmp_path)
    first = export_tables(db, tmp_path / "day0")
    assert len(first["movies"]) > 100
    for name in ("cast", "reviews", "provenance", "availability", "collection_parts"):
        assert first[name], name
    assert_same_tables(tmp_path / "loaded.duckdb", first)

    held = sorted(ids_of(db, "SELECT id FROM items"))
    gone = set(held[:GONE])
    listed = write_daily_export(tmp_path / "daily.json.gz", [i for i in held if i not in gone])
    with simulator(*sim_args(DAY7)) as sim:
        result = run_cli(update_args(db, sim.base_url, "--ids-from", listed))
        assert result.returncode == 0, result.stderr
    refetched = ids_of(db, f"SELECT id FROM items WHERE fetched_at >= '{DAY7}'") - gone
    assert 0 < len(refetched) < len(held) // 2

    pipeline = run_pipeline(db, tmp_path)
    counts = pipeline.last_trace.last_normalize_info.row_counts
    # one row per refetched title, one tombstone per title gone
    assert counts["movies"] == len(refetched) + len(gone)
    second = export_tables(db, tmp_path / "day7")
    assert len(second["movies"]) == len(first["movies"]) - len(gone)
    cast_of_changed = sum(1 for row in second["cast"] if row["movie_id"] in refetched)
    assert counts["cast"] == cast_of_changed + len(refetched) + len(gone)  # rows + tombstones
    assert_same_tables(tmp_path / "loaded.duckdb", second)

    pipeline = run_pipeline(db, tmp_path)  # nothing changed since: nothing loaded
    assert not data_loaded(pipeline)
    assert_same_tables(tmp_path / "loaded.duckdb", second)

    # A week on: the gone titles are listed again, and a partial refetch of every title's
    # watch providers (which leaves fetched_at as it was) changes some of them.
    whole = write_daily_export(tmp_path / "whole.json.gz", held)
    with simulator(*sim_args(DAY14)) as sim:
        for extra in (["--ids-from", whole], ["--refresh-parts", "watch/providers"]):
            result = run_cli(update_args(db, sim.base_url, *extra))
            assert result.returncode == 0, result.stderr
    third = export_tables(db, tmp_path / "day14")
    assert len(third["movies"]) == len(first["movies"])
    pipeline = run_pipeline(db, tmp_path)
    moved = {row["title_id"] for row in third["part_versions"] if row["fetched_on"] == DAY14}
    assert moved
    assert data_loaded(pipeline)["availability"] < len(third["availability"])
    assert_same_tables(tmp_path / "loaded.duckdb", third)


def data_loaded(pipeline: Any) -> dict[str, int]:
    """The rows the pipeline's last run loaded, by table (dlt's own tables left out)."""
    counts: dict[str, int] = pipeline.last_trace.last_normalize_info.row_counts
    return {name: n for name, n in counts.items() if not name.startswith("_dlt")}


def test_a_title_that_lost_every_row_of_a_table_has_none_left_there(
    collected: Path, tmp_path: Path
) -> None:
    db = tmp_path / "c.db"
    shutil.copy(collected, db)
    run_pipeline(db, tmp_path)
    with Store.open_existing(db) as store:
        parts = store.plan().parts
        title = max(store.ids_with_status("done"))
        row = store.item_row(title, parts)
        assert row is not None
        bodies = dict(zip(parts, row[2], strict=True))
        bodies["credits"] = json.dumps({"id": title, "cast": [], "crew": []})
        later = dt.datetime.combine(DAY7, dt.time(), dt.UTC)
        store.save_item(ItemRecord(title, row[1], bodies, later))
    pipeline = run_pipeline(db, tmp_path)
    assert data_loaded(pipeline)["movies"] == 1
    tables = export_tables(db, tmp_path / "out")
    assert not [r for r in tables["cast"] if r["movie_id"] == title]
    assert_same_tables(tmp_path / "loaded.duckdb", tables)


def test_a_refetched_linked_entity_has_its_rows_replaced(collected: Path, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    shutil.copy(collected, db)
    run_pipeline(db, tmp_path)
    with Store.open_existing(db) as store:
        media = store.held_linked()["collections"]
        parts = store.linked_parts(media)
        key, details, bodies = next(store.iter_linked(media.name, parts))
        body = json.loads(details)
        assert body["parts"]
        body["parts"] = []  # the collection's movies: its collection_parts rows
        later = dt.datetime.combine(DAY7, dt.time(), dt.UTC)
        record = ItemRecord(key, json.dumps(body), dict(zip(parts, bodies, strict=True)), later)
        store.save_linked(media.name, record)
    pipeline = run_pipeline(db, tmp_path)
    assert data_loaded(pipeline)["collections"] == 1
    tables = export_tables(db, tmp_path / "out")
    assert not [r for r in tables["collection_parts"] if r["collection_id"] == key]
    assert_same_tables(tmp_path / "loaded.duckdb", tables)


def test_titles_fetched_within_the_last_loads_second_are_loaded_next_time(
    collected: Path, tmp_path: Path
) -> None:
    """A collection running during a load stores more titles with the same fetch time (the
    server's clock, to the second): the next load takes those, and only those."""
    db = tmp_path / "c.db"
    shutil.copy(collected, db)
    state: dict[str, Any] = {}
    with Store.open_existing(db) as store:
        assert changes(store, state).first
        newest = max(at for _, at in store.fetched_at() if at is not None)
        title = min(store.ids_with_status("done"))
        row = store.item_row(title, store.plan().parts)
        assert row is not None
        bodies = dict(zip(store.plan().parts, row[2], strict=True))
        store.save_item(ItemRecord(title, row[1], bodies, dt.datetime.fromisoformat(newest)))
        assert changes(store, state).load == {title}
        assert changes(store, state).load == frozenset()


def test_without_dlt_the_import_names_the_extra_and_the_package_still_works() -> None:
    code = (
        "import sys; sys.modules['dlt'] = None\n"
        "import tmdb_collector.api, tmdb_collector.cli\n"
        "try:\n    import tmdb_collector.dlt\n"
        "except ImportError as exc:\n    print(exc)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "pip install 'tmdb-collector[dlt]'" in result.stdout
