"""A large daily ID export downloads and loads without blocking the event loop: Pause and the
dashboard's Server-Sent Events keep answering meanwhile, and a paused load resumes.

The loader's file reading is held mid-way by a gate the test opens, so "while it loads" is a
fact of the test, not a matter of timing; a loader that blocked the loop would deadlock on the
gate and trip the hang guard.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from tmdb_collector.credentials import Credentials
from tmdb_collector.dashboard import CollectionSession, create_app
from tmdb_collector.engine import id_loading
from tmdb_collector.engine.collector import Collector
from tmdb_collector.engine.id_loading import LOAD_BATCH
from tmdb_collector.fetch.client import TMDBClient
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store

TOTAL = 200_000
HANG_GUARD = 120.0
SETTINGS = ClientSettings(base_url="http://127.0.0.1:9/3", rate=1000, concurrency=2)
CREDENTIALS = Credentials(api_key="export-loading-key-42")
T = TypeVar("T")


@pytest.fixture(scope="module")
def export_bytes(big_export: Path) -> bytes:
    return big_export.read_bytes()


@pytest.fixture(scope="module")
def big_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "movie_ids_05_15_2024.json.gz"
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        out.writelines(
            f'{{"adult":false,"id":{movie_id},"popularity":1.5,"video":false}}\n'
            for movie_id in range(1, TOTAL + 1)
        )
    return path


class Gate:
    """Holds the loader's file reading (in its thread) after the first batch until opened."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened = threading.Event()
        self.held = asyncio.Event()  # set (from the loader's thread) once it waits at the gate
        loop = asyncio.get_running_loop()
        batches = 0
        real_take = id_loading.take

        def gated_take(entries: Iterator[T], count: int) -> list[T]:
            nonlocal batches
            batches += 1
            if batches == 2:
                loop.call_soon_threadsafe(self.held.set)
                assert self.opened.wait(HANG_GUARD), "the gate was never opened"
            return real_take(entries, count)

        monkeypatch.setattr(id_loading, "take", gated_take)


async def test_pause_works_while_the_export_downloads_and_loads(
    big_export: Path, export_bytes: bytes, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = export_bytes
    half_sent, finish = asyncio.Event(), asyncio.Event()

    async def export_file(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        await response.write(body[: len(body) // 2])
        half_sent.set()
        await finish.wait()  # the download is held here until the test has paused
        await response.write(body[len(body) // 2 :])
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_get("/movie_ids.json.gz", export_file)
    async with TestServer(app, host="127.0.0.1") as server:
        url = str(server.make_url("/movie_ids.json.gz"))
        plan = Plan(ids_from=url)
        with Store.create_or_open(db_path, plan) as store:
            async with TMDBClient(SETTINGS, CREDENTIALS) as client:
                collector = Collector(store, client, plan, concurrency=2)
                run = asyncio.create_task(collector.run())
                await asyncio.wait_for(half_sent.wait(), HANG_GUARD)
                collector.request_stop()  # the loop answers in the middle of the download
                finish.set()
                outcome = await asyncio.wait_for(run, HANG_GUARD)
            assert outcome.status == "paused"
            assert store.meta("ids_loaded") is None  # a paused load is not a finished one
            assert store.counts().ids < TOTAL
    # Resuming from the file loads everything, once.
    plan = Plan(ids_from=str(big_export))
    gate = Gate(monkeypatch)
    with Store.create_or_open(db_path, plan, force_plan=True) as store:
        async with TMDBClient(SETTINGS, CREDENTIALS) as client:
            collector = Collector(store, client, plan, concurrency=2, harvest_only=True)
            run = asyncio.create_task(collector.run())
            await asyncio.wait_for(gate.held.wait(), HANG_GUARD)  # the loader waits at the gate
            assert "Loading ids from the daily export" in collector.progress.message
            gate.opened.set()
            outcome = await asyncio.wait_for(run, HANG_GUARD)
        assert outcome.status == "nothing-to-do"
        assert store.counts().ids == TOTAL
        assert store.meta("ids_loaded") == str(big_export)


async def progress_events(client: TestClient) -> AsyncIterator[dict[str, Any]]:
    """Progress snapshots from /api/events, as the server sends them."""
    response = await client.get("/api/events")
    assert response.status == 200
    event = ""
    try:
        while True:
            line = (await asyncio.wait_for(response.content.readline(), HANG_GUARD)).decode()
            if line.startswith("event: "):
                event = line.removeprefix("event: ").strip()
            elif line.startswith("data: ") and event == "progress":
                yield json.loads(line.removeprefix("data: "))
    finally:
        response.close()


async def test_the_dashboard_streams_and_pauses_while_a_large_export_loads(
    big_export: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = Plan(ids_from=str(big_export))
    gate = Gate(monkeypatch)
    with Store.create_or_open(db_path, plan) as store:
        session = CollectionSession(store, plan, SETTINGS, CREDENTIALS)
        client = TestClient(TestServer(create_app(session)))
        await client.start_server()
        try:
            events = progress_events(client)
            assert (await client.post("/api/start")).status == 200
            async for view in events:  # SSE keeps flowing while the loader is held
                if f"{LOAD_BATCH:,} read" in view["message"]:
                    break
            assert (await client.post("/api/pause")).status == 200
            gate.opened.set()
            async for view in events:
                if view["state"] == "paused":
                    break
            await events.aclose()
            assert store.meta("ids_loaded") is None
            assert 0 < store.counts().ids < TOTAL
        finally:
            gate.opened.set()
            await client.close()


async def test_a_download_that_meets_an_outage_waits_for_tmdb_then_loads(db_path: Path) -> None:
    lines = "".join(f'{{"id":{movie_id},"popularity":1.5}}\n' for movie_id in range(1, 101))
    export_bytes = gzip.compress(lines.encode())
    down = True
    html = {"Content-Type": "text/html"}

    async def export_file(request: web.Request) -> web.Response:
        if down:
            return web.Response(status=503, body=b"<html>503</html>", headers=html)
        return web.Response(body=export_bytes, content_type="application/gzip")

    async def configuration(request: web.Request) -> web.Response:
        if down:
            return web.Response(status=503, body=b"<html>503</html>", headers=html)
        return web.json_response({"images": {}})

    app = web.Application()
    app.router.add_get("/movie_ids.json.gz", export_file)
    app.router.add_get("/3/configuration", configuration)
    async with TestServer(app, host="127.0.0.1") as server:
        plan = Plan(ids_from=str(server.make_url("/movie_ids.json.gz")))
        settings = replace(
            SETTINGS, base_url=str(server.make_url("/3")), probe_initial=0.05, probe_max=0.1
        )
        with Store.create_or_open(db_path, plan) as store:
            async with TMDBClient(settings, CREDENTIALS) as client:
                started = asyncio.Event()
                client.breaker.listen(lambda view: view.kind == "start" and started.set())
                collector = Collector(store, client, plan, concurrency=2, harvest_only=True)
                run = asyncio.create_task(collector.run())
                await asyncio.wait_for(started.wait(), HANG_GUARD)  # waiting, not failed
                down = False  # TMDB and the file server are back
                outcome = await asyncio.wait_for(run, HANG_GUARD)
            assert outcome.status == "nothing-to-do", outcome
            assert store.counts().ids == 100
