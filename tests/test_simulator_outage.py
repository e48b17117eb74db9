"""Outages held by a live simulator: refused connections, a CDN's HTML 503, a captive
portal's HTML 200; driven programmatically, through /__sim/outage, or on a schedule."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.support.outage import outages_over, start_outage, stop_outage
from tmdb_collector.simulator import RunningSimulator, SimulatorConfig, running_simulator
from tmdb_collector.simulator.outage import (
    OUTAGE_KINDS,
    OUTAGE_OVER,
    OUTAGE_PREFIX,
    OUTAGE_ROUTE,
    Outage,
    OutageWindow,
)

TOKEN = {"Authorization": "Bearer any-token"}
SMALL = 1000
PATIENCE = 60.0  # generous bound for conditions that depend on the server loop


@pytest.fixture
def sim() -> Iterator[RunningSimulator]:
    with running_simulator(SimulatorConfig(catalog_size=SMALL)) as running:
        yield running


def fresh_get(sim: RunningSimulator, path: str = "/configuration") -> httpx.Response:
    """A request on a brand-new connection."""
    with httpx.Client(base_url=sim.base_url, headers=TOKEN, timeout=30.0) as http:
        return http.get(path)


def wait_until(outage: Outage, reached: Callable[[Outage], bool], timeout: float) -> bool:
    """Block until ``reached(outage)`` holds, looked at again as each outage begins and ends
    (the simulator's own listener hook, no polling); False if ``timeout`` seconds pass first."""
    changed = threading.Condition()

    def heard(_kind: str | None) -> None:
        with changed:
            changed.notify_all()

    outage.listen(heard)
    with changed:
        return changed.wait_for(lambda: reached(outage), timeout)


def refused(sim: RunningSimulator) -> bool:
    try:
        fresh_get(sim)
    except httpx.TransportError:
        return True
    return False


def test_refuse_closes_the_port_and_reopens_it(sim: RunningSimulator) -> None:
    with httpx.Client(base_url=sim.base_url, headers=TOKEN, timeout=30.0) as kept:
        assert kept.get("/configuration").status_code == 200
        sim.outage.start("refuse")
        assert sim.outage.kind == "refuse"
        with pytest.raises(httpx.ConnectError):
            fresh_get(sim)
        with pytest.raises(httpx.TransportError):  # the open keep-alive connection is gone
            kept.get("/configuration", headers={"Connection": "keep-alive"})
        sim.outage.stop()
        assert sim.outage.kind is None
        assert fresh_get(sim).status_code == 200  # same port, same catalogue
        assert kept.get("/configuration").status_code == 200


def test_refuse_can_start_and_stop_repeatedly(sim: RunningSimulator) -> None:
    for _ in range(3):
        sim.outage.start("refuse")
        assert refused(sim)
        sim.outage.stop()
        assert fresh_get(sim, "/movie/popular").json()["page"] == 1
    assert sim.outage.started == 3


def test_html503_is_a_cdn_page(sim: RunningSimulator) -> None:
    sim.outage.start("html503")
    response = fresh_get(sim, "/movie/popular")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["server"] == "CloudFront"
    assert b"503 ERROR" in response.content
    with pytest.raises(json.JSONDecodeError):  # not TMDB JSON
        response.json()
    exports = httpx.get(f"{sim.root_url}/p/exports/movie_ids_11_24_2026.json.gz", timeout=30)
    assert exports.status_code == 503
    assert httpx.get(f"{sim.root_url}/__sim/health", timeout=30).json() == {"ok": True}
    assert sim.stats.fault("outage_html503") == 2
    sim.outage.stop()
    assert fresh_get(sim, "/movie/popular").json()["page"] == 1


def test_portal200_is_html_with_status_200(sim: RunningSimulator) -> None:
    sim.outage.start("portal200")
    response = fresh_get(sim, "/movie/popular")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert b"Wi-Fi" in response.content
    sim.outage.stop()
    assert fresh_get(sim).headers["content-type"] == "application/json;charset=utf-8"


def test_unknown_kind_is_rejected(sim: RunningSimulator) -> None:
    with pytest.raises(ValueError, match="refuse"):
        sim.outage.start("flood")
    assert sim.outage.kind is None


def test_control_route(sim: RunningSimulator) -> None:
    route = sim.root_url + OUTAGE_ROUTE
    with httpx.Client(timeout=30.0) as http:
        assert http.post(route, params={"kind": "nope"}).status_code == 400
        assert http.post(route, params={"kind": "refuse"}).status_code == 400  # no duration
        assert http.post(route, params={"kind": "html503", "duration": "-1"}).status_code == 400
        assert http.post(route, params={"kind": "html503"}).json()["kind"] == "html503"
        assert http.get(route).json() == {"kind": "html503"}
        assert fresh_get(sim).status_code == 503
        assert http.delete(route).json() == {"kind": None}
        assert fresh_get(sim).status_code == 200
        answer = http.post(route, params={"kind": "refuse", "duration": "0.3"})
    assert answer.json() == {"kind": "refuse", "duration": 0.3}
    # The refuse outage begins after the answer: wait for it to have begun, then ended.
    assert wait_until(sim.outage, lambda o: o.started >= 2 and o.kind is None, PATIENCE)
    assert fresh_get(sim).status_code == 200


def test_scheduled_window() -> None:
    config = SimulatorConfig(catalog_size=SMALL, outages=(OutageWindow(0.0, 0.3, "html503"),))
    with running_simulator(config) as sim:
        assert wait_until(sim.outage, lambda o: o.started == 1, PATIENCE)
        assert wait_until(sim.outage, lambda o: o.kind is None, PATIENCE)
        assert fresh_get(sim).status_code == 200


@pytest.mark.parametrize(
    ("text", "window"),
    [
        ("10:60", OutageWindow(10.0, 60.0, "refuse")),
        ("0.5:2.5:html503", OutageWindow(0.5, 2.5, "html503")),
        ("3:4:portal200", OutageWindow(3.0, 4.0, "portal200")),
    ],
)
def test_window_parsing(text: str, window: OutageWindow) -> None:
    assert OutageWindow.parse(text) == window
    assert window.kind in OUTAGE_KINDS


@pytest.mark.parametrize("text", ["10", "a:b", "1:2:flood", "-1:2", "1:2:3:4"])
def test_bad_outage_flag_is_a_usage_error(text: str) -> None:
    with pytest.raises(ValueError, match="outage"):
        OutageWindow.parse(text)
    result = subprocess.run(
        [sys.executable, "-m", "tmdb_collector", "simulate", "--outage", text],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "--outage" in result.stderr
    assert "Traceback" not in result.stderr


def test_child_process_outage_through_its_control_route() -> None:
    from tmdb_collector.simulator.process import simulator_process

    with simulator_process(["--catalog-size", str(SMALL)]) as child:
        url = child.base_url + "/configuration"
        start_outage(child, "html503")
        assert httpx.get(url, headers=TOKEN, timeout=30).status_code == 503
        stop_outage(child)
        assert httpx.get(url, headers=TOKEN, timeout=30).status_code == 200
        start_outage(child, "refuse", duration=0.3)
        # The child says when each outage is over: the html503 above, then this one, its
        # port accepting connections again (a refusing port answers no control route).
        assert outages_over(child, 2, PATIENCE)
        assert httpx.get(url, headers=TOKEN, timeout=30).status_code == 200
        assert [line.strip() for line in child.output.lines] == [
            f"{OUTAGE_PREFIX}html503",
            f"{OUTAGE_PREFIX}{OUTAGE_OVER}",
            f"{OUTAGE_PREFIX}refuse",
            f"{OUTAGE_PREFIX}{OUTAGE_OVER}",
        ]
