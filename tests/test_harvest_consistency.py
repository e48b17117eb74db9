"""Harvest consistency: ids listed on two pages and ids missed while a list is re-ranked under
the harvest, counted in status, and recovered by ``--reharvest``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from tests.cli_helpers import TEST_KEY, collect_args, run_cli, sim_stats, simulator
from tests.conftest import FakeClock, load_sample
from tests.httpx_wire import mock_wire
from tmdb_collector.credentials import Credentials
from tmdb_collector.engine.collector import Collector
from tmdb_collector.fetch.client import TMDBClient
from tmdb_collector.fetch.ratelimit import AdaptiveRateLimiter
from tmdb_collector.fetch.retry import RetryPolicy
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.plan.plan import Plan
from tmdb_collector.status import collection_status, format_status
from tmdb_collector.store.harvest_progress import StageConsistency, harvest_consistency
from tmdb_collector.store.store import Store

PAGE = 20
PLAN = Plan(popular_pages=3, genre_pages=0)
DETAILS = load_sample("movie_550_details.json")


class DriftingPopular:
    """/movie/popular over 60 ids; with ``drift`` on, once a page is served the last id on it
    and the first id of the next page swap ranks, as TMDB's re-ranking does under a harvest.
    Every seventh id (3, 10, ...) is French, so the popular stage's language filter drops it."""

    def __init__(self) -> None:
        self.ranking = list(range(1, 61))
        self.drift = True
        self.details: list[int] = []

    def language(self, movie_id: int) -> str:
        return "fr" if movie_id % 7 == 3 else "en"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/3")
        if path == "/genre/movie/list":
            return httpx.Response(200, json=load_sample("genre_movie_list_en.json"))
        if path == "/movie/popular":
            return httpx.Response(200, json=self.page(int(request.url.params["page"])))
        movie_id = int(path.rsplit("/", 1)[1])
        self.details.append(movie_id)
        body: dict[str, Any] = {**DETAILS, "id": movie_id}
        for name in ("credits", "keywords", "recommendations"):
            body[name] = {"id": movie_id, "results": [], "cast": [], "crew": [], "keywords": []}
        return httpx.Response(200, json=body)

    def page(self, page: int) -> dict[str, Any]:
        start = (page - 1) * PAGE
        ids = self.ranking[start : start + PAGE]
        if self.drift and start + PAGE < len(self.ranking):
            last, first = start + PAGE - 1, start + PAGE
            self.ranking[last], self.ranking[first] = self.ranking[first], self.ranking[last]
        results = [{"id": i, "original_language": self.language(i)} for i in ids]
        return {"page": page, "results": results, "total_pages": 3, "total_results": 60}


async def collect(db: Path, server: DriftingPopular, clock: FakeClock) -> None:
    client = TMDBClient(
        ClientSettings(base_url="http://127.0.0.1:9/3", rate=1000, concurrency=1),
        Credentials(api_key="drift-test-key-0042"),
        limiter=AdaptiveRateLimiter(1000, clock=clock),
        policy=RetryPolicy(max_attempts=2),
        clock=clock,
        transport=mock_wire(server),
    )
    with Store.create_or_open(db, PLAN) as store:
        async with client:
            # One worker: pages are fetched in order, so the drift is the same every run.
            outcome = await Collector(store, client, PLAN, concurrency=1).run()
    assert outcome.status == "complete", outcome


def english(ids: list[int], server: DriftingPopular) -> set[int]:
    return {i for i in ids if server.language(i) == "en"}


async def test_drift_is_counted_and_reharvest_recovers_the_missed_ids(
    db_path: Path, fake_clock: FakeClock
) -> None:
    server = DriftingPopular()
    await collect(db_path, server, fake_clock)
    # Id 20 slid onto page 2 and id 40 onto page 3; ids 21 and 41 rose onto a page already read.
    missed = {21, 41}
    with Store.open_existing(db_path) as store:
        assert set(store.ids_with_status("done")) == english(list(range(1, 61)), server) - missed
        assert harvest_consistency(store) == {
            "popular": StageConsistency(finished=True, duplicates=2, missed=2)
        }
        report = collection_status(store)
    assert report["harvest"]["consistency"]["popular"] == {
        "finished": True,
        "duplicates": 2,
        "missed_estimate": 2,
        "pages_not_counted": 0,
    }
    assert report["harvest"]["reharvest_added"] is None
    assert "popular:  2 ids listed on two pages, ~2 missed (estimate)" in format_status(report)

    server.drift = False
    server.details.clear()
    with Store.open_existing(db_path) as store:
        assert store.reharvest(["popular"]) == 3
        assert harvest_consistency(store)["popular"].finished is False
    await collect(db_path, server, fake_clock)
    assert sorted(server.details) == sorted(missed)  # only the missed ids are fetched
    with Store.open_existing(db_path) as store:
        assert set(store.ids_with_status("done")) == english(list(range(1, 61)), server)
        assert harvest_consistency(store)["popular"] == StageConsistency(True, 0, 0)
        report = collection_status(store)
    assert report["harvest"]["reharvest_added"] == 2
    assert "reharvest added 2 ids" in format_status(report)


