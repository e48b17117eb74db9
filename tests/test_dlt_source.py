"""Issue 26, item 2: the dlt source. A simulator-built collection loaded through dlt holds the
parquet export's tables row for row; after ``update`` on a later simulated day (titles
refetched, some gone from the daily export), a second run loads only the changed and removed
titles and the tables match the new parquet export again. Each test runs against DuckDB, and
against a real PostgreSQL server where the session has one (the ``pg_server`` fixture)."""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import json
import logging
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import dlt
import pytest

from tests.cli_helpers import collect_args, run_cli, simulator, update_args
from tests.support.dlt_tables import assert_same_tables, data_loaded, export_tables
from tmdb_collector.dlt import tmdb_source
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


@pytest.fixture(params=["duckdb", "postgres"])
def destination(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A fresh dlt destination: a DuckDB file, or the session's PostgreSQL server."""
    if request.param == "duckdb":
        return dlt.destinations.duckdb(str(tmp_path / "loaded.duckdb"))
    try:
        server = request.getfixturevalue("pg_server")
    except pytest.FixtureLookupError:
        pytest.skip("no PostgreSQL server fixture (pg_server, tests/support/postgres.py) here")
    return dlt.destinations.postgres(server.dsn())


def run_pipeline(db: Path, work: Path, destination: Any) -> Any:
    """Load ``db`` with the source; the pipeline's state lives in ``work``, its tables in a
    dataset of its own (a test's PostgreSQL schema)."""
    pipeline = dlt.pipeline(
        pipeline_name="tmdb_test",
        destination=destination,
        dataset_name="tmdb_" + hashlib.sha1(str(work).encode()).hexdigest()[:12],
        pipelines_dir=str(work / "pipelines"),
    )
    # dlt loads Arrow into PostgreSQL as CSV by default, which has no list columns
    postgres = destination.destination_type.endswith("postgres")
    pipeline.run(tmdb_source(db), loader_file_format="insert_values" if postgres else None)
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
    collected: Path, tmp_path: Path, destination: Any
) -> None:
    db = tmp_path / "c.db"
    shutil.copy(collected, db)
    pipeline = run_pipeline(db, tmp_path, destination)
    first = export_tables(db, tmp_path / "day0")
    assert len(first["movies"]) > 100
    for name in ("cast", "reviews", "provenance", "availability", "collection_parts"):
        assert first[name], name
    assert_same_tables(pipeline, first)

    held = sorted(ids_of(db, "SELECT id FROM items"))
    gone = set(held[:GONE])
    listed = write_daily_export(tmp_path / "daily.json.gz", [i for i in held if i not in gone])
    with simulator(*sim_args(DAY7)) as sim:
        result = run_cli(update_args(db, sim.base_url, "--ids-from", listed))
        assert result.returncode == 0, result.stderr
    refetched = ids_of(db, f"SELECT id FROM items WHERE fetched_at >= '{DAY7}'") - gone
    assert 0 < len(refetched) < len(held) // 2

    pipeline = run_pipeline(db, tmp_path, destination)
    counts = pipeline.last_trace.last_normalize_info.row_counts
    # one row per refetched title, one tombstone per title gone
    assert counts["movies"] == len(refetched) + len(gone)
    second = export_tables(db, tmp_path / "day7")
    assert len(second["movies"]) == len(first["movies"]) - len(gone)
    cast_of_changed = sum(1 for row in second["cast"] if row["movie_id"] in refetched)
    assert counts["cast"] == cast_of_changed + len(refetched) + len(gone)  # rows + tombstones
    assert_same_tables(pipeline, second)

    pipeline = run_pipeline(db, tmp_path, destination)  # nothing changed since: nothing loaded
    assert not data_loaded(pipeline)
    assert_same_tables(pipeline, second)

    # A week on: the gone titles are listed again, and a partial refetch of every title's
    # watch providers (which leaves fetched_at as it was) changes some of them.
    whole = write_daily_export(tmp_path / "whole.json.gz", held)
    with simulator(*sim_args(DAY14)) as sim:
        for extra in (["--ids-from", whole], ["--refresh-parts", "watch/providers"]):
            result = run_cli(update_args(db, sim.base_url, *extra))
            assert result.returncode == 0, result.stderr
    third = export_tables(db, tmp_path / "day14")
    assert len(third["movies"]) == len(first["movies"])
    pipeline = run_pipeline(db, tmp_path, destination)
    moved = {row["title_id"] for row in third["part_versions"] if row["fetched_on"] == DAY14}
    assert moved
    assert data_loaded(pipeline)["availability"] < len(third["availability"])
    assert_same_tables(pipeline, third)


