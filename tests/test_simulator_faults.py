"""Rate limiting and transient faults of the simulated TMDB."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.support.catalog import is_deleted, popular_ids
from tmdb_collector.simulator import (
    RunningSimulator,
    SimulatorConfig,
    TokenBucket,
    build_app,
    running_simulator,
)
from tmdb_collector.simulator.handlers import STATE

TOKEN = {"Authorization": "Bearer any-token"}
SMALL = 1500
SERVER_ERRORS = {(500, 11), (502, 43), (503, 9), (503, 46), (504, 24)}


class ManualClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _faulty(kind: str, slow_ms: float = 30_000.0) -> SimulatorConfig:
    return SimulatorConfig(catalog_size=SMALL, fault_rate=1.0, fault_kinds=(kind,), slow_ms=slow_ms)


def _first_movie(sim: RunningSimulator) -> int:
    return next(i for i in popular_ids(sim.catalog) if not is_deleted(sim.catalog, i))


def _drain(response: httpx.Response, sink: list[bytes]) -> None:
    for chunk in response.iter_raw():
        sink.append(chunk)


# ---------------------------------------------------------------- token bucket
@pytest.mark.parametrize("rate", [0.5, 3.0, 40.0, 333.0])
def test_bucket_lets_an_evenly_paced_stream_through(rate: float) -> None:
    clock = ManualClock()
    bucket = TokenBucket(rate, clock=clock)
    for _ in range(5000):
        assert bucket.acquire() is None
        clock.now += 1.0 / rate


def test_bucket_refuses_a_slightly_faster_stream() -> None:
    clock = ManualClock()
    bucket = TokenBucket(40.0, clock=clock)
    refused = 0
    for _ in range(2000):
        refused += bucket.acquire() is not None
        clock.now += 1.0 / 42.0
    assert refused > 0


def test_bucket_burst_and_retry_after() -> None:
    clock = ManualClock()
    bucket = TokenBucket(10.0, clock=clock)
    assert all(bucket.acquire() is None for _ in range(10))  # one second of burst
    wait = bucket.acquire()
    assert wait is not None
    assert wait == pytest.approx(0.1)
    assert bucket.retry_after(wait) == 1
    clock.now += 0.1
    assert bucket.acquire() is None


# ---------------------------------------------------------------- 429 over HTTP
async def test_burst_over_the_limit_gets_429() -> None:
    app = build_app(SimulatorConfig(catalog_size=SMALL, rate_limit=5.0))
    # Time stands still for the bucket: its one second of burst is all the test gets.
    app[STATE].api_gate.bucket = TokenBucket(5.0, clock=ManualClock())
    async with TestClient(TestServer(app)) as client:
        responses = [await client.get("/3/genre/movie/list", headers=TOKEN) for _ in range(20)]
        assert [r.status for r in responses] == [200] * 5 + [429] * 15
        for response in responses[5:]:
            body = await response.json(content_type=None)
            assert list(body) == ["success", "status_code", "status_message"]
            assert body["status_code"] == 25
            assert re.fullmatch(
                r"Your request count \(\d+\) is over the allowed limit of 5\.",
                body["status_message"],
            )
            assert int(response.headers["retry-after"]) >= 1
            assert response.headers["content-type"] == "application/json;charset=utf-8"
        assert app[STATE].stats.status(429) == 15
        stats = await (await client.get("/__sim/stats")).json()
        assert stats["by_status"]["429"] == 15


# ---------------------------------------------------------------- faults
def test_server_error_faults() -> None:
    with running_simulator(_faulty("error")) as sim, httpx.Client(headers=TOKEN) as http:
        seen = set()
        for _ in range(40):
            response = http.get(f"{sim.base_url}/configuration")
            body = response.json()
            assert list(body) == ["success", "status_code", "status_message"]
            seen.add((response.status_code, body["status_code"]))
        assert seen <= SERVER_ERRORS
        assert len(seen) >= 4
        assert sim.stats.fault("error") == 40


def test_reset_faults() -> None:
    with running_simulator(_faulty("reset")) as sim, httpx.Client(headers=TOKEN) as http:
        for _ in range(3):
            with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
                http.get(f"{sim.base_url}/configuration")
        assert sim.stats.fault("reset") == 3


def test_truncated_faults() -> None:
    with running_simulator(_faulty("truncated")) as sim:
        movie_id = _first_movie(sim)
        url = f"{sim.base_url}/movie/{movie_id}?append_to_response=credits"
        with httpx.Client(headers=TOKEN) as http:
            with pytest.raises(httpx.RemoteProtocolError):
                http.get(url)
            with http.stream("GET", url) as response:
                assert response.status_code == 200
                declared = int(response.headers["content-length"])
                chunks: list[bytes] = []
                with pytest.raises(httpx.RemoteProtocolError):
                    _drain(response, chunks)
        received = b"".join(chunks)
        assert 0 < len(received) < declared
        with pytest.raises(json.JSONDecodeError):
            json.loads(received)
        assert sim.stats.fault("truncated") == 2


def test_slow_faults() -> None:
    with running_simulator(_faulty("slow", slow_ms=400.0)) as sim:
        with httpx.Client(headers=TOKEN, timeout=0.25) as hasty, pytest.raises(httpx.ReadTimeout):
            hasty.get(f"{sim.base_url}/configuration")
        with httpx.Client(headers=TOKEN, timeout=60.0) as patient:  # outlasts the stall
            response = patient.get(f"{sim.base_url}/configuration")
        assert response.status_code == 200
        assert "images" in response.json()
        assert sim.stats.fault("slow") == 2


def test_retries_eventually_get_the_identical_body() -> None:
    clean = SimulatorConfig(catalog_size=SMALL)
    flaky = SimulatorConfig(catalog_size=SMALL, fault_rate=0.2, slow_ms=50.0)
    with running_simulator(clean) as good, httpx.Client(headers=TOKEN, timeout=5.0) as http:
        movie_id = _first_movie(good)
        path = f"/movie/{movie_id}?append_to_response=credits,keywords,recommendations"
        expected = http.get(good.base_url + path).content
    outcomes: list[str] = []
    with running_simulator(flaky) as bad:
        for _ in range(40):
            with httpx.Client(headers=TOKEN, timeout=5.0) as http:
                try:
                    response = http.get(bad.base_url + path)
                except httpx.TransportError as exc:
                    outcomes.append(type(exc).__name__)
                    continue
            outcomes.append(str(response.status_code))
            if response.status_code == 200:
                assert response.content == expected
        faults = sum(bad.stats.fault(kind) for kind in ("error", "slow", "reset", "truncated"))
    assert outcomes.count("200") >= 20
    assert faults >= 2
    assert len(set(outcomes)) > 1


def test_stats_fixture_kinds_exist() -> None:
    with pytest.raises(ValueError, match="fault_kinds"):
        SimulatorConfig(fault_kinds=("explode",))
    with pytest.raises(ValueError, match="fault_rate"):
        SimulatorConfig(fault_rate=1.5)


def test_latency_is_added_to_api_requests_only() -> None:
    config = SimulatorConfig(catalog_size=SMALL, latency_ms=600_000.0)  # ten minutes
    with running_simulator(config) as sim:
        with httpx.Client(headers=TOKEN, timeout=0.5) as hasty, pytest.raises(httpx.ReadTimeout):
            hasty.get(f"{sim.base_url}/configuration")
        with httpx.Client(timeout=60.0) as patient:  # not held up by the latency
            assert patient.get(f"{sim.root_url}/__sim/health").status_code == 200