async def test_the_language_filter_does_not_count_as_missed(
    db_path: Path, fake_clock: FakeClock
) -> None:
    server = DriftingPopular()
    server.drift = False
    await collect(db_path, server, fake_clock)
    with Store.open_existing(db_path) as store:
        assert store.counts().ids == len(english(server.ranking, server)) < 60
        assert harvest_consistency(store)["popular"] == StageConsistency(True, 0, 0)


def test_counted_only_once_the_stage_is_done_and_capped_lists_expect_full_pages(
    db_path: Path,
) -> None:
    (popular,) = PLAN.harvest_queries()
    with Store.create_or_open(db_path, PLAN) as store:
        store.add_query(popular)
        store.save_page(popular, 1, list(range(1, 21)), 100, 2000)  # 100 pages; 3 wanted
        assert harvest_consistency(store)["popular"].finished is False
        store.save_page(popular, 2, list(range(20, 40)), 100, 2000)  # 20 again, 40 unseen
        store.save_page(popular, 3, list(range(41, 61)), 100, 2000)
        # three full pages expected, not 2000 results
        assert harvest_consistency(store)["popular"] == StageConsistency(True, 1, 1)


def test_status_and_reharvest_through_the_cli(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    plan = ["--popular-pages", "3", "--genre-pages", "2", "--genres", "28"]
    with simulator() as sim:
        assert run_cli(collect_args(db, sim.base_url, *plan)).returncode == 0
        report = json.loads(run_cli(["status", "--db", str(db), "--json"]).stdout)
        assert report["harvest"]["consistency"] == {
            stage: {"finished": True, "duplicates": 0, "missed_estimate": 0, "pages_not_counted": 0}
            for stage in ("popular", "discover")
        }
        again = run_cli(collect_args(db, sim.base_url, *plan, "--reharvest", "popular"))
        assert again.returncode == 0, again.stderr
        assert "Reharvested popular: 3 list pages fetched again." in again.stderr
        requests = sim_stats(sim)["requests"]
        everything = run_cli(collect_args(db, sim.base_url, *plan, "--reharvest"))
        assert "Reharvested popular, discover: 5 list pages fetched again." in everything.stderr
        assert sim_stats(sim)["requests"] - requests == 5 + 1  # the pages and one genre list
    report = json.loads(run_cli(["status", "--db", str(db), "--json"]).stdout)
    assert report["harvest"]["reharvest_added"] == 0
    assert report["harvest"]["pages_done"] == 5
    bad = run_cli(collect_args(db, "http://127.0.0.1:9/3", "--reharvest", "nope"))
    assert bad.returncode == 2
    assert "nope" in bad.stderr


def stable_popular_ids(base_url: str, pages: int) -> set[int]:
    """The ids (original language en) the simulator's popular pages list when nothing moves."""
    ids: set[int] = set()
    with httpx.Client(base_url=base_url + "/", params={"api_key": TEST_KEY}) as http:
        for page in range(1, pages + 1):
            body = http.get("movie/popular", params={"page": page, "language": "en-US"}).json()
            ids |= {r["id"] for r in body["results"] if r["original_language"] == "en"}
    return ids


def test_simulated_drift_is_counted_and_reharvest_recovers_the_missed(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    plan = ["--popular-pages", "12", "--genre-pages", "0", "--concurrency", "1"]
    with simulator("--drift", "0.3", "--seed", "11") as sim:
        first = run_cli(collect_args(db, sim.base_url, *plan))
        assert first.returncode == 0, first.stderr
    moved = json.loads(run_cli(["status", "--db", str(db), "--json"]).stdout)["harvest"]
    popular = moved["consistency"]["popular"]
    # A boundary swapped between two page reads lists one id twice and skips its neighbour.
    assert popular["duplicates"] > 0
    assert popular["missed_estimate"] == popular["duplicates"]
    with simulator("--seed", "11") as sim:  # the same catalogue, ranked still
        expected = stable_popular_ids(sim.base_url, 12)
        with Store.open_existing(db) as store:
            before = set(store.ids_with_status("pending", "done"))
        assert expected - before  # missed; an id from past the last page may have slid in
        again = run_cli(collect_args(db, sim.base_url, *plan, "--reharvest"))
        assert again.returncode == 0, again.stderr
    with Store.open_existing(db) as store:
        assert set(store.ids_with_status("done")) == expected | before
        report = collection_status(store)
    assert report["harvest"]["consistency"]["popular"]["duplicates"] == 0
    assert report["harvest"]["consistency"]["popular"]["missed_estimate"] == 0
    assert report["harvest"]["reharvest_added"] == len(expected - before)
