"""The dashboard on a collection with linked entities (``serve --linked``), against the simulator:
the linked stage's bar and one count per entity type, in each entity's own words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.test_dashboard import run_to_completion, state
from tmdb_collector.credentials import Credentials
from tmdb_collector.dashboard.server import create_app
from tmdb_collector.dashboard.session import CollectionSession
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.plan.plan import Plan
from tmdb_collector.simulator import SimulatorConfig, running_simulator
from tmdb_collector.store.store import Store

PLAN = Plan(
    popular_pages=1,
    genre_pages=0,
    linked=("people", "collections", "companies"),
    linked_cast=2,
    linked_crew=("Directing",),
)
WORDS = {"person": "People", "collection": "Collections", "company": "Companies"}


@pytest.fixture(scope="module")
def sim_url() -> Iterator[str]:
    """A small simulated catalogue: its people graph is built in a moment."""
    with running_simulator(SimulatorConfig(catalog_size=300, tv_catalog_size=50)) as running:
        yield running.base_url


async def _served(store: Store, sim_url: str) -> TestClient:
    settings = ClientSettings(base_url=sim_url, rate=1000, concurrency=4)
    session = CollectionSession(store, PLAN, settings, Credentials(api_key="dash-linked-k3y"))
    client = TestClient(TestServer(create_app(session)))
    await client.start_server()
    return client


async def test_the_linked_stage_shows_each_entity_until_done(db_path: Path, sim_url: str) -> None:
    with Store.create_or_open(db_path, PLAN) as store:
        client = await _served(store, sim_url)
        try:
            fresh = await state(client)
            assert fresh["stages"]["linked"] == {"label": "Linked entities", "done": 0, "total": 0}
            assert {name: view["label"] for name, view in fresh["linked"].items()} == WORDS
            done = await run_to_completion(client)
        finally:
            await client.close()
    linked = done["linked"]
    assert set(linked) == set(WORDS)
    for view in linked.values():
        assert view["done"] == view["total"] > 0
    stage = done["stages"]["linked"]
    assert stage["done"] == stage["total"] == sum(view["total"] for view in linked.values())
    assert done["overall"]["done"] == done["overall"]["total"]
    assert done["stage"] == "done"
    with Store.create_or_open(
        db_path, PLAN
    ) as store:  # a later `serve`: the checkpoint shows the same counts
        client = await _served(store, sim_url)
        try:
            again = await state(client)
        finally:
            await client.close()
    assert again["linked"] == linked
    assert again["stages"]["linked"] == stage


async def test_a_plan_without_linked_entities_shows_none(db_path: Path, sim_url: str) -> None:
    plan = Plan(popular_pages=1, genre_pages=0)
    with Store.create_or_open(db_path, plan) as store:
        session = CollectionSession(
            store, plan, ClientSettings(base_url=sim_url), Credentials(api_key="dash-k3y")
        )
        view = session.snapshot()
    assert "linked" not in view["stages"]
    assert view["linked"] == {}


async def test_start_refuses_parts_the_linked_entities_need(db_path: Path, sim_url: str) -> None:
    with Store.create_or_open(db_path, PLAN) as store:
        client = await _served(store, sim_url)
        try:
            response = await client.post("/api/start", json={"parts": ["keywords"]})
            assert response.status == 400
            assert "add it to parts" in await response.text()  # the form, not the flag
            view = await state(client)
        finally:
            await client.close()
    assert view["state"] == "idle"
    assert view["parts"]["chosen"] == list(PLAN.parts)
