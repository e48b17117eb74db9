"""Faults, ids that keep failing, and signals, end to end through the CLI.

* Faults: the simulator injects 5xx, stalls past the client's timeout, connection resets and
  truncated bodies into 20% of the requests and allows fewer requests/s than the client
  sends; one ``collect`` still exports exactly what a fault-free run of the same seed does.
* An id that keeps failing transiently is recorded as failed with its reason, the run goes on
  and exits 3; ``collect --retry-failed`` fetches it and exits 0.
* SIGTERM pauses like Ctrl-C (exit 130, how to resume); a second Ctrl-C exits at once and
  leaves a consistent store that ``status`` reads and the same command finishes.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli_helpers import cli_env, movie_count, run_cli, sim_stats, simulator
from tests.conftest import FakeClock
from tests.httpx_wire import mock_client, movie_body
from tests.support.checks import (
    check_store,
    compare_exports,
    export_movies,
    load_export,
    read_progress,
    run_collect,
)
from tests.support.crash import (
    collect_command,
)
from tests.support.hold import CONCURRENCY, held_after, pause_stopped, stop_args
from tests.support.lines import Lines
from tests.support.outage import send_whole
from tmdb_collector.engine.collector import TRANSIENT_ROUNDS, Collector
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store

SEED = "7"  # not the default 42: "the same --seed" must mean this one
PLAN = ["--popular-pages", "6", "--genre-pages", "2", "--genres", "28,35,18"]
FAULTS = ["--fault-rate", "0.2", "--slow-ms", "1500", "--rate-limit", "30"]
FAULTY_CLIENT = ["--rate", "90", "--timeout", "0.8"]  # above the limit; slow faults time out


@pytest.fixture(scope="module")
def sim_url() -> Iterator[str]:
    """The fault-free simulator of SEED."""
    with simulator("--seed", SEED, "--latency-ms", "5") as sim:
        yield sim.base_url


@pytest.fixture(scope="module")
def reference(sim_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The export of an uninterrupted, fault-free run of PLAN."""
    folder = tmp_path_factory.mktemp("reference")
    db = folder / "ref.db"
    result = run_collect(collect_command(db, sim_url, PLAN, "--rate", "500"), cli_env())
    assert result.returncode == 0, result.stderr
    return load_export(export_movies(db, folder / "movies.json", cli_env()))


# ---- faults ---------------------------------------------------------------------------------


def test_faults_and_throttling_leave_the_export_exactly_as_a_clean_run(
    tmp_path: Path, reference: dict[str, Any]
) -> None:
    db, log = tmp_path / "faults.db", tmp_path / "run.log"
    with simulator("--seed", SEED, *FAULTS) as sim:
        extra = [*FAULTY_CLIENT, "-vv", "--log-file", str(log)]
        result = run_collect(collect_command(db, sim.base_url, PLAN, *extra), cli_env())
        stats = sim_stats(sim)
    assert result.returncode == 0, result.stderr[-2000:]
    # Every kind of fault happened, and the client was throttled.
    assert all(stats["faults"].get(kind, 0) > 0 for kind in ("error", "slow", "reset")), stats
    assert stats["faults"].get("truncated", 0) > 0, stats
    assert stats["by_status"].get("429", 0) > 0, stats
    text = log.read_text(encoding="utf-8")
    assert "timed out" in text  # slow faults outlasted --timeout
    assert re.search(r"HTTP 50[0-4]", text)
    # A truncated or invalid body was never stored: the export is the clean run's, exactly.
    assert check_store(db) == []
    assert compare_exports(reference, export_movies(db, tmp_path / "m.json", cli_env())) == []
    status = json.loads(run_cli(["status", "--db", str(db), "--json"]).stdout)
    assert status["ids"]["failed"] == status["harvest"]["pages_failed"] == 0


# ---- ids that keep failing ------------------------------------------------------------------


