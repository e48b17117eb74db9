"""``--progress json``: one JSON object per line on stderr, from start to finish."""

from __future__ import annotations

import io
import json
import queue
import shutil
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli_helpers import SMALL_PLAN, collect_args, run_cli, start_cli
from tests.conftest import TINY_PLAN, FakeClock, SmallCollection
from tests.httpx_wire import mock_client
from tests.support.hold import held_after, stop_args
from tests.support.outage import OutageProxy
from tmdb_collector.engine.collector import Collector
from tmdb_collector.engine.events import ProgressEvents
from tmdb_collector.engine.run_progress import RunProgress
from tmdb_collector.media import MOVIE
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store


def events_of(stderr: str) -> list[dict[str, Any]]:
    """Every stderr line must be one JSON object with an event name and a time."""
    events = [json.loads(line) for line in stderr.splitlines()]
    for event in events:
        assert isinstance(event, dict)
        assert {"event", "time"} <= set(event)
    return events


def names(events: list[dict[str, Any]]) -> list[str]:
    return [event["event"] for event in events]


def test_stage_changes_periodic_counters_outages_and_finish(fake_clock: FakeClock) -> None:
    out = io.StringIO()
    reporter = ProgressEvents("collect", out, clock=fake_clock.monotonic, interval=5.0)
    progress = RunProgress(MOVIE)
    progress.start()
    reporter.start()
    progress.stages["popular"].total = 2
    reporter.observe(progress.snapshot())  # stage popular, first counters
    fake_clock.now += 1
    progress.stages["popular"].done = 1
    reporter.observe(progress.snapshot())  # nothing due yet
    fake_clock.now += 4
    reporter.observe({**progress.snapshot(), "outage": {"since": "10:00:00", "reason": "503"}})
    fake_clock.now += 1
    reporter.observe({**progress.snapshot(), "outage": {"since": "10:00:00", "elapsed": 61.0}})
    progress.stages["popular"].done = 2
    progress.stages["details"].total = 3
    reporter.observe(progress.snapshot())  # outage over; stage details
    reporter.finish(3)
    events = events_of(out.getvalue())
    assert names(events) == [
        "start",
        "stage",
        "progress",
        "outage_start",
        "progress",
        "stage",
        "outage_end",
        "finish",
    ]
    assert [e["stage"] for e in events if e["event"] == "stage"] == ["popular", "details"]
    assert events[3]["reason"] == "503"
    assert events[6]["after_seconds"] == 61.0
    assert events[4]["stages"]["popular"] == {"done": 1, "total": 2}
    assert events[-1]["exit_code"] == 3
    assert events[-1]["status"] == "finished-with-failures"
    assert events[-1]["stages"]["details"] == {"done": 0, "total": 3}
    reporter.finish(0)  # only one finish, ever
    assert out.getvalue().count('"finish"') == 1


def test_collect_progress_json_from_start_to_finish(
    small_collection: SmallCollection, tmp_path: Any
) -> None:
    db = tmp_path / "c.db"
    result = run_cli(
        [*collect_args(db, small_collection.base_url, *TINY_PLAN), "--progress", "json"]
    )
    assert result.returncode == 0, result.stderr
    events = events_of(result.stderr)
    assert events[0] == {**events[0], "event": "start", "command": "collect"}
    stages = [e["stage"] for e in events if e["event"] == "stage"]
    order = ["popular", "discover", "details", "done"]  # a fast stage may pass between polls
    assert stages == sorted(set(stages), key=order.index)
    assert (stages[0], stages[-1]) == ("popular", "done")
    final = events[-1]
    assert final["event"] == "finish"
    assert (final["exit_code"], final["status"]) == (0, "complete")
    assert final["movies"] > 20
    assert final["stages"]["details"]["done"] == final["stages"]["details"]["total"]
    assert "movies collected" in result.stdout  # stdout keeps the human summary


