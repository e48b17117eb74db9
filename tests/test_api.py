"""The Python API: Collection for reading, collect / collect_async for running, against the
session's simulator."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.cli_helpers import TEST_KEY, simulator
from tests.conftest import SmallCollection
from tests.tv_fake import FakeTV
from tests.tv_server import tv_server
from tmdb_collector import Collection, UpdateResult, collect, collect_async, update
from tmdb_collector.errors import AuthError, PlanMismatchError, UsageError
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.media import TV
from tmdb_collector.simulator import Catalog
from tmdb_collector.simulator.catalog import DEFAULT_CATALOG_SIZE
from tmdb_collector.status import collection_status
from tmdb_collector.store.store import Store

PLAN = {"popular_pages": 2, "genre_pages": 1, "genres": [28]}  # conftest's TINY_PLAN


def test_importing_the_package_does_not_load_the_api() -> None:
    code = "import sys, tmdb_collector; print('tmdb_collector.api' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert loaded.stdout.strip() == "False", loaded.stderr
    with pytest.raises(AttributeError):
        _ = __import__("tmdb_collector").no_such_name


def test_collect_with_progress_then_read_the_collection(sim_url: str, tmp_path: Path) -> None:
    snapshots: list[dict[str, Any]] = []
    db = tmp_path / "api.db"
    result = collect(
        db,
        plan=PLAN,
        base_url=sim_url,
        api_key=TEST_KEY,
        on_progress=snapshots.append,
        progress_interval=0.05,
    )
    assert result.outcome.status == "complete"
    assert result.outcome.movies > 20
    assert snapshots[-1]["state"] == "complete"
    assert snapshots[-1]["movies"] == result.outcome.movies
    with Collection.open(db) as collection:
        assert result.status == collection.status()
        assert collection.status()["plan"]["popular_pages"] == 2
        assert len(collection) == result.outcome.movies == len(list(collection.movies()))
    again = collect(db, plan=PLAN, base_url=sim_url, api_key=TEST_KEY)  # resumes: nothing left
    assert again.outcome.status == "nothing-to-do"
    # No plan, or a mapping of one setting: the rest is the collection's own plan.
    assert collect(db, base_url=sim_url, api_key=TEST_KEY).outcome.status == "nothing-to-do"
    grown = collect(
        db,
        {"parts": "credits,keywords,recommendations,external_ids"},
        base_url=sim_url,
        api_key=TEST_KEY,
    )
    assert grown.outcome.status == "complete"
    assert grown.status["plan"]["popular_pages"] == 2
    assert grown.status["parts"]["items_with"]["external_ids"] == result.outcome.movies
    with pytest.raises(PlanMismatchError) as refused:
        collect(db, plan={**PLAN, "popular_pages": 3}, base_url=sim_url, api_key=TEST_KEY)
    # The library speaks its own API, not the command line's flags (the CLI shows those).
    assert "force_plan=True" in str(refused.value)
    assert "--" not in str(refused.value)
    assert "--force-plan" in refused.value.cli_message


def test_records_are_the_movies_json_values(
    small_collection: SmallCollection, tmp_path: Path
) -> None:
    with Collection.open(small_collection.db) as collection:
        assert collection.export(tmp_path / "movies.json") == len(collection)
        exported = json.loads((tmp_path / "movies.json").read_text(encoding="utf-8"))
        records = list(collection.items())
        assert records == list(exported.values())
        assert list(collection.movies()) == records
        chosen = records[len(records) // 2]
        assert collection.get(chosen["id"]) == chosen
        assert collection.get(-1) is None
        assert list(chosen) == ["id", "details", "credits", "keywords", "recommendations"]
        with Store.open_existing(small_collection.db) as store:
            assert collection.status() == collection_status(store)


def test_table_is_the_parquet_export_as_arrow(
    small_collection: SmallCollection, tmp_path: Path
) -> None:
    with Collection.open(small_collection.db) as collection:
        collection.export(tmp_path / "tables", format="parquet")
        for name in ("movies", "crew", "provenance"):
            assert collection.table(name).equals(
                pq.read_table(tmp_path / "tables" / f"{name}.parquet")
            )
        with pytest.raises(UsageError, match=r"no table 'nope'.*movies"):
            collection.table("nope")
        private = collection._tables
        assert private is not None
        assert private.is_dir()
    assert not private.exists()  # close() removes the private copy


async def test_collect_async_and_collect_inside_a_running_loop(
    sim_url: str, tmp_path: Path
) -> None:
    db = tmp_path / "async.db"
    seen: list[str] = []
    result = await collect_async(
        db, PLAN, base_url=sim_url, api_key=TEST_KEY, on_progress=lambda s: seen.append(s["state"])
    )
    assert result.outcome.status == "complete"
    assert seen[-1] == "complete"
    # A notebook calls the blocking form while its loop runs: it goes to a worker thread.
    again = collect(db, PLAN, base_url=sim_url, api_key=TEST_KEY)
    assert again.outcome.status == "nothing-to-do"


def test_a_bad_key_is_raised(tmp_path: Path) -> None:
    small = simulator("--catalog-size", "200", api_key="the-right-key")
    with small as sim, pytest.raises(AuthError):
        collect(tmp_path / "bad.db", PLAN, base_url=sim.base_url, api_key="a-wrong-key")


def test_a_tv_run_speaks_of_series_in_its_snapshots_and_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The run's progress and messages take the collection's media type: a TV run's snapshots
    (what the dashboard shows) and log lines say "series", never "movie"."""
    fake = FakeTV(count=6)
    fake.withheld = {"season/2"}  # the series with a season 2 fail (as in test_tv.py)
    snapshots: list[dict[str, Any]] = []
    caplog.set_level(logging.INFO, logger="tmdb_collector")
    with tv_server(fake) as url:
        result = collect(
            tmp_path / "tv.db",
            {"media": "tv", "popular_pages": 1, "genre_pages": 0, "parts": "seasons"},
            settings=ClientSettings(base_url=url, max_attempts=1),
            api_key=TEST_KEY,
            on_progress=snapshots.append,
            progress_interval=0.05,
        )
    assert result.outcome.failed == 4
    last = snapshots[-1]
    assert last["media"] == TV.words()
    assert last["stages"]["details"]["label"] == "Series details"
    assert (last["movies"], last["failed_movies"]) == (1, 4)  # keys named alike for both media
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("tmdb_collector")]
    assert any(m.startswith("series 1003 failed: ") for m in messages), messages
    assert any(m.startswith("4 series failed: ") for m in messages), messages
    assert not [m for m in messages if "movie" in m.lower()]


