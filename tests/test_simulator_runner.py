"""``run_forever`` as a foreground process, and ``running_simulator`` start/stop."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys

import httpx
import pytest

from tmdb_collector.simulator import SimulatorConfig, running_simulator

SCRIPT = (
    "from tmdb_collector.simulator import SimulatorConfig, run_forever; "
    "run_forever(SimulatorConfig(catalog_size=1000))"
)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_run_forever_prints_listening_line_and_exits_cleanly(signum: signal.Signals) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.fullmatch(r"Simulated TMDB listening on http://127\.0\.0\.1:(\d+)/3\n", line)
        assert match, line
        port = int(match.group(1))
        assert port > 0
        health = httpx.get(f"http://127.0.0.1:{port}/__sim/health", timeout=10.0)
        assert health.json() == {"ok": True}
        process.send_signal(signum)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert out == ""


def test_running_simulator_urls_and_shutdown() -> None:
    with running_simulator(SimulatorConfig(catalog_size=500)) as sim:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", sim.root_url)
        assert sim.base_url == sim.root_url + "/3"
        assert httpx.get(f"{sim.root_url}/__sim/health").status_code == 200
        root = sim.root_url
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{root}/__sim/health", timeout=2.0)


def test_two_simulators_side_by_side() -> None:
    config = SimulatorConfig(catalog_size=500)
    with running_simulator(config) as one, running_simulator(config) as two:
        assert one.root_url != two.root_url
        token = {"Authorization": "Bearer x"}
        a = httpx.get(f"{one.base_url}/movie/popular", headers=token)
        b = httpx.get(f"{two.base_url}/movie/popular", headers=token)
        assert a.content == b.content


# A parent that starts the simulator as its child (as `demo` does), says the child's pid, waits.
PARENT = """
import sys
from tmdb_collector.simulator.process import simulator_process
with simulator_process(["--catalog-size", "50"]) as simulator:
    print(simulator.process.pid, flush=True)
    sys.stdin.read()
"""


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="waits on the child with a pidfd")
def test_the_simulator_child_stops_when_its_parent_is_killed() -> None:
    """`demo` killed with SIGKILL left its simulator serving, an orphan, for ever."""
    with subprocess.Popen(
        [sys.executable, "-c", PARENT], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as parent:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        exited = os.pidfd_open(child)
        try:
            parent.kill()
            parent.wait()
            gone, _, _ = select.select([exited], [], [], 60)  # a hang guard, not a time bound
            if not gone:
                os.kill(child, signal.SIGKILL)
            assert gone, "the simulator outlived its parent"
        finally:
            os.close(exited)
