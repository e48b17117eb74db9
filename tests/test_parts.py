"""Parts: choosing them, splitting one append_to_response body back into TMDB's standalone
bodies, storing any set of them, and growing a collection's parts."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import REFERENCE, FakeClock, load_sample, mock_client
from tests.support.store import queue_ids
from tmdb_collector.engine import collector as collector_module
from tmdb_collector.engine.collector import Collector
from tmdb_collector.errors import BadResponseError, ConfigError, PlanMismatchError
from tmdb_collector.export.exporter import export
from tmdb_collector.fetch.records import ItemRecord
from tmdb_collector.media import MOVIE
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store

ALL = (
    "alternative_titles",
    "credits",
    "external_ids",
    "images",
    "keywords",
    "lists",
    "recommendations",
    "release_dates",
    "reviews",
    "similar",
    "translations",
    "videos",
    "watch/providers",
)
CAPTURE = "movie_76_details_append_to_response_all.json"


def capture_76() -> dict[str, Any]:
    """The real capture of /movie/76 with every part appended. It also carries ``changes``,
    which is not a part (we never ask for it), so it is dropped here."""
    body: dict[str, Any] = load_sample(CAPTURE)
    del body["changes"]
    return body


# ---- choosing parts ---------------------------------------------------------------------------


def test_the_13_parts_the_default_and_all() -> None:
    assert MOVIE.part_names == ALL
    assert MOVIE.default_parts == ("credits", "keywords", "recommendations")
    assert MOVIE.parse_parts("all") == ALL
    assert MOVIE.parse_parts(["all"]) == ALL
    # Canonical order and no repeats, whatever order they were asked in.
    assert MOVIE.parse_parts("videos, credits,watch/providers,credits") == (
        "credits",
        "videos",
        "watch/providers",
    )
    assert MOVIE.parse_parts("none") == MOVIE.parse_parts([]) == ()


@pytest.mark.parametrize("slip", ["", " ", ",", "credits,,keywords", "credits,"])
def test_an_empty_part_name_is_refused_not_read_as_no_parts(slip: str) -> None:
    with pytest.raises(ConfigError, match=r"empty name.*'none' for the details alone"):
        MOVIE.parse_parts(slip)


def test_an_unknown_part_names_the_valid_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        MOVIE.parse_parts("credits,trailers")
    message = str(caught.value)
    assert "'trailers'" in message
    assert all(name in message for name in ALL)
    with pytest.raises(ConfigError, match="unknown movie part"):
        Plan(parts=("providers",))


# ---- splitting --------------------------------------------------------------------------------


def test_the_real_capture_splits_into_standalone_bodies() -> None:
    capture = capture_76()
    bodies = MOVIE.split(76, capture, ALL)
    assert list(bodies) == ["details", *ALL]
    details_keys = list(load_sample("movie_550_details.json"))
    assert list(bodies["details"]) == [k for k in details_keys if k in bodies["details"]]
    assert not set(ALL) & set(bodies["details"])
    # Standalone endpoints put the id first, /images after backdrops, and the paged
    # /recommendations and /similar carry none (spec examples of /movie/550/...).
    for name in ALL:
        body, appended = bodies[name], capture[name]
        assert {k: v for k, v in body.items() if k != "id"} == appended, name
        if name in ("recommendations", "similar"):
            assert "id" not in body
        elif name == "images":
            assert list(body) == ["backdrops", "id", "logos", "posters"]
        else:
            assert next(iter(body)) == "id", name
            assert body["id"] == 76, name
    assert list(bodies["watch/providers"]) == ["id", "results"]
    assert list(bodies["release_dates"]) == ["id", "results"]
    assert list(bodies["external_ids"])[:2] == ["id", "imdb_id"]
    record = ItemRecord.from_parts(76, bodies, MOVIE)
    assert list(record.parts) == list(ALL)
    assert (
        json.loads(record.parts["watch/providers"])["results"]
        == capture["watch/providers"]["results"]
    )


def test_the_standalone_keys_match_the_specs_examples() -> None:
    """The key order of each standalone body equals the OpenAPI spec's example for movie 550."""
    spec = json.loads((REFERENCE / "openapi-v3.json").read_text(encoding="utf-8"))
    capture = capture_76()
    bodies = MOVIE.split(76, capture, ALL)
    for name in ALL:
        content = spec["paths"][f"/3/movie/{{movie_id}}/{name}"]["get"]["responses"]["200"]
        examples = content["content"]["application/json"].get("examples", {})
        example = json.loads(examples["Result"]["value"]) if "Result" in examples else {}
        if not example:
            assert name == "recommendations"  # its example is empty: see API-FACTS.md
            continue
        assert list(bodies[name]) == [k for k in example if k in bodies[name]], name
        assert set(example) <= set(bodies[name]) | {"translations"}, name


