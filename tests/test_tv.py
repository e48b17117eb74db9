"""TV series through the same collector: the TV media type, its plan, its parts and seasons,
a whole collection, its export and its refresh, against the fake TV API in tests/tv_fake.py."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FakeClock, mock_client
from tests.httpx_wire import fetch_separately
from tests.tv_fake import PART_NAMES, FakeTV, spec_example
from tmdb_collector.engine.collector import Collector
from tmdb_collector.engine.update import run_update
from tmdb_collector.errors import ConfigError, PlanMismatchError
from tmdb_collector.export.exporter import export
from tmdb_collector.fetch.client import TMDBClient
from tmdb_collector.media import MOVIE, TV, media_type
from tmdb_collector.media.base import APPEND_LIMIT
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store

DEFAULT = "aggregate_credits,keywords,recommendations"


# ---- the media type and its plan ---------------------------------------------------------------


def test_tv_facts() -> None:
    assert media_type("tv") is TV
    assert len(TV.genres) == 16
    assert TV.part_names == (*PART_NAMES, "seasons")
    assert TV.default_parts == ("aggregate_credits", "keywords", "recommendations")
    assert TV.title == "Series"
    assert MOVIE.title == "Movies"
    with pytest.raises(ConfigError, match="unknown series part 'release_dates'"):
        TV.parse_parts("credits,release_dates")
    with pytest.raises(ConfigError, match="choose one of movie, tv"):
        media_type("anime")


def test_the_tv_plan_is_the_seeds_shape_for_series() -> None:
    plan = Plan(media="tv")
    assert plan.genres == tuple(TV.genres)
    assert plan.parts == TV.default_parts
    queries = plan.harvest_queries()
    assert [q.path for q in queries] == ["/tv/popular"] + ["/discover/tv"] * 16
    popular, first = queries[0], queries[1]
    assert popular.max_pages == 250
    assert popular.keep_language == "en"
    assert first.max_pages == 25
    assert first.date_field == "first_air_date"
    assert dict(first.params) == {
        "language": "en-US",
        "with_genres": "10759",
        "sort_by": "popularity.desc",
        "vote_count.gte": "50",
        "first_air_date.gte": "1970-01-01",
        "first_air_date.lte": "2024-12-31",
        "with_original_language": "en",
    }
    # The movie plan is unchanged.
    assert Plan().genres == tuple(MOVIE.genres)
    assert Plan().parts == MOVIE.default_parts
    assert "primary_release_date.gte" in Plan().harvest_queries()[1].params


def test_tv_plan_settings_are_checked_against_tv() -> None:
    with pytest.raises(ConfigError, match="series genres"):
        Plan(media="tv", genres=(28,))  # Action is a movie genre only
    with pytest.raises(ConfigError, match="sort_by"):
        Plan(media="tv", sort_by="revenue.desc")
    assert Plan(media="tv", sort_by="first_air_date.desc").sort_by == "first_air_date.desc"
    plan = Plan.from_dict({"media": "tv", "genres": "all", "parts": "seasons,keywords"})
    assert plan.genres == tuple(TV.genres)
    assert plan.parts == ("keywords", "seasons")
    assert Plan.from_dict(plan.to_dict()) == plan


def test_a_database_holds_one_media_type(db_path: Path) -> None:
    Store.create_or_open(db_path, Plan()).close()
    for force in (False, True):
        with pytest.raises(PlanMismatchError) as caught:
            Store.create_or_open(db_path, Plan(media="tv"), force_plan=force)
        assert "holds movies" in str(caught.value)
        assert "(media tv)" in str(caught.value)
        assert "--" not in str(caught.value)  # the library does not speak CLI flags
        assert "--media tv" in caught.value.cli_message
    with Store.open_existing(db_path) as store:
        assert store.media_type is MOVIE


# ---- parts and seasons ------------------------------------------------------------------------


def test_every_appended_tv_part_splits_into_the_specs_standalone_body() -> None:
    server = FakeTV()
    body = server.details(1001)
    for name in PART_NAMES:
        appended = server.part(1001, name)
        appended.pop("id", None)
        body[name] = appended
    bodies = TV.split(1001, body, PART_NAMES)
    assert bodies["details"] == server.details(1001)
    for name in PART_NAMES:
        assert bodies[name] == server.part(1001, name), name
        assert list(bodies[name]) == list(spec_example(f"/tv/{{series_id}}/{name}")), name
    TV.check(1001, bodies)


def test_seasons_follow_the_details_in_requests_of_twenty() -> None:
    server = FakeTV()
    details = server.details(1005)  # 25 seasons and specials: season/0 .. season/25
    batches = TV.follow_ups(details, ("keywords", "seasons"))
    assert [len(b) for b in batches] == [APPEND_LIMIT, 6]
    assert batches[0][0] == "season/0"
    assert batches[-1][-1] == "season/25"
    assert TV.follow_ups(details, TV.default_parts) == []  # the common case: no follow-up
    assert TV.appended(("keywords", "seasons")) == ("keywords",)


def client_for(server: FakeTV, clock: FakeClock) -> TMDBClient:
    return mock_client(server, clock, key="tv-test-key-0042", concurrency=4)


@pytest.mark.parametrize(("series_id", "requests"), [(1004, 2), (1003, 2), (1005, 3)])
async def test_fetching_seasons_costs_one_request_more_per_twenty_seasons(
    fake_clock: FakeClock, series_id: int, requests: int
) -> None:
    """1004 has only specials (season/0), 1003 has 3 seasons and specials, 1005 has 25 and
    specials: 26 sub-paths, two follow-ups."""
    server = FakeTV()
    parts = ("keywords", "seasons")
    async with client_for(server, fake_clock) as client:
        record = await client.fetch_item(TV, series_id, "en-US", parts)
        assert len(server.details_requests) == requests
        assert server.details_requests[0] == (series_id, "keywords")
        separate = await fetch_separately(client, TV, series_id, "en-US", parts)
    seasons = server.seasons_of(series_id) + 1
    assert record == separate
    stored = json.loads(record.parts["seasons"])
    assert list(stored) == [f"season/{n}" for n in range(seasons)]
    assert all(len(season["episodes"]) == 2 for season in stored.values())
    assert json.loads(record.parts["keywords"])["id"] == series_id


async def test_a_season_missing_from_a_follow_up_is_fetched_again_then_fails(
    db_path: Path, fake_clock: FakeClock
) -> None:
    """A follow-up answer without one of its seasons is a bad response: retried, and when it
    stays bad the series is recorded as failed with nothing of it stored."""
    server = FakeTV(count=6)
    server.withheld = {"season/2"}
    plan = Plan(media="tv", popular_pages=1, genre_pages=0, parts=("keywords", "seasons"))
    with await collect(db_path, plan, server, fake_clock) as store:
        failed = set(store.ids_with_status("failed"))
        done = set(store.ids_with_status("done"))
        stored = {item_id for item_id, _, _ in store.iter_items(())}
    with_season_2 = {i for i in server.ids if server.seasons_of(i) >= 2 and i % 7}
    assert failed == with_season_2 == {1002, 1003, 1005, 1006}
    assert stored == done == {1004}
    follow_ups = [asked for i, asked in server.details_requests if i == 1003 and "season" in asked]
    assert len(follow_ups) >= 2  # retried


# ---- a whole collection -----------------------------------------------------------------------


async def collect(db: Path, plan: Plan, server: FakeTV, clock: FakeClock) -> Store:
    store = Store.create_or_open(db, plan)
    async with client_for(server, clock) as client:
        outcome = await Collector(store, client, plan, concurrency=4).run()
    assert outcome.status in ("complete", "nothing-to-do"), outcome
    return store


def english(server: FakeTV) -> list[int]:
    return [i for i in server.ids if server.language_of(i) == "en"]


async def test_a_tv_collection_exports_tv_json(
    db_path: Path, tmp_path: Path, fake_clock: FakeClock
) -> None:
    server = FakeTV()
    plan = Plan(media="tv", popular_pages=2, genre_pages=1)
    with await collect(db_path, plan, server, fake_clock) as store:
        assert store.media_type is TV
        out = tmp_path / TV.export_filename
        written = export(store, "json", out)
        lines = tmp_path / "tv.jsonl"
        export(store, "jsonl", lines)
    assert server.requests["/genre/tv/list"] == 1
    assert server.requests["/discover/tv"] == 16  # one page per genre
    data = json.loads(out.read_text("utf-8"))
    assert written == len(data) == len(english(server))
    assert sorted(map(int, data)) == english(server)
    record = data["1002"]
    assert list(record) == ["id", "details", "aggregate_credits", "keywords", "recommendations"]
    assert record["details"] == server.details(1002)
    assert record["keywords"] == server.part(1002, "keywords")
    assert record["aggregate_credits"] == server.part(1002, "aggregate_credits")
    assert [json.loads(line) for line in lines.read_text("utf-8").splitlines()] == [
        data[str(i)] for i in sorted(map(int, data))
    ]
    assert all(asked == DEFAULT for _, asked in server.details_requests)


async def test_choosing_seasons_later_fetches_them_for_every_series(
    db_path: Path, tmp_path: Path, fake_clock: FakeClock
) -> None:
    server = FakeTV(count=12)
    small = Plan(media="tv", popular_pages=1, genre_pages=0)
    with await collect(db_path, small, server, fake_clock) as store:
        assert store.count_lacking(("seasons",)) == len(english(server))
    server.details_requests.clear()
    grown = Plan(media="tv", popular_pages=1, genre_pages=0, parts=(*small.parts, "seasons"))
    with await collect(db_path, grown, server, fake_clock) as store:
        assert store.part_counts()["seasons"] == len(english(server))
        export(store, "json", tmp_path / "tv.json")
    expected = sum(1 + -(-(server.seasons_of(i) + 1) // 20) for i in english(server))
    assert len(server.details_requests) == expected
    data = json.loads((tmp_path / "tv.json").read_text("utf-8"))
    assert len(data["1005"]["seasons"]) == 26
    assert data["1005"]["seasons"]["season/25"] == server.season(1005, 25)


async def test_update_refetches_exactly_the_changed_series(
    db_path: Path, fake_clock: FakeClock
) -> None:
    server = FakeTV(count=12)
    plan = Plan(media="tv", popular_pages=1, genre_pages=0)
    (await collect(db_path, plan, server, fake_clock)).close()
    server.details_requests.clear()
    server.changed = {1002, 1003, 1008, 9999}  # 1008 is French (not collected), 9999 unknown
    server.version = 1
    with Store.create_or_open(db_path, plan) as store:
        async with client_for(server, fake_clock) as client:
            outcome = await run_update(store, client, concurrency=2)
        assert server.requests["/tv/changes"] >= 1
        assert outcome.refreshed == 2
        assert sorted(i for i, _ in server.details_requests) == [1002, 1003]
        names = {
            item_id: json.loads(details)["name"] for item_id, details, _ in store.iter_items(())
        }
    assert names[1002] == "Series 1002 v1"
    assert names[1004] == "Series 1004 v0"


async def test_ids_from_a_tv_series_daily_export(
    db_path: Path, tmp_path: Path, fake_clock: FakeClock
) -> None:
    """tv_series_ids lines have no adult or video field: every line is kept."""
    server = FakeTV(count=10)
    source = tmp_path / "tv_series_ids_03_01_2025.json.gz"
    lines: list[dict[str, Any]] = [
        {"id": i, "original_name": f"Series {i}", "popularity": 3.5} for i in (1002, 1004, 1008)
    ]
    with gzip.open(source, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(line) + "\n" for line in lines)
    plan = Plan(media="tv", ids_from=str(source))
    with await collect(db_path, plan, server, fake_clock) as store:
        assert sorted(store.ids_with_status("done")) == [1002, 1004, 1008]
    assert "/tv/popular" not in server.requests
    assert "/discover/tv" not in server.requests
