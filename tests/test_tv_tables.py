"""The TV tables: exported from a TV collection, loaded in pyarrow, DuckDB and pandas, with row
counts equal to the raw counts in tv.json."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.conftest import FakeClock, mock_client
from tests.tv_fake import FakeTV
from tmdb_collector.engine.collector import Collector
from tmdb_collector.export.exporter import export
from tmdb_collector.history.tables import HISTORY_TABLES
from tmdb_collector.media import TV
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store

PARTS = TV.part_names  # every part, so every table
TV_TABLES = TV.tables
TABLES, KEYS = TV_TABLES.tables, TV_TABLES.keys


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """A TV collection with the table-feeding parts: its tv.json and its table directory."""
    folder = tmp_path_factory.mktemp("tv-tables")
    server = FakeTV(count=15)
    plan = Plan(media="tv", popular_pages=1, genre_pages=1, parts=PARTS)

    async def run() -> None:
        with Store.create_or_open(folder / "tv.db", plan) as store:
            async with mock_client(server, FakeClock(), concurrency=4) as client:
                outcome = await Collector(store, client, plan, concurrency=4).run()
            assert outcome.status == "complete"
            export(store, "json", folder / "tv.json")
            for fmt in ("parquet", "csv"):
                export(store, fmt, folder / fmt)
            export(store, "duckdb", folder / "tv.duckdb")

    asyncio.run(run())
    return json.loads((folder / "tv.json").read_text("utf-8")), folder


def raw_counts(data: dict[str, Any]) -> dict[str, int]:
    """Each table's expected rows, counted from the raw bodies."""
    records = list(data.values())

    def total(count: Any) -> int:
        return sum(count(record) for record in records)

    def people(key: str, entries: str) -> int:
        return total(lambda r: sum(max(1, len(p[entries])) for p in r["aggregate_credits"][key]))

    return {
        "series": len(records),
        "series_genres": total(lambda r: len(r["details"]["genres"])),
        "networks": total(lambda r: len(r["details"]["networks"])),
        "created_by": total(lambda r: len(r["details"]["created_by"])),
        "seasons": total(lambda r: len(r["details"]["seasons"])),
        "episodes": total(lambda r: sum(len(s["episodes"]) for s in r["seasons"].values())),
        "series_cast": people("cast", "roles"),
        "series_crew": people("crew", "jobs"),
        "cast": total(lambda r: len(r["credits"]["cast"])),
        "crew": total(lambda r: len(r["credits"]["crew"])),
        "series_keywords": total(lambda r: len(r["keywords"]["results"])),
        "series_recommendations": total(lambda r: len(r["recommendations"]["results"])),
        "content_ratings": total(lambda r: len(r["content_ratings"]["results"])),
        "series_similar": total(lambda r: len(r["similar"]["results"])),
        "alternative_titles": total(lambda r: len(r["alternative_titles"]["results"])),
        "episode_groups": total(lambda r: len(r["episode_groups"]["results"])),
        "external_ids": len(records),
        "images": total(
            lambda r: sum(len(r["images"][k]) for k in ("backdrops", "logos", "posters"))
        ),
        "reviews": total(lambda r: len(r["reviews"]["results"])),
        "screened_theatrically": total(lambda r: len(r["screened_theatrically"]["results"])),
        "translations": total(lambda r: len(r["translations"]["translations"])),
        "videos": total(lambda r: len(r["videos"]["results"])),
        "watch_providers": total(
            lambda r: sum(
                len(offers)
                for country in r["watch/providers"]["results"].values()
                for offers in country.values()
                if isinstance(offers, list)
            )
        ),
        "provenance": -1,  # not in tv.json; checked below
    }