def test_a_missing_or_wrong_part_is_a_bad_response() -> None:
    capture = capture_76()
    del capture["videos"]
    with pytest.raises(BadResponseError, match="videos"):
        MOVIE.split(76, capture, ALL)
    capture = capture_76()
    capture["watch/providers"] = {"results": []}  # a list where TMDB sends countries
    with pytest.raises(BadResponseError, match="watch/providers"):
        ItemRecord.from_parts(76, MOVIE.split(76, capture, ALL), MOVIE)
    capture = capture_76()
    capture["id"] = 77
    with pytest.raises(BadResponseError, match="another id"):
        ItemRecord.from_parts(76, MOVIE.split(76, capture, ALL), MOVIE)


# ---- storing any parts ------------------------------------------------------------------------


def record(item_id: int, parts: tuple[str, ...]) -> ItemRecord:
    capture = capture_76()
    capture["id"] = item_id
    return ItemRecord.from_parts(item_id, MOVIE.split(item_id, capture, parts), MOVIE)


def test_the_store_holds_any_parts_and_exports_only_complete_items(
    db_path: Path, tmp_path: Path
) -> None:
    with Store.create_or_open(db_path, Plan(parts=("credits", "videos"))) as store:
        queue_ids(store, [1, 2, 3])
        store.save_item(record(1, ("credits", "videos")))
        store.save_item(record(2, ("credits",)))
        store.save_item(record(3, ALL))
        assert store.part_counts() == {
            **dict.fromkeys(ALL, 1),
            "credits": 3,
            "videos": 2,
        }
        assert [row[0] for row in store.iter_items(("credits", "videos"))] == [1, 3]
        assert [row[0] for row in store.iter_items(())] == [1, 2, 3]
        [(item_id, _, bodies)] = store.iter_items(("watch/providers", "credits"))
        assert item_id == 3
        assert json.loads(bodies[0])["results"] == capture_76()["watch/providers"]["results"]
        assert json.loads(bodies[1])["cast"] == capture_76()["credits"]["cast"]
        assert store.count_lacking(("credits", "videos")) == 1
        # A new fetch replaces every part of the old one.
        store.save_item(record(3, ("credits",)))
        assert store.part_counts()["credits"] == 3
        assert "watch/providers" not in store.part_counts()
        out = tmp_path / "movies.json"
        assert export(store, "json", out) == 1
        assert export(store, "json", out, parts="credits") == 3
    data = json.loads(out.read_text(encoding="utf-8"))
    assert list(data["1"]) == ["id", "details", "credits"]


def test_parts_of_every_name_round_trip_through_movies_json(db_path: Path, tmp_path: Path) -> None:
    with Store.create_or_open(db_path, Plan(parts=ALL)) as store:
        queue_ids(store, [76])
        store.save_item(record(76, ALL))
        out = tmp_path / "movies.jsonl"
        assert export(store, "jsonl", out) == 1
    [line] = out.read_text(encoding="utf-8").splitlines()
    movie = json.loads(line)
    assert list(movie) == ["id", "details", *ALL]
    assert movie["watch/providers"]["id"] == 76
    assert movie == {"id": 76, **MOVIE.split(76, capture_76(), ALL)}


def test_other_parts_are_no_plan_conflict(db_path: Path) -> None:
    Store.create_or_open(db_path, Plan()).close()
    with Store.create_or_open(db_path, Plan(parts=("credits", "videos"))) as store:
        assert store.plan().parts == ("credits", "videos")
    with pytest.raises(PlanMismatchError) as caught:
        Store.create_or_open(db_path, Plan(popular_pages=3, parts=("credits",)))
    assert "popular_pages" in str(caught.value)
    assert "parts:" not in str(caught.value)


# ---- growing a collection's parts -------------------------------------------------------------


