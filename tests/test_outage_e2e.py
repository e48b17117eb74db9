"""Outages end to end through the CLI: TMDB (the simulator, behind a proxy on a fixed port)
stops accepting connections in the middle of stage 3 and comes back on the same port.

* ``collect`` waits, says so in one line, says when TMDB is back, and ends with exit 0, no
  failed id, and the export of an uninterrupted run;
* with ``--give-up-after`` an outage that does not end stops the run with exit 1 and one
  error line, nothing marked failed; the same command then completes.

The outage starts once some movies are committed and ends after the collector has reported
it and logged :data:`FAILED_PROBES` failed probes, which take several times a unit's retry
budget (the probes back off from ``probe_initial`` to ``probe_max``); the test waits on those
log lines (its ``--log-file`` is a pipe the test reads), never on the clock, and its
assertions are on outcomes only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import (
    SMALL_PLAN,
    cli_env,
    collect_args,
    export_json,
    simulator,
    start_cli,
)
from tests.support.hold import held_after, stop_args
from tests.support.lines import Lines
from tests.support.outage import OutageProxy
from tmdb_collector.simulator.process import SimulatorProcess

HANG_GUARD = 180.0
CONFIG = """
[client]
max_attempts = 2
probe_initial = 0.2
probe_max = 0.5
"""
# A unit's retry budget is 2 attempts x 2 rounds, one backoff of at most 1 s a round: about
# 3 s. Ten failed probes take at least 0.16 + 0.32 + 8 x 0.4 s = 3.7 s (jitter is +-20%).
FAILED_PROBES = 10


class Stderr:
    """The process's stderr lines as they come, read in a thread."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self._process = process
        self.lines: list[str] = []
        self._changed = threading.Condition()
        assert process.stderr is not None
        self._thread = threading.Thread(target=self._read, args=(process.stderr,), daemon=True)
        self._thread.start()

    def _read(self, stream: Any) -> None:
        for line in stream:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def wait_for(self, text: str) -> str:
        with self._changed:
            found = self._changed.wait_for(
                lambda: any(text in line for line in self.lines), timeout=HANG_GUARD
            )
        assert found, f"never saw {text!r}; stderr so far: {self.lines}"
        return next(line for line in self.lines if text in line)

    def all(self) -> list[str]:
        """Every line, once the process has ended (its pipes are closed then)."""
        self._process.wait(timeout=HANG_GUARD)
        self._thread.join(timeout=HANG_GUARD)
        for stream in (self._process.stdout, self._process.stderr):
            if stream is not None:
                stream.close()
        return [line for line in self.lines if line.strip()]


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorProcess]:
    with simulator("--latency-ms", "5") as running:
        yield running


@pytest.fixture(scope="module")
def reference(sim: SimulatorProcess, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("reference")
    process = start_cli(collect_args(folder / "ref.db", sim.base_url, *SMALL_PLAN))
    _, stderr = process.communicate(timeout=HANG_GUARD)
    assert process.returncode == 0, stderr
    return export_json(folder / "ref.db", folder / "movies.json")


@contextmanager
def outage_run(
    proxy: OutageProxy, db: Path, config: Path, *extra: str
) -> Iterator[tuple[subprocess.Popen[str], Stderr, Lines]]:
    """The collect, TMDB refusing connections once 20 movies are in; its stderr, and its
    log (every level), written to a pipe read here."""
    args = collect_args(db, proxy.base_url, *SMALL_PLAN, "--config", str(config), *extra)
    read, write = os.pipe()
    log = Lines(os.fdopen(read, encoding="utf-8"))
    try:
        with held_after(proxy.upstream, 20) as gate:
            process = start_cli(
                [*args, "--log-file", f"/dev/fd/{write}", *stop_args()], pass_fds=[write]
            )
            gate.wait_stopped()  # 20 movies in; the requests in flight are answered after this
            proxy.refuse()
    finally:
        os.close(write)  # the child's copy is then the pipe's only writer: it ends with it
    try:
        yield process, Stderr(process), log
    finally:
        process.kill()  # if the test failed before it ended
        process.wait(timeout=HANG_GUARD)
        log.close()


def _python() -> list[str]:
    return [sys.executable, "-m", "tmdb_collector"]


def failed_ids(db: Path) -> int:
    command = [*_python(), "status", "--db", str(db), "--json"]
    status = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    failed: int = status["ids"]["failed"] + status["harvest"]["pages_failed"]
    return failed


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "outage.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.fixture
def proxy(sim: SimulatorProcess) -> Iterator[OutageProxy]:
    running = OutageProxy(sim.root_url)
    yield running
    running.close()


def test_an_outage_mid_collect_ends_clean_with_the_reference_export(
    proxy: OutageProxy, config: Path, reference: dict[str, Any], tmp_path: Path
) -> None:
    db = tmp_path / "outage.db"
    with outage_run(proxy, db, config, "--rate", "60") as (process, stderr, log):
        started = stderr.wait_for("TMDB unreachable since")
        assert "(connection refused)" in started
        assert "Ctrl-C pauses" in started
        log.wait_for(f"TMDB probe {FAILED_PROBES} failed (", timeout=HANG_GUARD)
        proxy.restore()
        lines = stderr.all()
        assert process.returncode == 0, lines
        assert any(line.startswith("WARNING: TMDB reachable again after") for line in lines), lines
        assert len(lines) <= 4, lines  # a handful: outage start, outage end
    assert failed_ids(db) == 0
    assert export_json(db, tmp_path / "movies.json") == reference


def test_give_up_after_exits_1_with_nothing_failed_and_the_same_command_resumes(
    proxy: OutageProxy, config: Path, reference: dict[str, Any], tmp_path: Path
) -> None:
    db = tmp_path / "give-up.db"
    with outage_run(proxy, db, config, "--rate", "60", "--give-up-after", "3s") as running:
        process, stderr, _ = running
        lines = stderr.all()
    assert process.returncode == 1, lines
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, lines
    assert "gave up as --give-up-after asks" in errors[0]
    assert "Traceback" not in "\n".join(lines)
    assert failed_ids(db) == 0
    proxy.restore()
    args = collect_args(db, proxy.base_url, *SMALL_PLAN, "--config", str(config))
    resumed = subprocess.run(
        [*_python(), *args], capture_output=True, text=True, env=cli_env(), timeout=HANG_GUARD
    )
    assert resumed.returncode == 0, resumed.stderr
    assert export_json(db, tmp_path / "movies.json") == reference