def test_reads_and_exports_leave_out_the_same_items(
    small_collection: SmallCollection, tmp_path: Path
) -> None:
    """One rule decides which items a read yields: Collection.get, items and len agree with
    every export on removed (gone from the daily export) and not-found items, with and
    without include_removed."""
    db = tmp_path / "copy.db"
    with sqlite3.connect(small_collection.db) as source, sqlite3.connect(db) as copy:
        source.backup(copy)
    with Store.open_existing(db) as store:
        stored = sorted(item_id for item_id, _ in store.fetched_at())
        removed, deleted = stored[:3], stored[3]
        for item_id in removed:
            store.mark(item_id, "removed")
        store.mark(deleted, "not_found")
    kept = set(stored) - {*removed, deleted}
    with Collection.open(db) as collection:
        assert collection.get(removed[0]) is None  # as the default export: left out
        assert collection.get(deleted, include_removed=True) is None
        assert len(collection) == len(kept)
        for include_removed, expected in ((False, kept), (True, kept | set(removed))):
            out = tmp_path / str(include_removed)
            json_file, tables = out / "movies.json", out / "tables"
            out.mkdir()
            collection.export(json_file, include_removed=include_removed)
            collection.export(tables, format="parquet", include_removed=include_removed)
            in_json = {int(key) for key in json.loads(json_file.read_text(encoding="utf-8"))}
            in_tables = set(pq.read_table(tables / "movies.parquet").column("id").to_pylist())
            read = {record["id"] for record in collection.items(include_removed=include_removed)}
            got = {i for i in stored if collection.get(i, include_removed=include_removed)}
            assert in_json == in_tables == read == got == expected


