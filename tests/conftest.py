"""Shared fixtures: the reference kit beside the repo, a fake clock, fresh databases, and one
simulated TMDB for the whole session (tests that count its requests start their own)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import settings

from tests.cli_helpers import collect_args, run_cli, simulator
from tests.httpx_wire import mock_wire
from tests.support.postgres import PgServer, postgres_server
from tmdb_collector.credentials import Credentials
from tmdb_collector.fetch.client import TMDBClient
from tmdb_collector.fetch.ratelimit import AdaptiveRateLimiter
from tmdb_collector.fetch.retry import RetryPolicy
from tmdb_collector.fetch.settings import ClientSettings

# Property tests have no time limit per example: the machine may be busy (no wall-clock bounds).
settings.register_profile("tmdb", deadline=None)
settings.load_profile("tmdb")

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True, scope="session")
def dlt_offline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """dlt (tmdb_collector.dlt's tests, the docs' examples) sends no usage telemetry off this
    machine, and keeps its pipelines' working state in the session's temporary directory,
    not in the home directory's ~/.dlt."""
    patch = pytest.MonkeyPatch()
    patch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
    patch.setenv("DLT_DATA_DIR", str(tmp_path_factory.mktemp("dlt-data")))
    yield
    patch.undo()


REFERENCE = REPO.parent / "shared" / "tmdb-reference"
SAMPLES = REFERENCE / "samples"


def load_sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


class FakeClock:
    """A clock whose sleep advances time instantly: limiter and retry tests never sleep."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "collection.db"


@pytest.fixture(scope="session")
def sim_url() -> Iterator[str]:
    """The default simulated TMDB (seed 42, 5 ms per request), in its own process."""
    with simulator("--latency-ms", "5") as sim:
        yield sim.base_url


TINY_PLAN = ["--popular-pages", "2", "--genre-pages", "1", "--genres", "28"]


@dataclass(frozen=True)
class SmallCollection:
    """A finished collection of the tiny plan, made once per session: never write to it."""

    db: Path
    base_url: str


@pytest.fixture(scope="session")
def small_collection(sim_url: str, tmp_path_factory: pytest.TempPathFactory) -> SmallCollection:
    db = tmp_path_factory.mktemp("small-collection") / "collection.db"
    result = run_cli(collect_args(db, sim_url, *TINY_PLAN))
    assert result.returncode == 0, result.stderr
    return SmallCollection(db, sim_url)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A real PostgreSQL server for the session (tests/support/postgres.py); the tests that
    need it are skipped, loudly, only where Debian's binaries are not installed."""
    try:
        with postgres_server() as server:
            yield server
    except FileNotFoundError as exc:
        pytest.skip(f"*** NO POSTGRESQL SERVER: {exc} ***")


def mock_client(
    handler: Callable[[httpx.Request], httpx.Response],
    clock: FakeClock,
    *,
    key: str = "test-key-0042",
    concurrency: int = 2,
) -> TMDBClient:
    """A client on ``handler`` (an httpx.MockTransport server) whose waits take no time."""
    return TMDBClient(
        ClientSettings(base_url="http://127.0.0.1:9/3", rate=1000, concurrency=concurrency),
        Credentials(api_key=key),
        limiter=AdaptiveRateLimiter(1000, clock=clock),
        policy=RetryPolicy(max_attempts=2),
        clock=clock,
        transport=mock_wire(handler),
    )
