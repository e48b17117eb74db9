"""The simulator as outside TMDB clients meet it (issue #27, items 9-15): ``language`` on
details and lists, nothing dated after the simulated today, discover filters honoured or
refused, season appends and TV changes, the documented sample ids, a distinct answer for
routes it does not serve, and unique TV credit ids."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from tests.test_simulator_support import TOKEN
from tmdb_collector.api import Collection, collect
from tmdb_collector.media import TV
from tmdb_collector.simulator import RunningSimulator, SimulatorConfig, running_simulator


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    with running_simulator(SimulatorConfig(catalog_size=3000, tv_catalog_size=3000)) as running:
        yield running


@pytest.fixture(scope="module")
def client(sim: RunningSimulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim.base_url, headers=TOKEN, timeout=120.0) as http:
        yield http


def live(catalog: Any, count: int) -> list[int]:
    """The ``count`` most popular ids that answer (not deleted)."""
    return [i for i in catalog.popular_ids() if not catalog.is_deleted(i)][:count]


def ok(client: httpx.Client, path: str, **params: str) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, (path, response.text)
    return response.json()


# ------------------------------------------------------------------ 15: TV credit ids
def test_tv_credit_ids_are_unique_per_credit(sim: RunningSimulator, client: httpx.Client) -> None:
    for series_id in live(sim.tv_catalog, 300):
        body = ok(client, f"/tv/{series_id}", append_to_response="credits,aggregate_credits")
        for key in ("cast", "crew"):
            ids = [c["credit_id"] for c in body["credits"][key]]
            assert len(ids) == len(set(ids)), (series_id, key)
        roles = [r["credit_id"] for c in body["aggregate_credits"]["cast"] for r in c["roles"]]
        jobs = [j["credit_id"] for c in body["aggregate_credits"]["crew"] for j in c["jobs"]]
        assert len(roles) == len(set(roles)), series_id
        assert len(jobs) == len(set(jobs)), series_id


def test_a_tv_collection_with_every_part_exports_to_duckdb(
    sim: RunningSimulator, tmp_path: Path
) -> None:
    db = tmp_path / "tv.db"
    plan = {"media": "tv", "popular_pages": 5, "genre_pages": 1, "genres": "18",
            "parts": ",".join(TV.part_names)}  # fmt: skip
    result = collect(db, plan=plan, base_url=sim.base_url, api_key="any-key")
    assert result.outcome.status == "complete"
    with Collection.open(db) as collection:
        count = collection.export(tmp_path / "tv.duckdb", "duckdb")
    assert count == result.outcome.movies > 30
    with duckdb.connect(str(tmp_path / "tv.duckdb"), read_only=True) as con:
        tables = {
            row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        assert "series_cast" in tables or any("cast" in t for t in tables), tables