def fetched_on(db: Path) -> dict[int, dt.date]:
    with Store.open_existing(db) as store:
        return {i: dt.datetime.fromisoformat(str(at)).date() for i, at in store.fetched_at()}


def test_update_a_simulated_week_later_through_the_api(tmp_path: Path) -> None:
    """update() is `tmdb-collector update`: it reads the changes since the last sync and
    refetches exactly the collected items among them."""
    db, catalogue = tmp_path / "week.db", ("--seed", "7")
    day0, day7 = dt.date(2026, 11, 10), dt.date(2026, 11, 17)
    with simulator(*catalogue, "--today", day0.isoformat()) as sim:
        collect(db, PLAN, base_url=sim.base_url, api_key=TEST_KEY)
    collected = set(fetched_on(db))
    expected = set(Catalog(DEFAULT_CATALOG_SIZE, 7, day7).changed_ids(day0, day7)) & collected
    assert 0 < len(expected) < len(collected)
    snapshots: list[dict[str, Any]] = []
    with simulator(*catalogue, "--today", day7.isoformat()) as sim:
        result = update(
            db,
            base_url=sim.base_url,
            api_key=TEST_KEY,
            on_progress=snapshots.append,
            progress_interval=0.05,
        )
        with pytest.raises(UsageError, match="after TMDB's today"):
            update(db, since="2026-12-01", base_url=sim.base_url, api_key=TEST_KEY)
    assert isinstance(result, UpdateResult)
    assert (result.since, result.until, result.refreshed, result.stale) == (
        day0,
        day7,
        len(expected),
        0,
    )
    assert result.changed >= len(expected)
    assert result.catalogue is None
    assert result.outcome.status == "complete"
    assert result.status["last_sync"] == day7.isoformat()
    assert snapshots[-1]["state"] == "complete"
    assert {i for i, day in fetched_on(db).items() if day == day7} == expected
    with pytest.raises(UsageError, match="since must be a date"):
        update(db, since="last week", base_url="http://127.0.0.1:9/3", api_key=TEST_KEY)
    with pytest.raises(TypeError, match="'max_age_days'"):  # the keyword is max_age
        update(db, max_age_days=30, base_url="http://127.0.0.1:9/3", api_key=TEST_KEY)


def test_the_library_names_its_keywords_where_the_cli_names_its_flags(
    small_collection: SmallCollection, tmp_path: Path
) -> None:
    """One message for both: a Python caller reads the API's keywords (``as_of``), the
    command line its flags (``--as-of``); a quoted command stays as it is."""
    with Collection.open(small_collection.db) as collection:
        with pytest.raises(UsageError) as tables:
            collection.export(tmp_path / "x.json", tables="genres")
        with pytest.raises(UsageError) as day:
            collection.export(tmp_path / "x.json", as_of="1999-01-01")
    assert str(tables.value).startswith("tables is for the table exports")
    assert tables.value.cli_message.startswith("--tables is for the table exports")
    assert str(day.value).startswith("as_of 1999-01-01 is before the collection began")
    assert day.value.cli_message.startswith("--as-of 1999-01-01 is before")
    quoted = UsageError("--per-title reads images: run `tmdb-collector collect --parts images`")
    assert str(quoted) == "per_title reads images: run `tmdb-collector collect --parts images`"
    in_a_path = UsageError("--out a--b/--c (give --give-up-after)")
    assert str(in_a_path) == "out a--b/--c (give give_up_after)"