def test_a_failing_run_ends_with_a_finish_event_and_nothing_else(
    small_collection: SmallCollection, tmp_path: Any
) -> None:
    db = tmp_path / "copy.db"
    shutil.copyfile(small_collection.db, db)
    other_plan = ["--popular-pages", "3", "--genre-pages", "1", "--genres", "28"]
    result = run_cli(
        [*collect_args(db, small_collection.base_url, *other_plan), "--progress", "json"]
    )
    assert result.returncode == 2
    events = events_of(result.stderr)
    assert names(events) == ["start", "finish"]
    final = events[-1]
    assert (final["exit_code"], final["status"]) == (2, "usage-error")
    assert "different plan" in final["error"]


@pytest.mark.parametrize("command", ["collect", "update"])
def test_progress_json_is_offered_by_collect_and_update(command: str) -> None:
    result = run_cli([command, "--help"])
    assert "--progress [auto|plain|json]" in result.stdout


def test_update_progress_json(small_collection: SmallCollection, tmp_path: Any) -> None:
    db = tmp_path / "copy.db"
    shutil.copyfile(small_collection.db, db)
    result = run_cli(
        [
            "update",
            "--db",
            str(db),
            "--base-url",
            small_collection.base_url,
            "--no-progress",
            "--progress",
            "json",
        ]
    )
    assert result.returncode == 0, result.stderr
    events = events_of(result.stderr)
    assert events[0]["event"] == "start"
    assert events[0]["command"] == "update"
    assert "progress" in names(events)
    assert (events[-1]["event"], events[-1]["exit_code"]) == ("finish", 0)


def test_an_outage_is_bracketed_by_outage_start_and_outage_end(
    sim_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "quick-probes.toml"
    config.write_text("[client]\nmax_attempts = 2\nprobe_initial = 0.2\nprobe_max = 0.5\n")
    db = tmp_path / "outage.db"
    proxy = OutageProxy(sim_url.removesuffix("/3"))
    try:
        args = collect_args(db, proxy.base_url, *SMALL_PLAN, "--config", str(config))
        with held_after(sim_url, 20) as gate:
            process = start_cli([*args, "--progress", "json", *stop_args()])
            lines: queue.Queue[str] = queue.Queue()
            assert process.stderr is not None
            stderr = process.stderr
            reader = threading.Thread(target=lambda: [lines.put(x) for x in stderr], daemon=True)
            reader.start()
            gate.wait_stopped()  # 20 movies in; the requests in flight land after this
            proxy.refuse()
        seen = [json.loads(lines.get(timeout=120))]
        while seen[-1]["event"] != "outage_start":
            seen.append(json.loads(lines.get(timeout=120)))
        proxy.restore()
        while seen[-1]["event"] != "finish":
            seen.append(json.loads(lines.get(timeout=120)))
        process.wait(timeout=120)
        reader.join(timeout=120)
    finally:
        proxy.close()
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
    assert process.returncode == 0
    order = names(seen)
    assert order.index("outage_start") < order.index("outage_end") < order.index("finish")
    assert "connection refused" in seen[order.index("outage_start")]["reason"]
    assert seen[-1]["exit_code"] == 0


async def test_the_finish_of_an_unreachable_run_counts_its_requests(
    db_path: Path, fake_clock: FakeClock
) -> None:
    """A run that never reached TMDB still made requests (its first one, retried, and the
    outage probes): the finish counters say how many, not 0."""
    attempts: list[str] = []

    def unreachable(request: httpx.Request) -> httpx.Response:
        attempts.append(request.url.path)
        raise httpx.ConnectError("connection refused")

    client = mock_client(
        unreachable,
        fake_clock,
        key="unreachable-test-key-01",
        max_attempts=2,
        concurrency=2,
        give_up_after=5,
    )
    plan = Plan(popular_pages=1, genre_pages=0)
    with Store.create_or_open(db_path, plan) as store:
        async with client:
            collector = Collector(store, client, plan, concurrency=2)
            outcome = await collector.run()
    assert outcome.status == "failed"
    counters = collector.progress.snapshot()
    assert counters["requests"] == client.stats.requests > 0
    assert counters["errors"] > 0