def test_a_first_load_warns_of_nothing(
    collected: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The README's example printed a dlt warning for each table with a timestamp (reviews'
    created_at...): the hint asked for microseconds, the Arrow batches held milliseconds."""
    db = tmp_path / "c.db"
    shutil.copy(collected, db)
    logger = logging.getLogger("dlt")  # dlt's own logger does not propagate to the root
    logger.addHandler(caplog.handler)
    try:
        run_pipeline(db, tmp_path, dlt.destinations.duckdb(str(tmp_path / "loaded.duckdb")))
    finally:
        logger.removeHandler(caplog.handler)
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_title_that_lost_every_row_of_a_table_has_none_left_there(
    collected: Path, tmp_path: Path, destination: Any
) -> None:
    db = tmp_path / "c.db"
    shutil.copy(collected, db)
    run_pipeline(db, tmp_path, destination)
    with Store.open_existing(db) as store:
        parts = store.plan().parts
        title = max(store.ids_with_status("done"))
        row = store.item_row(title, parts)
        assert row is not None
        bodies = dict(zip(parts, row[2], strict=True))
        bodies["credits"] = json.dumps({"id": title, "cast": [], "crew": []})
        later = dt.datetime.combine(DAY7, dt.time(), dt.UTC)
        store.save_item(ItemRecord(title, row[1], bodies, later))
    pipeline = run_pipeline(db, tmp_path, destination)
    assert data_loaded(pipeline)["movies"] == 1
    tables = export_tables(db, tmp_path / "out")
    assert not [r for r in tables["cast"] if r["movie_id"] == title]
    assert_same_tables(pipeline, tables)


def test_a_refetched_linked_entity_has_its_rows_replaced(
    collected: Path, tmp_path: Path, destination: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refetched collection's rows are replaced at the next load. Its bodies are read as
    stored: the source never decodes them to text (iter_linked) to encode them
    back."""
    db = tmp_path / "c.db"
    shutil.copy(collected, db)
    with Store.open_existing(db) as store:
        media = store.held_linked()["collections"]
        parts = store.linked_parts(media)
        key, details, bodies = next(store.iter_linked(media.name, parts))
    monkeypatch.setattr(Store, "iter_linked", lambda *args: pytest.fail("bodies decoded to text"))
    run_pipeline(db, tmp_path, destination)
    with Store.open_existing(db) as store:
        body = json.loads(details)
        assert body["parts"]
        body["parts"] = []  # the collection's movies: its collection_parts rows
        later = dt.datetime.combine(DAY7, dt.time(), dt.UTC)
        record = ItemRecord(key, json.dumps(body), dict(zip(parts, bodies, strict=True)), later)
        store.save_linked(media.name, record)
    pipeline = run_pipeline(db, tmp_path, destination)
    assert data_loaded(pipeline)["collections"] == 1
    tables = export_tables(db, tmp_path / "out")
    assert not [r for r in tables["collection_parts"] if r["collection_id"] == key]
    assert_same_tables(pipeline, tables)


def test_titles_fetched_within_the_last_loads_second_are_loaded_next_time(
    collected: Path, tmp_path: Path
) -> None:
    """A collection running during a load stores more titles with the same fetch time (the
    server's clock, to the second): the next load takes those, and only those."""
    db = tmp_path / "c.db"
    shutil.copy(collected, db)
    state: dict[str, Any] = {}
    with Store.open_existing(db) as store:
        newest = max(at for _, at in store.fetched_at() if at is not None)
        title = min(store.ids_with_status("done"))
        row = store.item_row(title, store.plan().parts)
        assert row is not None
        bodies = dict(zip(store.plan().parts, row[2], strict=True))
        # a fast collection fetches every title within one second: this one a second earlier
        earlier = dt.datetime.fromisoformat(newest) - dt.timedelta(seconds=1)
        store.save_item(ItemRecord(title, row[1], bodies, earlier))
        assert changes(store, state).first
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
