"""The dashboard's HTTP API in-process: a fake TMDB behind httpx.MockTransport, aiohttp's client.

Start / Pause / resume, the checkpoint shown before any Start, downloads, Server-Sent Events,
the Host / Origin guard, and the API key never reaching anything the page can fetch.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import zipfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.httpx_wire import mock_wire
from tmdb_collector.credentials import Credentials
from tmdb_collector.dashboard import CollectionSession, create_app, dashboard_url
from tmdb_collector.dashboard.downloads import RECORDS_PER_CHUNK, record_chunks
from tmdb_collector.export.exporter import export, write_records_json, write_records_jsonl
from tmdb_collector.fetch.client import TMDBClient
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.media import MOVIE
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store

KEY = "dash-k3y-7e1f0c2b9a-secret"
PLAN = Plan(popular_pages=2, genre_pages=2, genres=(28, 35))
PER_PAGE = 5
MISSING_ID = 1_011  # answers 404
REJECTED_ID = 2_022  # answers 422: a failed id, logged as a warning


class FakeTMDB:
    """Just enough of TMDB for the small plan.

    ``details`` is how many movie requests may be answered (``None``: all); the others wait
    until :meth:`allow` grants more, so a test decides how far a run gets, not the clock.
    """

    def __init__(self, details: int | None = None) -> None:
        self.keys_seen: set[str] = set()
        self.requests = 0
        self._details = details
        self._granted = asyncio.Condition()

    async def allow(self, details: int | None = None) -> None:
        """Let ``details`` more movie requests through (``None``: every one from now on)."""
        async with self._granted:
            if details is None or self._details is None:
                self._details = None
            else:
                self._details += details
            self._granted.notify_all()

    async def _wait_for_grant(self) -> None:
        async with self._granted:
            await self._granted.wait_for(lambda: self._details is None or self._details > 0)
            if self._details is not None:
                self._details -= 1

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        self.keys_seen.add(request.url.params.get("api_key", ""))
        if request.url.params.get("api_key") != KEY:
            return httpx.Response(401, json={"status_code": 7, "status_message": "Invalid key"})
        path = request.url.path.removeprefix("/3")
        if path == "/genre/movie/list":
            return httpx.Response(200, json={"genres": [{"id": 28, "name": "Action"}]})
        if path in ("/movie/popular", "/discover/movie"):
            return httpx.Response(200, json=self._list(request.url.params))
        await self._wait_for_grant()
        asked = request.url.params.get("append_to_response", "").split(",")
        return self._movie(int(path.split("/")[2]), asked)

    def _list(self, params: Any) -> dict[str, Any]:
        page = int(params["page"])
        base = {None: 1_000, "28": 2_000, "35": 3_000}[params.get("with_genres")]
        ids = [base + 10 * page + i for i in range(PER_PAGE)]
        results = [{"id": i, "original_language": "en"} for i in ids]
        return {"page": page, "results": results, "total_pages": 3, "total_results": 15}

    def _movie(self, movie_id: int, asked: list[str]) -> httpx.Response:
        if movie_id == MISSING_ID:
            return httpx.Response(404, json={"status_code": 34, "status_message": "Not found"})
        if movie_id == REJECTED_ID:
            return httpx.Response(422, json={"errors": ["bad movie"]})
        body = {
            "id": movie_id,
            "title": f"Movie {movie_id}",
            "credits": {"cast": [], "crew": []},
            "keywords": {"keywords": [{"id": 1, "name": "test"}]},
            "recommendations": {"page": 1, "results": [], "total_pages": 0, "total_results": 0},
        }
        if "videos" in asked:
            body["videos"] = {"results": [{"key": "abc", "site": "YouTube"}]}
        return httpx.Response(200, json=body)


def client_factory(fake: FakeTMDB) -> Callable[[ClientSettings, Credentials], TMDBClient]:
    def make(settings: ClientSettings, credentials: Credentials) -> TMDBClient:
        return TMDBClient(settings, credentials, transport=mock_wire(fake))

    return make


SETTINGS = ClientSettings(base_url="http://127.0.0.1:9/3", rate=1000, concurrency=2)


@pytest.fixture
def store(db_path: Path) -> Store:  # type: ignore[misc]
    with Store.create_or_open(db_path, PLAN) as opened:
        yield opened


async def open_dashboard(store: Store, fake: FakeTMDB) -> TestClient:
    session = CollectionSession(
        store, PLAN, SETTINGS, Credentials(api_key=KEY), client_factory=client_factory(fake)
    )
    client: TestClient = TestClient(TestServer(create_app(session)))
    await client.start_server()
    return client


GRANTED = 3  # movie requests the gated fake answers before the test lets the rest through


@pytest.fixture
async def gated_dashboard(store: Store) -> AsyncIterator[tuple[TestClient, FakeTMDB]]:
    fake = FakeTMDB(details=GRANTED)
    client = await open_dashboard(store, fake)
    yield client, fake
    await client.close()


@pytest.fixture
async def dashboard(store: Store) -> AsyncIterator[TestClient]:
    client = await open_dashboard(store, FakeTMDB())
    yield client
    await client.close()


async def state(client: TestClient) -> dict[str, Any]:
    response = await client.get("/api/state")
    assert response.status == 200
    result: dict[str, Any] = await response.json()
    return result


async def wait_for_state(
    client: TestClient, check: Callable[[dict[str, Any]], bool], within: float = 30
) -> dict[str, Any]:
    """The first state ``check`` accepts, read from the page's event stream (/api/events sends
    the state with every progress event): a blocking read, bounded by ``within`` seconds."""
    _, events = await read_events(
        client, lambda events: any(check(view) for view in progress_of(events)), within=within
    )
    return next(view for view in progress_of(events) if check(view))


def details_done(count: int) -> Callable[[dict[str, Any]], bool]:
    return lambda view: bool(view["stages"]["details"]["done"] == count)


async def run_to_completion(client: TestClient) -> dict[str, Any]:
    assert (await client.post("/api/start")).status == 200
    return await wait_for_state(client, lambda v: v["state"] == "complete")


async def log_texts(client: TestClient) -> list[str]:
    app = client.server.app
    assert app is not None
    from tmdb_collector.dashboard.server import FEED

    return [line.text for line in app[FEED].since(0)]


# ---- the page -------------------------------------------------------------------------------


async def test_page_and_assets_are_served_from_the_package(dashboard: TestClient) -> None:
    page = await dashboard.get("/")
    html = await page.text()
    assert page.status == 200
    assert page.content_type == "text/html"
    for label in ("Start Collection", "Pause", "Download Data", "Movies Collected"):
        assert label in html
    for label in ("API Calls Made", "Errors", "Elapsed", "ETA", "Current stage"):
        assert label in html
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assets = [html]
    for name, kind in (("app.js", "text/javascript"), ("style.css", "text/css")):
        response = await dashboard.get(f"/static/{name}")
        assert response.status == 200
        assert response.content_type == kind
        assets.append(await response.text())
    for text in assets:  # no CDN, no remote font: nothing but our own origin
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text)
    assert (await dashboard.get("/static/missing.js")).status == 404
    assert (await dashboard.get("/static/..%2fserver.py")).status == 404


def test_dashboard_url() -> None:
    assert dashboard_url("127.0.0.1", 8765) == "http://127.0.0.1:8765/"
    assert dashboard_url("0.0.0.0", 80) == "http://127.0.0.1:80/"
    assert dashboard_url("::1", 9000) == "http://[::1]:9000/"


# ---- start, pause, resume ---------------------------------------------------------------------


async def test_fresh_database_shows_the_plan_and_nothing_to_download(
    dashboard: TestClient,
) -> None:
    view = await state(dashboard)
    assert view["state"] == "idle"
    assert view["movies"] == 0
    assert view["stages"]["popular"]["total"] == 2
    assert view["stages"]["discover"]["total"] == 4
    assert view["can_start"] is True
    assert view["can_pause"] is False
    assert view["can_download"] is False
    assert [f["format"] for f in view["formats"]][:2] == ["json", "jsonl"]


async def test_start_pause_and_resume_to_completion(
    gated_dashboard: tuple[TestClient, FakeTMDB],
) -> None:
    client, fake = gated_dashboard
    started = await client.post("/api/start")
    assert started.status == 200
    assert (await started.json())["state"] == "running"
    assert (await client.post("/api/start")).status == 409  # already running
    await wait_for_state(client, details_done(GRANTED))  # the rest wait for the fake
    assert (await client.post("/api/pause")).status == 200
    await fake.allow()  # the requests in flight may finish now; no new ones start
    paused = await wait_for_state(client, lambda v: v["state"] == "paused")
    assert paused["can_start"] is True  # the run has ended: nothing can move any more
    assert paused["movies"] < paused["stages"]["details"]["total"]
    requests = fake.requests
    held = await state(client)
    for key in ("movies", "requests", "overall", "stages", "errors"):
        assert held[key] == paused[key]
    assert (await client.post("/api/pause")).status == 409  # nothing to pause
    assert fake.requests == requests

    done = await run_to_completion(client)
    assert done["movies"] > paused["movies"]
    assert done["requests"] > paused["requests"]  # counters add up across runs
    assert done["can_download"] is True
    assert done["message"].startswith("Collection complete!")
    texts = await log_texts(client)
    for expected in ("Collection started", "Paused", "Collection resumed", "Collection complete!"):
        assert any(text.startswith(expected) for text in texts), (expected, texts)
    assert any("failed" in text for text in texts)  # the 422 movie, a warning


async def test_reopened_dashboard_shows_the_checkpoint(store: Store) -> None:
    first = await open_dashboard(store, FakeTMDB())
    try:
        done = await run_to_completion(first)
    finally:
        await first.close()
    second = await open_dashboard(store, FakeTMDB())
    try:
        view = await state(second)
        texts = await log_texts(second)
    finally:
        await second.close()
    assert view["state"] == "idle"
    for key in ("movies", "stages", "overall", "not_found", "failed_movies"):
        assert view[key] == done[key], key
    assert view["movies"] > 0
    assert view["can_download"] is True
    assert any(text.startswith("Checkpoint loaded:") for text in texts)


async def test_start_after_completion_has_nothing_to_do(dashboard: TestClient) -> None:
    await run_to_completion(dashboard)
    assert (await dashboard.post("/api/start")).status == 200
    view = await wait_for_state(dashboard, lambda v: v["can_start"])
    assert view["message"] == "Nothing to do: the collection is complete."


async def test_the_page_shows_the_parts_and_starts_with_other_ones(
    dashboard: TestClient, store: Store
) -> None:
    view = await state(dashboard)
    assert view["parts"] == {
        "chosen": list(PLAN.parts),
        "available": list(MOVIE.part_names),
        "default": list(MOVIE.default_parts),
    }
    done = await run_to_completion(dashboard)
    bad = await dashboard.post("/api/start", json={"parts": ["credits", "trailers"]})
    assert bad.status == 400
    assert "valid parts are" in await bad.text()
    started = await dashboard.post("/api/start", json={"parts": ["credits", "videos"]})
    assert started.status == 200
    view = await wait_for_state(dashboard, lambda v: v["state"] == "complete")
    assert view["parts"]["chosen"] == ["credits", "videos"]
    assert store.plan().parts == ("credits", "videos")
    assert store.part_counts()["videos"] == done["movies"]  # every movie fetched again, once


# ---- downloads --------------------------------------------------------------------------------


async def test_download_json_is_the_export_byte_for_byte(
    dashboard: TestClient, store: Store, tmp_path: Path
) -> None:
    done = await run_to_completion(dashboard)
    for fmt in ("json", "jsonl"):
        response = await dashboard.get(f"/api/download?format={fmt}")
        assert response.status == 200
        expected = f'attachment; filename="movies.{fmt}"'
        assert response.headers["Content-Disposition"] == expected
        reference = tmp_path / f"reference.{fmt}"
        export(store, fmt, reference)
        assert await response.read() == reference.read_bytes()
    movies = json.loads(reference.with_suffix(".json").read_text(encoding="utf-8"))
    assert len(movies) == done["movies"]
    first = next(iter(movies.values()))
    assert set(first) == {"id", "details", "credits", "keywords", "recommendations"}


@pytest.mark.parametrize("count", [0, 1, RECORDS_PER_CHUNK, 2 * RECORDS_PER_CHUNK + 7])
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_streamed_chunks_are_the_export_text(fmt: str, count: int) -> None:
    keys = ("credits", "keywords", "recommendations")
    rows = [(i, f'{{"id":{i}}}', ("{}", '{"keywords":[]}', "[]")) for i in range(1, count + 1)]
    written = io.StringIO()
    writer = write_records_json if fmt == "json" else write_records_jsonl
    assert writer(iter(rows), keys, written) == count
    chunks = list(record_chunks(iter(rows), keys, fmt))
    assert "".join(chunks) == written.getvalue()
    assert len(chunks) <= count // RECORDS_PER_CHUNK + 2  # a few movies per chunk, not one each


async def test_download_tables_as_zip(dashboard: TestClient) -> None:
    view = await run_to_completion(dashboard)
    formats = ["json", "jsonl", "parquet", "csv", "duckdb"]
    assert [f["format"] for f in view["formats"]] == formats
    response = await dashboard.get("/api/download?format=csv")
    assert response.status == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="movies-csv.zip"'
    with zipfile.ZipFile(io.BytesIO(await response.read())) as bundle:
        names = bundle.namelist()
    assert "movies-csv/movies.csv" in names
    assert "movies-csv/manifest.json" in names


async def test_download_duckdb_as_zip(dashboard: TestClient, tmp_path: Path) -> None:
    view = await run_to_completion(dashboard)
    response = await dashboard.get("/api/download?format=duckdb")
    assert response.status == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="movies-duckdb.zip"'
    with zipfile.ZipFile(io.BytesIO(await response.read())) as bundle:
        assert sorted(bundle.namelist()) == [
            "movies-duckdb/movies.duckdb",
            "movies-duckdb/movies.duckdb.manifest.json",
        ]
        bundle.extractall(tmp_path)
    with duckdb.connect(str(tmp_path / "movies-duckdb" / "movies.duckdb"), read_only=True) as db:
        (movies,) = db.execute("SELECT count(*) FROM movies").fetchone() or (0,)
        (summaries,) = db.execute("SELECT count(*) FROM movie_summary").fetchone() or (0,)
    assert movies == summaries == view["movies"] > 0


async def test_download_empty_collection_and_unknown_format(dashboard: TestClient) -> None:
    response = await dashboard.get("/api/download")
    assert json.loads(await response.text()) == {}
    assert (await dashboard.get("/api/download?format=xml")).status == 404


# ---- server-sent events -------------------------------------------------------------------


Event = tuple[str, str, str]  # id, event, data


def progress_of(events: list[Event]) -> list[dict[str, Any]]:
    return [json.loads(data) for _, name, data in events if name == "progress"]


async def read_events(
    client: TestClient,
    until: Callable[[list[Event]], bool] = lambda events: bool(progress_of(events)),
    headers: dict[str, str] | None = None,
    within: float = 30,
) -> tuple[str, list[Event]]:
    """Raw text and ``(id, event, data)`` of what /api/events sends until ``until`` holds
    (by default: until the first progress event, which comes after the log lines)."""
    response = await client.get("/api/events", headers=headers)
    assert response.status == 200
    assert response.content_type == "text/event-stream"
    raw, events = "", []
    try:
        async with asyncio.timeout(within):
            while not until(events):
                chunk = await response.content.readany()
                assert chunk, "the event stream ended"
                raw += chunk.decode("utf-8")
                events = parse_events(raw)
    finally:
        response.close()
    return raw, events


def parse_events(raw: str) -> list[Event]:
    events = []
    for block in raw.split("\n\n")[:-1]:  # the last block may be incomplete
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            events.append((fields.get("id", ""), fields["event"], fields["data"]))
    return events


async def test_events_stream_progress_and_log_lines(
    gated_dashboard: tuple[TestClient, FakeTMDB],
) -> None:
    client, fake = gated_dashboard
    await client.post("/api/start")
    await wait_for_state(client, details_done(GRANTED))
    _, first = await read_events(client)
    assert progress_of(first)[-1]["stages"]["details"]["done"] == GRANTED  # the rest wait
    await fake.allow()
    _, events = await read_events(
        client, lambda events: any(p["state"] == "complete" for p in progress_of(events))
    )
    last_id = max(int(i) for i, name, _ in events if name == "log")
    _, again = await read_events(client, headers={"Last-Event-ID": str(last_id)})
    # The run moved on from where the gate held it (the stream may open after it finished).
    held = progress_of(first)[-1]["requests"]
    assert progress_of(events)[-1]["requests"] > held
    logs = [json.loads(data)["text"] for _, name, data in events if name == "log"]
    assert logs[:2] == [
        "No checkpoint yet: press Start Collection to begin.",
        "Collection started",
    ]
    assert logs[-1].startswith("Collection complete!")
    assert progress_of(again)  # a reconnect gets progress, and only the log lines it missed
    assert all(int(i) > last_id for i, name, _ in again if name == "log")


# ---- security ---------------------------------------------------------------------------------


def own_host(client: TestClient) -> str:
    return f"127.0.0.1:{client.server.port}"


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "null", "http://127.0.0.1:1", "https://127.0.0.1"]
)
async def test_state_changes_from_a_foreign_origin_are_refused(
    dashboard: TestClient, origin: str
) -> None:
    for path in ("/api/start", "/api/pause"):
        response = await dashboard.post(path, headers={"Origin": origin})
        assert response.status == 403
    assert (await state(dashboard))["state"] == "idle"


async def test_own_origins_may_change_state(dashboard: TestClient) -> None:
    port = dashboard.server.port
    headers = {"Origin": f"http://localhost:{port}", "Host": f"localhost:{port}"}
    assert (await dashboard.post("/api/start", headers=headers)).status == 200
    await wait_for_state(dashboard, lambda v: v["can_start"])
    headers = {"Origin": f"http://{own_host(dashboard)}"}
    assert (await dashboard.post("/api/start", headers=headers)).status == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", ""])
async def test_requests_for_another_host_are_refused(dashboard: TestClient, host: str) -> None:
    """DNS rebinding: a page on evil.example resolved to 127.0.0.1 sends its own Host."""
    headers = {"Host": host.format(port=dashboard.server.port)}
    for path in ("/", "/api/state", "/api/events", "/api/download"):
        assert (await dashboard.get(path, headers=headers)).status == 403
    assert (await dashboard.post("/api/start", headers=headers)).status == 403
    assert (await state(dashboard))["state"] == "idle"


async def test_the_api_key_never_reaches_the_page(
    gated_dashboard: tuple[TestClient, FakeTMDB],
) -> None:
    client, fake = gated_dashboard
    text = await everything_the_page_can_fetch(client, fake)
    assert KEY in fake.keys_seen  # the key was in use all along
    # The pause can land after the last movie: then the resumed run has nothing left to do.
    assert re.search(r"Collection complete!|the collection is complete", text)
    assert "failed" in text  # the 422 movie's warning reached the log pane
    assert KEY not in text


async def everything_the_page_can_fetch(client: TestClient, fake: FakeTMDB) -> str:
    """Headers and bodies of every page, asset and API response, before, during and after."""
    bodies: list[str] = []

    async def fetch(path: str, method: str = "GET") -> None:
        response = await client.request(method, path)
        bodies.append(json.dumps(dict(response.headers)) + await response.text())

    for path in ("/", "/static/app.js", "/static/style.css", "/api/state"):
        await fetch(path)
    await fetch("/api/start", "POST")
    await wait_for_state(client, details_done(GRANTED))  # the rest wait for the fake
    bodies.append((await read_events(client))[0])
    await fetch("/api/download?format=json")
    await fetch("/api/pause", "POST")
    await fake.allow()
    await wait_for_state(client, lambda v: v["can_start"])
    await run_to_completion(client)
    for path in ("/api/state", "/api/download?format=json", "/api/download?format=jsonl"):
        await fetch(path)
    bodies.append((await read_events(client))[0])
    return "\n".join(bodies)
