"""The simulator's hold (``/__sim/hold``): after N details requests the rest wait, unanswered,
until it is released; lists and other routes are never held."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.test_simulator_outage import TOKEN
from tmdb_collector.simulator import RunningSimulator, SimulatorConfig, running_simulator
from tmdb_collector.simulator.hold import HOLD_ROUTE

HANG_GUARD = 60.0


@pytest.fixture
def sim() -> Iterator[RunningSimulator]:
    with running_simulator(SimulatorConfig(catalog_size=1000)) as running:
        yield running


def hold_route(sim: RunningSimulator) -> str:
    return sim.root_url + HOLD_ROUTE


def test_details_after_the_allowance_wait_for_the_release(sim: RunningSimulator) -> None:
    with httpx.Client(base_url=sim.base_url, headers=TOKEN, timeout=HANG_GUARD) as http:
        ids = [movie["id"] for movie in http.get("/movie/popular").json()["results"]][:4]
        assert http.post(hold_route(sim), params={"after": "2"}).json() == {
            "closed": True,
            "waiting": 0,
        }
        assert [http.get(f"/movie/{i}").status_code for i in ids[:2]] == [200, 200]
        with ThreadPoolExecutor(2) as pool:
            held = [pool.submit(http.get, f"/movie/{i}") for i in ids[2:]]
            # answered once both are held: a wait on the server, no polling
            assert http.get(hold_route(sim), params={"waiting": "2"}).json()["waiting"] == 2
            assert not any(future.done() for future in held)
            # Lists, sub-resources and the configuration are answered meanwhile.
            assert http.get("/movie/popular", params={"page": 2}).status_code == 200
            assert http.get(f"/movie/{ids[0]}/credits").status_code == 200
            assert http.get("/configuration").status_code == 200
            assert http.delete(hold_route(sim)).json()["closed"] is False
            bodies = [future.result(timeout=HANG_GUARD).json() for future in held]
        assert [body["id"] for body in bodies] == ids[2:]
        assert http.get(f"/movie/{ids[0]}").status_code == 200  # open again


def test_a_bad_allowance_is_a_400(sim: RunningSimulator) -> None:
    with httpx.Client(timeout=HANG_GUARD) as http:
        answer = http.post(hold_route(sim), params={"after": "-1"})
        other = http.post(hold_route(sim), params={"after": "1", "what": "lists"})
    assert answer.status_code == 400
    assert "whole number" in answer.json()["error"]
    assert other.status_code == 400
    assert "what one of details, parts" in other.json()["error"]


def test_a_wait_for_more_held_requests_than_come_is_a_504(sim: RunningSimulator) -> None:
    with httpx.Client(timeout=HANG_GUARD) as http:
        http.post(hold_route(sim), params={"after": "0"})
        answer = http.get(hold_route(sim), params={"waiting": "1", "timeout": "0.05"})
        assert answer.status_code == 504
        assert answer.json() == {
            "error": "1 requests not held after 0.05 s",
            "closed": True,
            "waiting": 0,
        }
        for bad in ({"waiting": "x"}, {"waiting": "1", "timeout": "0"}):
            assert http.get(hold_route(sim), params=bad).status_code == 400
        assert http.get(hold_route(sim), params={"waiting": "0"}).status_code == 200