class FakeTMDB:
    """Three popular movies; /movie/{id} appends whatever is asked, from the real capture."""

    def __init__(self) -> None:
        self.details_requests: list[tuple[int, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/3")
        if path == "/genre/movie/list":
            return httpx.Response(200, json=load_sample("genre_movie_list_en.json"))
        if path == "/movie/popular":
            results = [{"id": i, "original_language": "en"} for i in (11, 12, 13)]
            page = {"page": 1, "results": results, "total_pages": 1, "total_results": 3}
            return httpx.Response(200, json=page)
        movie_id = int(path.rsplit("/", 1)[1])
        asked = request.url.params.get("append_to_response", "")
        self.details_requests.append((movie_id, asked))
        capture = capture_76()
        body = {k: v for k, v in capture.items() if k not in ALL}
        body["id"] = movie_id
        for name in filter(None, asked.split(",")):
            body[name] = capture[name]
        return httpx.Response(200, json=body)


async def collect(db: Path, plan: Plan, server: FakeTMDB, clock: FakeClock) -> Store:
    client = mock_client(server, clock, key="parts-test-key-0042")
    store = Store.create_or_open(db, plan)
    async with client:
        outcome = await Collector(store, client, plan, concurrency=2).run()
    assert outcome.status in ("complete", "nothing-to-do"), outcome
    return store


async def test_a_pause_asked_as_the_last_item_lands_is_a_complete_run(
    db_path: Path, fake_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the last requests finish: nothing is left to resume, so the run says it is
    complete (it had said "Paused" and exited 130)."""
    plan = Plan(popular_pages=1, genre_pages=0)
    with Store.create_or_open(db_path, plan) as store:
        async with mock_client(FakeTMDB(), fake_clock, key="parts-test-key-0042") as client:
            collector = Collector(store, client, plan, concurrency=2)
            save = store.save_item

            def save_then_pause(record: Any) -> None:
                save(record)
                if not store.ids_with_status("pending", limit=1):
                    collector.request_stop()

            monkeypatch.setattr(store, "save_item", save_then_pause)
            outcome = await collector.run()
        assert collector.progress.state == "complete"
        assert outcome.status == "complete"
        assert store.counts().done == outcome.movies > 0


class GatedClock(FakeClock):
    """The limiter's waits never end: a request that needs a later slot waits until
    cancelled. ``waiting`` is set once one does."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        self.waiting.set()
        await asyncio.Event().wait()


async def test_a_pause_sends_none_of_the_requests_the_limiter_holds(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pausing cancels the requests still waiting for a rate slot (they had been sent as
    their slots came, for up to the stop grace): the run ends at once with only the sent
    ones counted. The grace is made an hour, so waiting it out would trip the guard."""
    monkeypatch.setattr(collector_module, "STOP_GRACE_SECONDS", 3600.0)
    clock = GatedClock()
    plan = Plan(popular_pages=1, genre_pages=0)
    with Store.create_or_open(db_path, plan) as store:
        async with mock_client(FakeTMDB(), clock, key="parts-test-key-0042") as client:
            collector = Collector(store, client, plan, concurrency=2)
            run = asyncio.create_task(collector.run())
            await asyncio.wait_for(clock.waiting.wait(), 30)  # page 1 waits for its slot
            collector.request_stop()
            outcome = await asyncio.wait_for(run, 30)
            assert outcome.status == "paused"
            assert outcome.requests == 1  # the genre list; page 1 was never sent
            assert store.counts().pages_done == 0
            # Start again on the same client (the dashboard's): the slot page 1 had booked
            # is given back, so the new run's first request goes at once (a wait would hang).
            clock.waiting.clear()
            again = Collector(store, client, plan, concurrency=2)
            run = asyncio.create_task(again.run())
            await asyncio.wait_for(clock.waiting.wait(), 30)
            again.request_stop()
            assert (await asyncio.wait_for(run, 30)).requests == 2


async def test_more_parts_refetch_only_the_movies_that_lack_one(
    db_path: Path, fake_clock: FakeClock
) -> None:
    server = FakeTMDB()
    small = Plan(popular_pages=1, genre_pages=0)
    with await collect(db_path, small, server, fake_clock) as store:
        assert store.part_counts() == dict.fromkeys(small.parts, 3)
    default = "credits,keywords,recommendations"
    assert sorted(server.details_requests) == [(11, default), (12, default), (13, default)]

    server.details_requests.clear()
    grown = Plan(popular_pages=1, genre_pages=0, parts=(*small.parts, "videos"))
    with await collect(db_path, grown, server, fake_clock) as store:
        assert store.part_counts() == dict.fromkeys(grown.parts, 3)
        assert store.plan().parts == grown.parts
    asked = "credits,keywords,recommendations,videos"
    assert sorted(server.details_requests) == [(11, asked), (12, asked), (13, asked)]

    server.details_requests.clear()
    fewer = Plan(popular_pages=1, genre_pages=0, parts=("credits",))
    with await collect(db_path, fewer, server, fake_clock) as store:
        assert store.part_counts()["videos"] == 3  # nothing is thrown away
    assert server.details_requests == []
