"""Outages cost no work and mark nothing failed; real per-unit failures are still recorded.

In process, against a fake TMDB behind httpx.MockTransport and an injected clock: sleeps
(backoffs, probes) advance the fake clock at once, so an outage of five fake minutes, far
longer than a unit's whole retry budget, runs in a fraction of a second of real time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.conftest import FakeClock
from tests.httpx_wire import mock_wire, movie_body
from tests.test_export_loading import progress_events
from tmdb_collector.credentials import Credentials
from tmdb_collector.dashboard import CollectionSession, create_app
from tmdb_collector.engine.collector import TRANSIENT_ROUNDS, Collector, RunOutcome
from tmdb_collector.errors import NetworkError, OutageGiveUpError
from tmdb_collector.export.exporter import export
from tmdb_collector.fetch.breaker import BreakerSettings, CircuitBreaker, OutageView
from tmdb_collector.fetch.client import TMDBClient
from tmdb_collector.fetch.ratelimit import AdaptiveRateLimiter
from tmdb_collector.fetch.retry import RetryPolicy
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store

PLAN = Plan(popular_pages=4, genre_pages=0)
PER_PAGE = 6
OUTAGE_SECONDS = 300.0  # fake seconds: a unit's whole budget is a few
SETTINGS = ClientSettings(
    base_url="http://127.0.0.1:9/3",
    rate=1000,
    concurrency=4,
    max_attempts=2,
    outage_threshold=3,
    probe_initial=0.5,
    probe_max=5.0,
)
HTML = b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"


class FakeTMDB:
    """Popular pages and movies; an outage of ``kind`` starts once ``start_after`` movies were
    served and lasts ``duration`` seconds of the fake clock (forever when None)."""

    def __init__(
        self,
        clock: FakeClock,
        kind: str | None = None,
        start_after: int = 5,
        duration: float | None = OUTAGE_SECONDS,
        broken: frozenset[int] = frozenset(),
    ) -> None:
        self.clock, self.kind, self.start_after, self.duration = clock, kind, start_after, duration
        self.broken = broken
        self.movies_served = 0
        self.outage_from: float | None = None
        self.faults = 0
        self.hits: dict[int, int] = {}

    def in_outage(self) -> bool:
        if self.kind is None:
            return False
        if self.outage_from is None and self.movies_served >= self.start_after:
            self.outage_from = self.clock.now
        if self.outage_from is None:
            return False
        return self.duration is None or self.clock.now < self.outage_from + self.duration

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.in_outage():
            self.faults += 1
            if self.kind == "refuse":
                raise httpx.ConnectError("[Errno 111] Connection refused")
            status = 503 if self.kind == "html503" else 200
            html = {"Content-Type": "text/html; charset=utf-8"}
            return httpx.Response(status, content=HTML, headers=html)
        path = request.url.path.removeprefix("/3")
        if path in ("/configuration", "/genre/movie/list"):
            return httpx.Response(200, json={"genres": [], "images": {}})
        if path == "/movie/popular":
            page = int(request.url.params["page"])
            ids = [100 * page + i for i in range(PER_PAGE)]
            results = [{"id": i, "original_language": "en"} for i in ids]
            body = {"page": page, "results": results, "total_pages": 4, "total_results": 24}
            return httpx.Response(200, json=body)
        movie_id = int(path.split("/")[2])
        self.hits[movie_id] = self.hits.get(movie_id, 0) + 1
        if movie_id in self.broken:
            return httpx.Response(500, json={"status_code": 11, "status_message": "Internal"})
        self.movies_served += 1
        return httpx.Response(200, json=movie_body(movie_id))


def client_for(fake: FakeTMDB, clock: FakeClock, settings: ClientSettings = SETTINGS) -> TMDBClient:
    return TMDBClient(
        settings,
        Credentials(api_key="outage-test-key-0042"),
        limiter=AdaptiveRateLimiter(settings.rate, clock=clock),
        policy=RetryPolicy(max_attempts=settings.max_attempts),
        clock=clock,
        transport=mock_wire(fake),
    )


async def collect(
    db: Path, fake: FakeTMDB, clock: FakeClock, settings: ClientSettings = SETTINGS
) -> tuple[RunOutcome, bytes]:
    with Store.create_or_open(db, PLAN) as store:
        async with client_for(fake, clock, settings) as client:
            outcome = await Collector(store, client, PLAN, concurrency=4).run()
        export(store, "json", db.with_suffix(".json"))
    return outcome, db.with_suffix(".json").read_bytes()


@pytest.fixture
async def reference(tmp_path: Path) -> bytes:
    clock = FakeClock()
    outcome, exported = await collect(tmp_path / "reference.db", FakeTMDB(clock), clock)
    assert outcome.status == "complete"
    assert outcome.movies == 4 * PER_PAGE
    return exported


@pytest.mark.parametrize("kind", ["refuse", "html503", "portal200"])
async def test_an_outage_longer_than_any_retry_budget_marks_nothing_failed(
    kind: str, tmp_path: Path, reference: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    fake = FakeTMDB(clock, kind)
    outcome, exported = await collect(tmp_path / "outage.db", fake, clock)
    assert fake.outage_from is not None  # the outage did happen, mid-run
    assert fake.faults > 0
    assert clock.now - fake.outage_from >= OUTAGE_SECONDS
    assert outcome.status == "complete"
    assert (outcome.failed, outcome.failed_pages) == (0, 0)
    assert exported == reference
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 2, warnings  # one line when it starts, one when it ends
    assert warnings[0].startswith("TMDB unreachable since ")
    assert "Ctrl-C pauses" in warnings[0]
    assert re.match(r"TMDB reachable again after [45] min( \d+ s)?; resuming$", warnings[1])


@pytest.mark.parametrize("kind", ["refuse", "html503", "portal200"])
async def test_a_resumed_run_that_starts_during_an_outage_waits_for_it(
    kind: str, tmp_path: Path, reference: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """The first request meets the outage alone (nothing else is in flight yet), so only the
    breaker's probe can tell it from a broken request; TMDB answered this collection before,
    so it is an outage to wait out."""
    clock = FakeClock()
    db = tmp_path / "resumed.db"
    settings = replace(SETTINGS, give_up_after="2m")
    outcome, _ = await collect(db, FakeTMDB(clock, "refuse", duration=None), clock, settings)
    assert outcome.status == "failed"  # TMDB went away for good mid-run, and the run gave up
    caplog.clear()
    began = clock.now
    fake = FakeTMDB(clock, kind, start_after=0)  # down when the next run starts
    outcome, exported = await collect(db, fake, clock)
    assert fake.outage_from == began
    assert clock.now - began >= OUTAGE_SECONDS
    assert outcome.status == "complete"
    assert (outcome.failed, outcome.failed_pages) == (0, 0)
    assert exported == reference
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith("TMDB unreachable since ")


@pytest.mark.parametrize("kind", ["refuse", "html503"])
async def test_a_new_collection_that_cannot_reach_tmdb_fails_after_one_request(
    kind: str, tmp_path: Path
) -> None:
    """TMDB never answered this URL: more likely a wrong --base-url than an outage."""
    clock = FakeClock()
    fake = FakeTMDB(clock, kind, start_after=0, duration=None)
    db = tmp_path / "new.db"
    settings = replace(SETTINGS, give_up_after="2m")  # were it waited out, not for ever
    with Store.create_or_open(db, PLAN) as store:
        async with client_for(fake, clock, settings) as client:
            outcome = await Collector(store, client, PLAN, concurrency=4).run()
    assert outcome.status == "failed"
    assert "GET /genre/movie/list" in str(outcome.error)
    assert fake.faults == SETTINGS.max_attempts  # the first request's attempts, nothing after


async def test_a_unit_that_always_fails_while_others_succeed_still_ends_failed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    fake = FakeTMDB(clock, broken=frozenset({101, 203}))
    outcome, _ = await collect(tmp_path / "broken.db", fake, clock)
    assert outcome.status == "complete"
    assert (outcome.movies, outcome.failed) == (4 * PER_PAGE - 2, 2)
    # every attempt of every round was spent on them, none held by the breaker
    assert fake.hits[101] == fake.hits[203] == SETTINGS.max_attempts * TRANSIENT_ROUNDS
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == ["2 movies failed: HTTP 500 (TMDB status_code 11): Internal"]


async def test_give_up_after_ends_the_run_with_nothing_failed_and_a_rerun_completes(
    tmp_path: Path, reference: bytes
) -> None:
    clock = FakeClock()
    fake = FakeTMDB(clock, "refuse", duration=None)  # never comes back
    settings = replace(SETTINGS, give_up_after="2m")
    db = tmp_path / "give-up.db"
    outcome, _ = await collect(db, fake, clock, settings)
    assert outcome.status == "failed"
    assert isinstance(outcome.error, OutageGiveUpError)
    assert "TMDB unreachable for 2 min (since" in str(outcome.error)
    assert "Nothing was marked failed" in str(outcome.error)
    assert (outcome.failed, outcome.failed_pages) == (0, 0)
    with Store.open_existing(db) as store:
        assert store.failures() == []
        assert store.counts().done >= fake.start_after
    fake.kind = None  # TMDB is back: the same run resumes and completes
    outcome, exported = await collect(db, fake, clock, settings)
    assert outcome.status == "complete"
    assert exported == reference


# ---- the breaker alone ----------------------------------------------------------------------


def failure() -> NetworkError:
    return NetworkError("Connection refused")


async def test_the_breaker_needs_a_streak_across_units_and_any_answer_resets_it() -> None:
    breaker = CircuitBreaker(BreakerSettings(threshold=3), clock=FakeClock())
    for _ in range(10):  # one or two units alone: never an outage
        breaker.record_failure(failure(), "/movie/7?page=")
        breaker.record_failure(failure(), "/movie/8?page=")
    assert not breaker.is_open
    breaker.record_success()  # TMDB answered someone
    breaker.record_failure(failure(), "/movie/9?page=")
    breaker.record_failure(failure(), "/movie/10?page=")
    assert not breaker.is_open
    breaker.record_failure(failure(), "/movie/11?page=")
    assert breaker.is_open
    await breaker.aclose()


@pytest.mark.parametrize(("answer", "down"), [("connection refused", True), (None, False)])
async def test_a_unit_about_to_fail_alone_is_decided_by_one_probe(
    answer: str | None, down: bool
) -> None:
    breaker = CircuitBreaker(BreakerSettings(threshold=3), clock=FakeClock())
    probes: list[str | None] = []

    async def probe() -> str | None:  # the decision's probe, then TMDB is back
        probes.append(answer if not probes else None)
        return probes[-1]

    breaker.set_probe(probe)
    for unit in ("/genre/movie/list?page=", "/movie/popular?page=1"):
        breaker.record_failure(failure(), unit)
    assert not breaker.is_open  # two units: not enough to tell
    decisions = await asyncio.gather(breaker.decide(), breaker.decide())
    assert decisions == [down, down]
    assert breaker.outages == (1 if down else 0)
    assert probes[0] == answer  # one probe for both callers
    await breaker.wait_closed()
    assert len(probes) == (2 if down else 1)  # the outage's own probe found TMDB back
    if not down:  # TMDB answered: the units were broken, and the streak starts again
        breaker.record_failure(failure(), "/movie/9?page=")
        assert not breaker.is_open  # it would be open, had the streak spanned three units
    await breaker.aclose()


async def test_probes_back_off_with_jitter_up_to_the_cap_and_resume() -> None:
    clock = FakeClock()
    answers = ["refused"] * 12 + [None]
    views: list[OutageView] = []
    breaker = CircuitBreaker(
        BreakerSettings(threshold=1, probe_initial=1.0, probe_max=8.0),
        clock=clock,
        wall_clock=lambda: dt.datetime(2026, 12, 1, 14, 2, 11),
    )

    async def probe() -> str | None:
        return answers.pop(0)

    breaker.set_probe(probe)
    breaker.listen(views.append)
    breaker.trip("connection refused")
    await breaker.wait_closed()
    assert answers == []
    waits = clock.sleeps
    assert len(waits) == 13
    assert all(0.8 <= w <= 8.0 for w in waits)
    assert waits[0] <= 1.2
    assert waits[-1] >= 8.0 * 0.8
    assert waits[1] > waits[0]  # backing off
    assert views[0].kind == "start"
    assert views[-1].kind == "end"
    assert views[0].since.strftime("%H:%M:%S") == "14:02:11"
    assert any(v.next_probe_in is not None and v.next_probe_in > 0 for v in views)
    await breaker.aclose()


async def test_the_dashboard_shows_waiting_for_tmdb_and_pause_still_works(db_path: Path) -> None:
    fake = FakeTMDB(FakeClock(), "html503", duration=None)  # an outage that does not end
    settings = replace(SETTINGS, probe_initial=0.05, probe_max=0.1)  # on the real clock

    def make_client(settings: ClientSettings, credentials: Credentials) -> TMDBClient:
        return TMDBClient(settings, credentials, transport=mock_wire(fake))

    with Store.create_or_open(db_path, PLAN) as store:
        session = CollectionSession(
            store, PLAN, settings, Credentials(api_key="k-42"), client_factory=make_client
        )
        client = TestClient(TestServer(create_app(session)))
        await client.start_server()
        try:
            events = progress_events(client)
            assert (await client.post("/api/start")).status == 200
            async for view in events:
                if view["outage"] is not None:
                    break
            assert view["state"] == "running"
            assert view["outage"]["reason"] == "HTTP 503: the body is not TMDB's JSON (text/html)"
            assert re.fullmatch(r"\d\d:\d\d:\d\d", view["outage"]["since"])
            assert (await client.post("/api/pause")).status == 200
            async for view in events:
                if view["state"] == "paused":
                    break
            await events.aclose()
            assert view["outage"] is None
            assert store.failures() == []
            assert store.counts().done >= fake.start_after
        finally:
            await client.close()


@pytest.mark.parametrize("start", [1000.0, 1234.5678, 98765.4321])
async def test_give_up_is_reached_whatever_the_clock_reads(start: float) -> None:
    """No probe loop stalls on floating-point rounding next to the give-up moment."""
    clock = FakeClock(start)
    breaker = CircuitBreaker(
        BreakerSettings(threshold=1, probe_initial=0.7, probe_max=3.3, give_up_after=100.0),
        clock=clock,
    )

    async def probe() -> str | None:
        return "still refused"

    breaker.set_probe(probe)
    breaker.trip("connection refused")
    with pytest.raises(OutageGiveUpError):
        await breaker.wait_closed()
    assert 100.0 - 0.01 <= clock.now - start <= 100.0 + 1e-6
    breaker.rearm()  # a new run on the same client may wait again
    breaker.trip("connection refused")
    assert breaker.is_open
    await breaker.aclose()