def query(sql: str) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` run by DuckDB in memory."""
    rows: list[tuple[Any, ...]] = duckdb.connect().execute(sql).fetchall()
    return rows


def test_every_tv_table_is_written_with_the_raw_row_counts(
    exported: tuple[dict[str, Any], Path],
) -> None:
    data, folder = exported
    expected = raw_counts(data)
    assert TV_TABLES.names(PARTS) == tuple(TABLES)  # every part: every table
    assert sorted(expected) == sorted(TABLES)
    written = sorted([*TABLES, *HISTORY_TABLES])  # every part's tables, and the history's
    assert sorted(p.stem for p in (folder / "parquet").glob("*.parquet")) == written
    assert sorted(p.stem for p in (folder / "csv").glob("*.csv")) == written
    for name, count in expected.items():
        table = pq.read_table(folder / "parquet" / f"{name}.parquet")
        assert table.column_names == [column.name for column in TABLES[name]], name
        if count >= 0:
            assert table.num_rows == count, name
            assert count > 0, name  # every table has rows, so the check can fail
    # A role or a job is a row: the fake's lead actor has two roles in every series.
    assert expected["series_cast"] > sum(len(r["aggregate_credits"]["cast"]) for r in data.values())


def test_tv_tables_load_in_duckdb_and_pandas_with_the_same_counts(
    exported: tuple[dict[str, Any], Path],
) -> None:
    data, folder = exported
    for name, count in raw_counts(data).items():
        parquet, csv = folder / "parquet" / f"{name}.parquet", folder / "csv" / f"{name}.csv"
        in_duckdb = query(f"SELECT count(*) FROM '{parquet}'")
        in_csv = query(f"SELECT count(*) FROM read_csv('{csv}', header = true)")
        frame, frame_csv = pd.read_parquet(parquet), pd.read_csv(csv)
        rows = count if count >= 0 else pq.read_metadata(parquet).num_rows
        assert in_duckdb == [(rows,)], name
        assert in_csv == [(rows,)], name
        assert len(frame) == len(frame_csv) == rows, name


def test_tv_table_values(exported: tuple[dict[str, Any], Path]) -> None:
    data, folder = exported
    record = data["1005"]
    parquet = folder / "parquet"
    [series] = query(
        "SELECT name, number_of_seasons, first_air_date, network_ids"
        f" FROM '{parquet}/series.parquet' WHERE id = 1005"
    )
    details = record["details"]
    assert series[0] == details["name"]
    assert series[1] == 25
    assert series[2].isoformat() == details["first_air_date"]
    assert series[3] == [n["id"] for n in details["networks"]]
    episodes = query(
        f"SELECT season_number, episode_number, episode_id FROM '{parquet}/episodes.parquet'"
        " WHERE series_id = 1005 ORDER BY season_number, episode_number"
    )
    assert episodes == [
        (e["season_number"], e["episode_number"], e["id"])
        for s in record["seasons"].values()
        for e in s["episodes"]
    ]
    star = record["aggregate_credits"]["cast"][0]
    roles = query(
        "SELECT character, episode_count, total_episode_count"
        f" FROM '{parquet}/series_cast.parquet'"
        f" WHERE series_id = 1005 AND person_id = {star['id']} ORDER BY episode_count DESC"
    )
    assert roles == [
        (role["character"], role["episode_count"], star["total_episode_count"])
        for role in sorted(star["roles"], key=lambda role: -role["episode_count"])
    ]
    ratings = pd.read_parquet(parquet / "content_ratings.parquet")
    us = ratings[(ratings.series_id == 1005) & (ratings.country == "US")]
    assert list(us.rating) == [
        c["rating"] for c in record["content_ratings"]["results"] if c["iso_3166_1"] == "US"
    ]
    provenance = pd.read_parquet(parquet / "provenance.parquet")
    assert set(provenance.series_id) == set(map(int, data))
    translations = pd.read_parquet(parquet / "translations.parquet")
    first = record["translations"]["translations"][0]
    mine = translations[
        (translations.series_id == 1005) & (translations.language == first["iso_639_1"])
    ]
    assert next(iter(mine.title)) == first["data"]["name"]  # a TV translation's name is its title
    assert next(iter(mine.name)) == first["name"]


def test_default_parts_write_only_their_tables(exported: tuple[dict[str, Any], Path]) -> None:
    assert TV_TABLES.names(TV.default_parts) == (
        "series",
        "series_genres",
        "networks",
        "created_by",
        "seasons",
        "series_cast",
        "series_crew",
        "series_keywords",
        "series_recommendations",
        "provenance",
    )


def test_the_duckdb_export_holds_every_tv_table_with_its_keys(
    exported: tuple[dict[str, Any], Path],
) -> None:
    data, folder = exported
    expected = raw_counts(data)
    with duckdb.connect(str(folder / "tv.duckdb"), read_only=True) as db:
        names = {row[0] for row in db.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert names == {*TABLES, *HISTORY_TABLES}
        for name, count in expected.items():
            if count >= 0:
                assert db.execute(f'SELECT count(*) FROM "{name}"').fetchall() == [(count,)], name
        keys = {
            table: tuple(columns)
            for table, columns in db.execute(
                "SELECT table_name, constraint_column_names FROM duckdb_constraints()"
                " WHERE constraint_type = 'PRIMARY KEY'"
            ).fetchall()
        }
        views = db.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    assert keys == KEYS
    assert views == []  # the views are the movie tables'
