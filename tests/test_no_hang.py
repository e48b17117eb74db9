"""No error hangs a run: an unexpected exception in a worker or the feeder, or a database
damaged while ``collect`` runs, ends the run promptly with one line and a non-zero exit.

The waits below are hang guards (generous timeouts on the process or the coroutine), not
timing assertions.
"""

from __future__ import annotations

import asyncio
import faulthandler
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_helpers import (
    SMALL_PLAN,
    TEST_KEY,
    collect_args,
    one_line_error,
    simulator,
    start_cli,
)
from tests.support.hold import held_after, stop_args
from tests.test_store_errors import damage
from tmdb_collector.cli import main
from tmdb_collector.credentials import Credentials
from tmdb_collector.engine.collector import Collector, RunOutcome
from tmdb_collector.errors import UnexpectedError
from tmdb_collector.fetch.client import TMDBClient
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store

HANG_GUARD = 120.0  # seconds; a run that is not over by then is hung
PLAN = Plan(popular_pages=3, genre_pages=1, genres=(28,))


@pytest.fixture(scope="module")
def sim_url() -> Iterator[str]:
    with simulator("--latency-ms", "2") as sim:
        yield sim.base_url


async def collect(store: Store, sim_url: str) -> RunOutcome:
    settings = ClientSettings(base_url=sim_url, rate=500, concurrency=4)
    async with TMDBClient(settings, Credentials(api_key=TEST_KEY)) as client:
        collector = Collector(store, client, PLAN, concurrency=settings.concurrency)
        return await asyncio.wait_for(collector.run(), HANG_GUARD)


def _boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError("injected fault")


@pytest.mark.parametrize(
    ("method", "where"),
    [("save_item", "while fetching movie"), ("pending_after", "while queueing pending ids")],
)
async def test_an_unexpected_error_in_a_worker_or_the_feeder_stops_the_run(
    sim_url: str, db_path: Path, monkeypatch: pytest.MonkeyPatch, method: str, where: str
) -> None:
    monkeypatch.setattr(Store, method, _boom)
    with Store.create_or_open(db_path, PLAN) as store:
        outcome = await collect(store, sim_url)
        assert outcome.status == "failed"
        assert isinstance(outcome.error, UnexpectedError)
        assert where in str(outcome.error)
        assert "RuntimeError: injected fault" in str(outcome.error)
        assert store.counts().pages_done > 0  # the harvest committed before it stays
    monkeypatch.undo()
    with Store.create_or_open(db_path, PLAN) as store:  # and a re-run resumes and completes
        assert (await collect(store, sim_url)).status == "complete"


def test_the_cli_reports_an_unexpected_error_in_one_line(
    sim_url: str, db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(Store, "save_item", _boom)
    monkeypatch.setenv("TMDB_API_KEY", TEST_KEY)
    monkeypatch.setattr(
        sys, "argv", ["tmdb-collector", *collect_args(db_path, sim_url, *SMALL_PLAN)]
    )
    faulthandler.dump_traceback_later(HANG_GUARD, exit=True, file=sys.__stderr__)  # no hang
    try:
        with pytest.raises(SystemExit) as exited:
            main()
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    [line] = [line for line in err.splitlines() if line.strip()]
    assert line.startswith("error: unexpected error while fetching movie")
    assert "injected fault" in line


def test_an_unexpected_error_outside_a_run_is_one_line_with_the_traceback_under_v(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(Store, "create_or_open", _boom)
    monkeypatch.setenv("TMDB_API_KEY", TEST_KEY)
    for verbose, traceback in (([], False), (["-v"], True)):
        args = collect_args(db_path, "http://127.0.0.1:9/3", *verbose)
        monkeypatch.setattr(sys, "argv", ["tmdb-collector", *args])
        with pytest.raises(SystemExit) as exited:
            main()
        assert exited.value.code == 1
        err = capsys.readouterr().err
        assert ("Traceback" in err) is traceback, err
        assert "error: unexpected error in tmdb-collector: RuntimeError: injected fault" in err


def test_a_database_damaged_mid_run_ends_collect_with_one_line(tmp_path: Path) -> None:
    db = tmp_path / "damaged.db"
    with simulator() as sim:
        process = start_cli(collect_args(db, sim.base_url, *SMALL_PLAN, *stop_args()))
        try:
            with held_after(sim.base_url, 5) as gate:
                gate.wait_stopped()  # 5 movies in: damage the database under the stopped run
                damage(db)
            _, stderr = process.communicate(timeout=HANG_GUARD)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert process.returncode == 1, stderr
    line = one_line_error(_Result(stderr))
    assert str(db) in line
    assert line.startswith(f"error: database error in {db}: ") or "is damaged" in line, line
    assert f"tmdb-collector status --db {db}" in line


class _Result:
    def __init__(self, stderr: str) -> None:
        self.stderr = stderr
