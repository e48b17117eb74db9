"""The dashboard on a TV collection: its words, its downloads (tv.json, tv-csv.zip)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from tests.httpx_wire import mock_wire
from tests.test_dashboard import run_to_completion, state
from tests.tv_fake import FakeTV
from tmdb_collector.credentials import Credentials
from tmdb_collector.dashboard.server import create_app
from tmdb_collector.dashboard.session import CollectionSession
from tmdb_collector.export.exporter import export
from tmdb_collector.fetch.client import TMDBClient
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store

PLAN = Plan(media="tv", popular_pages=1, genre_pages=0)
SETTINGS = ClientSettings(base_url="http://127.0.0.1:9/3", rate=1000, concurrency=2)


async def test_a_tv_dashboard_speaks_of_series(db_path: Path, tmp_path: Path) -> None:
    fake = FakeTV(count=8)

    def make(settings: ClientSettings, credentials: Credentials) -> TMDBClient:
        return TMDBClient(settings, credentials, transport=mock_wire(fake))

    with Store.create_or_open(db_path, PLAN) as store:
        session = CollectionSession(
            store, PLAN, SETTINGS, Credentials(api_key="tv-dashboard-key-42"), client_factory=make
        )
        client = TestClient(TestServer(create_app(session)))
        await client.start_server()
        try:
            fresh = await state(client)
            assert fresh["media"]["title"] == "Series"
            assert fresh["media"]["label"] == "TV"
            assert fresh["stages"]["details"]["label"] == "Series details"
            assert fresh["parts"]["default"] == ["aggregate_credits", "keywords", "recommendations"]
            assert [f["label"] for f in fresh["formats"]] == [
                "tv.json",
                "tv.jsonl",
                "tv-parquet.zip",
                "tv-csv.zip",
                "tv-duckdb.zip",
            ]
            done = await run_to_completion(client)
            assert done["message"] == f"Collection complete! {done['movies']} series collected."
            response = await client.get("/api/download?format=json")
            assert response.headers["Content-Disposition"] == 'attachment; filename="tv.json"'
            export(store, "json", tmp_path / "tv.json")
            body = await response.read()
            assert body == (tmp_path / "tv.json").read_bytes()
            assert len(json.loads(body)) == done["movies"] > 0
            tables = await client.get("/api/download?format=csv")
            assert tables.headers["Content-Disposition"] == 'attachment; filename="tv-csv.zip"'
            with zipfile.ZipFile(io.BytesIO(await tables.read())) as bundle:
                assert "tv-csv/series.csv" in bundle.namelist()
            page = await (await client.get("/static/app.js")).text()
            assert "Collected`" in page  # the counter's label comes from the media's words
            html = await (await client.get("/static/index.html")).text()
            # The page's words for one item are the media's too (JS fills them in).
            text = re.sub(r'<(\w+) [^>]*class="media-word"[^>]*>movie</\1>', "", html)
            assert not re.search(r"\bmovie\b", text)
        finally:
            await client.close()
