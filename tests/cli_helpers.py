"""Running the real CLI in a subprocess, as a user would, against the simulator."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.support.cli import TEST_KEY as TEST_KEY  # re-exported for the tests
from tests.support.cli import cli_env as cli_env
from tests.support.cli import collect_args as collect_args
from tmdb_collector.simulator.process import SimulatorProcess, simulator_process

SMALL_PLAN = ["--popular-pages", "4", "--genre-pages", "2", "--genres", "28,35,18"]


def update_args(db: Path, base_url: str, *extra: str) -> list[str]:
    return [
        "update",
        "--db",
        str(db),
        "--base-url",
        base_url,
        "--no-progress",
        "--rate",
        "500",
        *extra,
    ]


def run_cli(
    args: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tmdb_collector", *args],
        capture_output=True,
        text=True,
        env=env if env is not None else cli_env(),
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


def start_cli(
    args: Sequence[str], *, env: dict[str, str] | None = None, pass_fds: Sequence[int] = ()
) -> subprocess.Popen[str]:
    """The CLI as a child, its stdout and stderr piped; ``pass_fds``: descriptors it
    inherits (a pipe's write end, to name as ``--log-file /dev/fd/N``)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tmdb_collector", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env if env is not None else cli_env(),
        pass_fds=tuple(pass_fds),
    )


def kill(process: subprocess.Popen[str], sig: int = signal.SIGKILL) -> tuple[str, str]:
    """Signal a CLI process, wait for it, and return its output (closing the pipes)."""
    process.send_signal(sig)
    return process.communicate(timeout=60)


@contextmanager
def simulator(*args: str, api_key: str | None = None) -> Iterator[SimulatorProcess]:
    with simulator_process(list(args), api_key=api_key) as sim:
        yield sim


def sim_stats(sim: SimulatorProcess) -> dict[str, Any]:
    response = httpx.get(f"{sim.root_url}/__sim/stats", timeout=5)
    response.raise_for_status()
    data: dict[str, Any] = response.json()
    return data


def movie_count(db: Path) -> int:
    """Movies committed so far, read without disturbing the writer (WAL readers are free)."""
    if not db.exists():
        return 0
    try:
        connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return int(connection.execute("SELECT COUNT(*) FROM items").fetchone()[0])
        finally:
            connection.close()
    except sqlite3.Error:
        return 0


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The error output must be a single line, without a traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


def export_json(db: Path, out: Path) -> dict[str, Any]:
    result = run_cli(["export", "--db", str(db), "--format", "json", "--out", str(out)])
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data
