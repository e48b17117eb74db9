"""Every part has its tables, with row counts equal to the raw data's, in parquet and csv.

Shapes come from the real capture of /movie/76 with every part appended; it has no images and
an empty translations object, so those two come from the spec's examples for movie 550.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.conftest import REFERENCE
from tests.support.store import queue_ids
from tests.test_parts import ALL, capture_76
from tmdb_collector.export.exporter import export
from tmdb_collector.fetch.records import ItemRecord
from tmdb_collector.history.tables import HISTORY_TABLES
from tmdb_collector.media import MOVIE
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store

TABLES, table_names = MOVIE.tables.tables, MOVIE.tables.names

NEW_TABLES = (
    "alternative_titles",
    "external_ids",
    "images",
    "lists",
    "release_dates",
    "reviews",
    "similar",
    "translations",
    "videos",
    "watch_providers",
)


def spec_example(part: str) -> dict[str, Any]:
    spec = json.loads((REFERENCE / "openapi-v3.json").read_text(encoding="utf-8"))
    content = spec["paths"][f"/3/movie/{{movie_id}}/{part}"]["get"]["responses"]["200"]
    body: dict[str, Any] = json.loads(
        content["content"]["application/json"]["examples"]["Result"]["value"]
    )
    del body["id"]
    return body


def appended(movie_id: int) -> dict[str, Any]:
    body = capture_76()
    body["id"] = movie_id
    body["images"] = spec_example("images")
    body["translations"] = spec_example("translations")
    return body


def raw_counts(body: dict[str, Any]) -> dict[str, int]:
    """Row counts worked out from the raw JSON, independently of the table builders."""
    providers = body["watch/providers"]["results"]
    return {
        "alternative_titles": len(body["alternative_titles"]["titles"]),
        "external_ids": 1,
        "images": sum(len(body["images"][k]) for k in ("backdrops", "logos", "posters")),
        "lists": len(body["lists"]["results"]),
        "release_dates": sum(len(c["release_dates"]) for c in body["release_dates"]["results"]),
        "reviews": len(body["reviews"]["results"]),
        "similar": len(body["similar"]["results"]),
        "translations": len(body["translations"]["translations"]),
        "videos": len(body["videos"]["results"]),
        "watch_providers": sum(
            len(offers[kind])
            for offers in providers.values()
            for kind in ("flatrate", "rent", "buy", "free", "ads")
            if kind in offers
        ),
    }


@pytest.fixture(scope="module")
def full_collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("full") / "full.db"
    with Store.create_or_open(db, Plan(parts=ALL)) as store:
        queue_ids(store, [76, 77])
        for movie_id in (76, 77):
            bodies = MOVIE.split(movie_id, appended(movie_id), ALL)
            store.save_item(ItemRecord.from_parts(movie_id, bodies, MOVIE))
    return db


def test_all_parts_write_every_table(full_collection: Path, tmp_path: Path) -> None:
    assert table_names(ALL) == tuple(TABLES)
    assert table_names(MOVIE.default_parts) == (
        "movies",
        "genres",
        "cast",
        "crew",
        "keywords",
        "recommendations",
        "provenance",
    )
    out = tmp_path / "p"
    with Store.open_existing(full_collection) as store:
        assert export(store, "parquet", out) == 2
    every = [*TABLES, *HISTORY_TABLES]  # every part's tables, and the history's
    assert sorted(p.name for p in out.glob("*.parquet")) == sorted(f"{t}.parquet" for t in every)


def test_part_tables_count_exactly_the_raw_rows(full_collection: Path, tmp_path: Path) -> None:
    expected = raw_counts(appended(76))
    assert all(expected[name] > 0 for name in expected), expected
    assert expected["images"] > 10
    assert expected["watch_providers"] > 100
    with Store.open_existing(full_collection) as store:
        export(store, "parquet", tmp_path / "p")
        export(store, "csv", tmp_path / "c")
    for name in NEW_TABLES:
        table = pq.read_table(tmp_path / "p" / f"{name}.parquet")
        assert table.num_rows == 2 * expected[name], name
        assert table.column_names == [c.name for c in TABLES[name]], name
        with open(tmp_path / "c" / f"{name}.csv", encoding="utf-8", newline="") as handle:
            assert len(list(csv.DictReader(handle))) == 2 * expected[name], name


def read(folder: Path, name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(folder / f"{name}.parquet").to_pylist()
    return [row for row in rows if row["movie_id"] == 76]


def test_part_tables_hold_the_raw_values(full_collection: Path, tmp_path: Path) -> None:
    raw = appended(76)
    with Store.open_existing(full_collection) as store:
        export(store, "parquet", tmp_path / "p")
    out = tmp_path / "p"
    [ids] = read(out, "external_ids")
    assert ids["imdb_id"] == raw["external_ids"]["imdb_id"] == "tt0112471"
    assert ids["facebook_id"] == "BeforeSunriseWB"
    assert ids["wikidata_id"] is None

    # US certification of the movie, and its release types.
    releases = read(out, "release_dates")
    us = [r for r in releases if r["country"] == "US"]
    raw_us = next(c for c in raw["release_dates"]["results"] if c["iso_3166_1"] == "US")
    assert [r["certification"] for r in us] == [r["certification"] for r in raw_us["release_dates"]]
    first = raw["release_dates"]["results"][0]["release_dates"][0]
    assert releases[0]["release_date"] == dt.datetime.fromisoformat(first["release_date"])
    assert (releases[0]["type"], releases[0]["note"]) == (first["type"], first["note"])

    # Where it streams, rents and sells in Germany.
    providers = read(out, "watch_providers")
    german = [p for p in providers if p["country"] == "DE"]
    raw_de = raw["watch/providers"]["results"]["DE"]
    assert {p["offer_type"] for p in german} == set(raw_de) - {"link"}
    assert all(p["link"] == raw_de["link"] for p in german)
    rent = [p["provider_name"] for p in german if p["offer_type"] == "rent"]
    assert rent == [p["provider_name"] for p in raw_de["rent"]]

    [video] = read(out, "videos")
    raw_video = raw["videos"]["results"][0]
    assert (video["key"], video["site"], video["type"]) == ("25v7N34d5HE", "YouTube", "Trailer")
    assert video["video_id"] == raw_video["id"]
    assert video["published_at"] == dt.datetime(2013, 11, 5, 10, 39, 51, tzinfo=dt.UTC)

    images = read(out, "images")
    raw_images = raw["images"]
    assert [i["file_path"] for i in images if i["kind"] == "poster"] == [
        i["file_path"] for i in raw_images["posters"]
    ]
    translations = read(out, "translations")
    arabic = raw["translations"]["translations"][0]
    assert translations[0]["language"] == arabic["iso_639_1"]
    assert translations[0]["overview"] == arabic["data"]["overview"]
    [review] = read(out, "reviews")
    raw_review = raw["reviews"]["results"][0]
    assert (review["author"], review["username"]) == ("edward", "etmahoney")
    assert review["content"] == raw_review["content"]
    similar = read(out, "similar")
    assert [s["similar_id"] for s in similar] == [s["id"] for s in raw["similar"]["results"]]
    lists = read(out, "lists")
    assert [entry["list_id"] for entry in lists] == [x["id"] for x in raw["lists"]["results"]]
    titles = read(out, "alternative_titles")
    assert [(t["country"], t["title"]) for t in titles] == [
        (t["iso_3166_1"], t["title"]) for t in raw["alternative_titles"]["titles"]
    ]


def test_exporting_fewer_parts_writes_fewer_tables(full_collection: Path, tmp_path: Path) -> None:
    with Store.open_existing(full_collection) as store:
        assert export(store, "csv", tmp_path / "c", parts="videos,watch/providers") == 2
    names = sorted(p.stem for p in (tmp_path / "c").glob("*.csv"))
    history = ["availability", "part_versions"]  # watch/providers: availability too
    assert names == sorted(
        ["movies", "genres", "videos", "watch_providers", "provenance", *history]
    )