class _BreakingProxy(BaseHTTPRequestHandler):
    """Forwards to the simulator, but answers TMDB's 500 (code 11) for ``/movie/{broken}``."""

    protocol_version = "HTTP/1.1"
    upstream = ""
    broken: frozenset[int] = frozenset()
    hits: list[int] = []  # noqa: RUF012 - the test's record of refused requests
    body = json.dumps(
        {
            "success": False,
            "status_code": 11,
            "status_message": "Internal error: Something went wrong, contact TMDb.",
        }
    ).encode()

    def do_GET(self) -> None:
        match = re.fullmatch(r"/3/movie/(\d+)", self.path.split("?", 1)[0])
        if match and int(match.group(1)) in self.broken:
            self.hits.append(int(match.group(1)))
            send_whole(self, 500, self.body, [("Content-Type", "application/json;charset=utf-8")])
            return
        response = httpx.get(self.upstream + self.path, headers=dict(self.headers), timeout=30)
        keep = ("Content-Type", "Date", "Retry-After")
        headers = [(k, response.headers[k]) for k in keep if k in response.headers]
        send_whole(self, response.status_code, response.content, headers)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def breaking_proxy(root_url: str, broken: set[int]) -> Iterator[tuple[str, list[int]]]:
    """A proxy's base URL in front of ``root_url``, and the list of ids it refused."""
    hits: list[int] = []
    handler = type(
        "Proxy",
        (_BreakingProxy,),
        {"upstream": root_url, "broken": frozenset(broken), "hits": hits},
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/3", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_ids_that_keep_failing_are_recorded_then_retried_with_retry_failed(
    sim_url: str, tmp_path: Path, reference: dict[str, Any]
) -> None:
    db = tmp_path / "c.db"
    ids = sorted(reference, key=int)
    broken = {int(ids[3]), int(ids[len(ids) // 2])}
    config = tmp_path / "fast-retries.toml"  # 2 attempts a round: seconds, not half a minute
    config.write_text("[client]\nmax_attempts = 2\n", encoding="utf-8")
    with breaking_proxy(sim_url.removesuffix("/3"), broken) as (proxy_url, hits):
        args = ["--config", str(config), "--rate", "500"]
        first = run_collect(collect_command(db, proxy_url, PLAN, *args), cli_env())
    # Recorded as failed with the reason; the run went on and says so in its exit status.
    assert first.returncode == 3, first.stderr
    assert "2 ids failed; `tmdb-collector collect --retry-failed` retries them" in first.stderr
    assert "Traceback" not in first.stderr
    assert Counter(hits) == {i: 2 * TRANSIENT_ROUNDS for i in broken}  # 2 attempts a round
    status = json.loads(run_cli(["status", "--db", str(db), "--json"]).stdout)
    assert status["ids"]["failed"] == 2
    assert status["ids"]["done"] == len(reference) - 2
    failures = {f["id"]: f for f in status["failures"] if f["status"] == "failed"}
    assert set(failures) == broken
    for failure in failures.values():
        assert "HTTP 500" in failure["reason"]
        assert "status_code 11" in failure["reason"]
    partial = load_export(export_movies(db, tmp_path / "partial.json", cli_env()))
    assert set(partial) == set(reference) - {str(i) for i in broken}
    assert all(partial[key] == reference[key] for key in partial)
    # Re-running without --retry-failed leaves them failed, and still says so.
    again = run_collect(collect_command(db, sim_url, PLAN, "--rate", "500"), cli_env())
    assert again.returncode == 3, again.stderr
    # --retry-failed fetches them (the server answers now) and exits 0.
    retried = run_collect(
        collect_command(db, sim_url, PLAN, "--rate", "500", "--retry-failed"), cli_env()
    )
    assert retried.returncode == 0, retried.stderr
    assert "Retrying 2 failed ids." in retried.stderr
    assert compare_exports(reference, export_movies(db, tmp_path / "m.json", cli_env())) == []


async def test_a_unit_whose_retries_are_spent_gets_a_later_round(
    db_path: Path, fake_clock: FakeClock
) -> None:
    """Library level: 2 attempts a round; id 2 fails 3 times then answers, id 3 never does."""
    calls: dict[int, int] = {}

    def server(request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/3")
        if path in ("/genre/movie/list", "/configuration"):  # the breaker probes the latter
            return httpx.Response(200, json={"genres": []})
        if path == "/movie/popular":
            results = [{"id": i, "original_language": "en"} for i in (1, 2, 3)]
            return httpx.Response(
                200, json={"page": 1, "results": results, "total_pages": 1, "total_results": 3}
            )
        movie_id = int(path.rsplit("/", 1)[1])
        calls[movie_id] = calls.get(movie_id, 0) + 1
        if movie_id == 3 or (movie_id == 2 and calls[2] <= 3):
            return httpx.Response(503, json={"status_code": 9, "status_message": "offline"})
        return httpx.Response(200, json=movie_body(movie_id))

    plan = Plan(popular_pages=1, genre_pages=0)
    client = mock_client(
        server, fake_clock, key="faults-test-key-0042", max_attempts=2, concurrency=2
    )
    with Store.create_or_open(db_path, plan) as store:
        async with client:
            outcome = await Collector(store, client, plan, concurrency=2).run()
        [(movie_id, status, reason)] = store.failures()
    assert (movie_id, status) == (3, "failed")
    assert "HTTP 503" in reason
    assert outcome.status == "complete"
    assert (outcome.movies, outcome.failed) == (2, 1)
    assert calls == {1: 1, 2: 4, 3: 2 * TRANSIENT_ROUNDS}


# ---- signals --------------------------------------------------------------------------------


def _start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env()
    )


def test_sigterm_pauses_like_ctrl_c_and_the_same_command_resumes(
    sim_url: str, tmp_path: Path, reference: dict[str, Any]
) -> None:
    db = tmp_path / "term.db"
    with held_after(sim_url, 10) as gate:
        process = _start(collect_command(db, sim_url, PLAN, "--rate", "500", *stop_args()))
        gate.wait_stopped()  # 10 movies saved, one request held per worker
        err = pause_stopped(process, gate, signal.SIGTERM)
    assert process.returncode == 130, err
    assert "Pausing" in err
    assert "Run the same command to resume" in err
    assert "Traceback" not in err
    # State is flushed: every movie committed is counted; nothing half-written.
    paused = read_progress(db)
    assert paused is not None
    assert paused.movies == 10 + CONCURRENCY < len(reference)
    assert check_store(db) == []
    status = json.loads(run_cli(["status", "--db", str(db), "--json"]).stdout)
    assert status["ids"]["done"] == paused.movies
    resumed = run_collect(collect_command(db, sim_url, PLAN, "--rate", "500"), cli_env())
    assert resumed.returncode == 0, resumed.stderr
    assert compare_exports(reference, export_movies(db, tmp_path / "m.json", cli_env())) == []


def test_a_second_ctrl_c_exits_at_once_and_the_store_stays_consistent(
    sim_url: str, tmp_path: Path, reference: dict[str, Any]
) -> None:
    db = tmp_path / "twice.db"
    # The requests in flight are held, so a clean pause would wait for them and end with
    # "Paused."; a second Ctrl-C sent as soon as the first one is acknowledged must not wait.
    with (
        held_after(sim_url, 1) as gate,
        _start(collect_command(db, sim_url, PLAN, "--rate", "500", *stop_args())) as process,
    ):
        assert process.stderr is not None
        stderr = Lines(process.stderr)
        gate.wait_stopped()
        process.send_signal(signal.SIGINT)
        stderr.wait_for("Pausing")
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        err = stderr.all()
    assert process.returncode == 130, err
    assert "Stopped. Run the same command to resume." in err
    assert "Paused." not in err  # it did not wait for the pause to land
    assert "Traceback" not in err
    assert check_store(db) == []
    assert movie_count(db) == 1  # the one let through; the held ones were never answered
    status = run_cli(["status", "--db", str(db), "--json"])
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["ids"]["done"] == movie_count(db)
    resumed = run_collect(collect_command(db, sim_url, PLAN, "--rate", "500"), cli_env())
    assert resumed.returncode == 0, resumed.stderr
    assert compare_exports(reference, export_movies(db, tmp_path / "m.json", cli_env())) == []


def test_the_loops_signal_handlers_give_back_the_ones_before() -> None:
    """asyncio alone leaves SIGTERM to the default action after a run (which kills without
    cleanup): the handler the entry point installed must come back, for the export after a
    demo's collection, or a dashboard's shutdown."""
    import asyncio
    import signal

    from tmdb_collector.engine.signals import on_stop_signals

    def entry_points(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    before = signal.signal(signal.SIGTERM, entry_points)
    try:

        async def run() -> None:
            with on_stop_signals(lambda: None):
                assert signal.getsignal(signal.SIGTERM) is not entry_points  # the loop's

        asyncio.run(run())
        assert signal.getsignal(signal.SIGTERM) is entry_points
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGTERM, before)
