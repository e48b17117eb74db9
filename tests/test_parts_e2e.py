"""``collect --parts all`` on the simulator: one request per movie, every part in TMDB's shape,
exactly as the standalone endpoints answer; and a collection grown part by part."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import collect_args, export_json, run_cli, sim_stats, simulator
from tests.httpx_wire import fetch_separately
from tests.test_parts import ALL
from tmdb_collector.credentials import Credentials
from tmdb_collector.fetch.client import TMDBClient
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.media import MOVIE

PLAN = ["--popular-pages", "2", "--genre-pages", "0"]
# Discover pages hold 20 movies each (popular keeps only English ones): the plan's shape.
FULL_PLAN = ["--popular-pages", "0", "--genre-pages", "3", "--genres", "28,35,18"]
KEY = "parts-e2e-key-0042"


@pytest.fixture(scope="module")
def sim() -> Any:
    with simulator("--seed", "11", "--catalog-size", "5000", "--latency-ms", "2") as running:
        yield running


@pytest.fixture(scope="module")
def collected_all(sim: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("all-parts")
    db = folder / "all.db"
    before = sim_stats(sim)["requests"]
    result = run_cli(collect_args(db, sim.base_url, *FULL_PLAN, "--parts", "all"))
    assert result.returncode == 0, result.stderr
    requests = sim_stats(sim)["requests"] - before
    data = export_json(db, folder / "movies.json")
    return db, {"requests": requests, "movies": data}


def test_all_parts_cost_at_most_1_1_requests_per_movie(collected_all: tuple[Path, dict]) -> None:
    _, run = collected_all
    movies = run["movies"]
    assert len(movies) > 80
    assert run["requests"] <= 1.1 * len(movies), (run["requests"], len(movies))


def test_every_movie_carries_all_13_parts_in_tmdbs_shapes(collected_all: tuple[Path, dict]) -> None:
    _, run = collected_all
    for key, movie in run["movies"].items():
        assert list(movie) == ["id", "details", *ALL], key
        for part in ALL:
            body = movie[part]
            assert isinstance(body, dict), (key, part)
            if part not in ("recommendations", "similar"):
                assert body["id"] == movie["id"], (key, part)
        providers = movie["watch/providers"]["results"]
        assert all("link" in country for country in providers.values())
        for country in movie["release_dates"]["results"]:
            assert set(country) == {"iso_3166_1", "release_dates"}
            for release in country["release_dates"]:
                assert list(release) == [
                    "certification", "descriptors", "iso_639_1", "note", "release_date", "type",
                ]  # fmt: skip
        assert list(movie["images"])[:2] == ["backdrops", "id"]


async def test_the_split_equals_the_standalone_endpoints(
    sim: Any, collected_all: tuple[Path, dict]
) -> None:
    _, run = collected_all
    settings = ClientSettings(base_url=sim.base_url, rate=500, concurrency=4)
    sample = sorted(run["movies"], key=int)[:5]
    async with TMDBClient(settings, Credentials(api_key=KEY)) as client:
        for key in sample:
            one = await client.fetch_item(MOVIE, int(key), "en-US", ALL)
            separate = await fetch_separately(client, MOVIE, int(key), "en-US", ALL)
            assert one.details == separate.details, key
            for part in ALL:
                assert one.parts[part] == separate.parts[part], (key, part)
            stored = run["movies"][key]
            assert json.loads(one.parts["videos"]) == stored["videos"]


def test_tables_of_every_part_match_the_raw_counts(
    collected_all: tuple[Path, dict], tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    db, run = collected_all
    result = run_cli(["export", "--db", str(db), "--format", "parquet", "--out", str(tmp_path)])
    assert result.returncode == 0, result.stderr
    movies = run["movies"].values()
    expected = {
        "videos": sum(len(m["videos"]["results"]) for m in movies),
        "release_dates": sum(
            len(c["release_dates"]) for m in movies for c in m["release_dates"]["results"]
        ),
        "watch_providers": sum(
            len(offers)
            for m in movies
            for country in m["watch/providers"]["results"].values()
            for kind, offers in country.items()
            if kind != "link"
        ),
        "images": sum(
            len(m["images"][k]) for m in movies for k in ("backdrops", "logos", "posters")
        ),
        "translations": sum(len(m["translations"]["translations"]) for m in movies),
        "alternative_titles": sum(len(m["alternative_titles"]["titles"]) for m in movies),
        "reviews": sum(len(m["reviews"]["results"]) for m in movies),
        "lists": sum(len(m["lists"]["results"]) for m in movies),
        "similar": sum(len(m["similar"]["results"]) for m in movies),
        "external_ids": len(run["movies"]),
        "cast": sum(len(m["credits"]["cast"]) for m in movies),
    }
    assert all(expected[name] > 0 for name in ("videos", "watch_providers", "release_dates"))
    for table, count in expected.items():
        assert pq.read_metadata(tmp_path / f"{table}.parquet").num_rows == count, table


def test_growing_parts_refetches_each_movie_once(sim: Any, tmp_path: Path) -> None:
    db = tmp_path / "grow.db"
    first = run_cli(collect_args(db, sim.base_url, *PLAN))
    assert first.returncode == 0, first.stderr
    movies = len(export_json(db, tmp_path / "m.json"))
    before = sim_stats(sim)["requests"]
    parts = "credits,keywords,recommendations,videos"
    grown = run_cli(collect_args(db, sim.base_url, *PLAN, "--parts", parts))
    assert grown.returncode == 0, grown.stderr
    requests = sim_stats(sim)["requests"] - before
    assert movies < requests <= movies + 2  # one per movie, plus the genre-list check
    status = json.loads(run_cli(["status", "--db", str(db), "--json"]).stdout)
    assert status["parts"]["items_with"] == dict.fromkeys(parts.split(","), movies)
    data = export_json(db, tmp_path / "m2.json")
    assert all(list(movie) == ["id", "details", *parts.split(",")] for movie in data.values())
    default = run_cli(["export", "--db", str(db), "--out", str(tmp_path / "d.json"), "--parts",
                       ",".join(MOVIE.default_parts)])  # fmt: skip
    assert default.returncode == 0
    sample = json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))
    assert len(sample) == movies
