"""The simulator in a child process: used by ``demo``, ``serve`` demos, benchmarks and tests.

A separate process gives the simulator its own core and interpreter, so it never competes
with the collector for the GIL, and its CPU and memory stay out of the collector's figures.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from tmdb_collector.errors import CollectorError
from tmdb_collector.simulator.output import OutputLines
from tmdb_collector.simulator.runner import LIFELINE_ENV

READY_PREFIX = "Simulated TMDB listening on "


@dataclass(frozen=True)
class SimulatorProcess:
    base_url: str
    process: subprocess.Popen[str]
    output: OutputLines  # what it prints after its listening line (its outages)

    @property
    def root_url(self) -> str:
        return self.base_url.removesuffix("/3")


@contextmanager
def simulator_process(
    args: Sequence[str] = (), *, api_key: str | None = None
) -> Iterator[SimulatorProcess]:
    """Start ``tmdb-collector simulate --port 0 ARGS`` and yield once it is listening."""
    env = dict(os.environ)
    env.pop("TMDB_SIMULATOR_API_KEY", None)
    env[LIFELINE_ENV] = "1"  # it stops when this process goes, even killed outright
    if api_key is not None:
        env["TMDB_SIMULATOR_API_KEY"] = api_key
    command = [sys.executable, "-m", "tmdb_collector", "simulate", "--port", "0", *args]
    with tempfile.TemporaryFile("w+", encoding="utf-8") as errors:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            env=env,
        )
        try:
            assert process.stdout is not None
            line = process.stdout.readline().strip()
            if not line.startswith(READY_PREFIX):
                process.kill()
                process.wait(timeout=10)
                errors.seek(0)
                last = (errors.read().strip().splitlines() or ["no output"])[-1]
                raise CollectorError(f"the simulator did not start: {last}")
            yield SimulatorProcess(
                line.removeprefix(READY_PREFIX), process, OutputLines(process.stdout)
            )
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            pipe.close()
