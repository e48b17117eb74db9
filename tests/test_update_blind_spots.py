"""Issue 14, point 3: what the changes feed cannot see. ``update --since`` re-reads a longer
window; ``update --ids-from`` queues the ids new in the daily export and marks the vanished ones
``removed``, which export leaves out unless ``--include-removed``."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import sqlite3
from pathlib import Path
from typing import Any

import httpx

from tests.cli_helpers import (
    collect_args,
    export_json,
    one_line_error,
    run_cli,
    simulator,
    update_args,
)
from tmdb_collector.simulator import Catalog

SEED, SIZE = "7", "5000"
PLAN = ["--popular-pages", "5", "--genre-pages", "0"]
DAY0, DAY7 = dt.date(2026, 11, 10), dt.date(2026, 11, 17)


def test_since_reads_a_longer_window_than_the_last_sync(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    with simulator("--catalog-size", SIZE, "--seed", SEED, "--today", DAY7.isoformat()) as sim:
        assert run_cli(collect_args(db, sim.base_url, *PLAN)).returncode == 0
        with sqlite3.connect(db) as connection:
            collected = {row[0] for row in connection.execute("SELECT id FROM items")}
        expected = set(Catalog(int(SIZE), int(SEED), DAY7).changed_ids(DAY0, DAY7)) & collected
        assert len(expected) > len(
            set(Catalog(int(SIZE), int(SEED), DAY7).changed_ids(DAY7, DAY7)) & collected
        )
        plain = run_cli(update_args(db, sim.base_url))
        assert f"Changes {DAY7}..{DAY7}" in plain.stdout
        longer = run_cli(update_args(db, sim.base_url, "--since", DAY0.isoformat()))
        assert longer.returncode == 0, longer.stderr
        assert f"Changes {DAY0}..{DAY7}" in longer.stdout
        assert f"{len(expected):,} collected movies refetched" in longer.stdout
        future = run_cli(update_args(db, sim.base_url, "--since", "2026-12-01"))
    assert future.returncode == 2
    assert one_line_error(future) == "error: --since 2026-12-01 is after TMDB's today (2026-11-17)"
    bad = run_cli(update_args(db, "http://127.0.0.1:9/3", "--since", "last week"))
    assert bad.returncode == 2
    assert "--since" in one_line_error(bad)


def write_export(path: Path, lines: list[dict[str, Any]]) -> str:
    path.write_bytes(gzip.compress("".join(json.dumps(e) + "\n" for e in lines).encode()))
    return str(path)


def exported_ids(db: Path, out: Path, *extra: str) -> set[int]:
    if not extra:
        return {int(k) for k in export_json(db, out)}
    args = ["export", "--db", str(db), "--format", "jsonl", "--out", str(out), *extra]
    assert run_cli(args).returncode == 0
    return {json.loads(line)["id"] for line in out.read_text().splitlines()}


def test_ids_from_adds_new_ids_and_marks_vanished_ones_removed(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    with simulator("--catalog-size", "400", "--seed", SEED) as sim:
        url = f"{sim.root_url}/p/exports/movie_ids_11_24_2026.json.gz"
        lines = [json.loads(x) for x in gzip.decompress(httpx.get(url).content).splitlines()]
        kept = [e["id"] for e in lines if not e["adult"] and not e["video"]]
        new, gone = set(kept[:40]), set(kept[100:130])  # of ~390
        older = write_export(tmp_path / "old.json.gz", [e for e in lines if e["id"] not in new])
        first = run_cli(collect_args(db, sim.base_url, "--ids-from", older, rate="1000"))
        assert first.returncode == 0, first.stderr
        assert exported_ids(db, tmp_path / "a.json") == set(kept) - new

        latest = write_export(tmp_path / "new.json.gz", [e for e in lines if e["id"] not in gone])
        update = run_cli(update_args(db, sim.base_url, "--ids-from", latest))
        assert update.returncode == 0, update.stderr
        assert "Daily export: 40 new ids queued, 30 ids marked removed, 0 listed again." in (
            update.stdout
        )
        assert exported_ids(db, tmp_path / "b.json") == set(kept) - gone
        assert exported_ids(db, tmp_path / "b.jsonl", "--include-removed") == set(kept)
        status = json.loads(run_cli(["status", "--db", str(db), "--json"]).stdout)
        assert status["ids"]["removed"] == 30
        assert "30 removed" in run_cli(["status", "--db", str(db)]).stdout

        whole = write_export(tmp_path / "all.json.gz", lines)
        back = run_cli(update_args(db, sim.base_url, "--ids-from", whole))
        assert "Daily export: 0 new ids queued, 0 ids marked removed, 30 listed again." in (
            back.stdout
        )
    assert exported_ids(db, tmp_path / "c.json") == set(kept)
    status = json.loads(run_cli(["status", "--db", str(db), "--json"]).stdout)
    assert status["ids"]["removed"] == 0


def test_ids_from_on_a_harvested_collection_marks_removed_but_adds_nothing(
    tmp_path: Path,
) -> None:
    db = tmp_path / "c.db"
    with simulator("--catalog-size", SIZE, "--seed", SEED) as sim:
        assert run_cli(collect_args(db, sim.base_url, *PLAN)).returncode == 0
        collected = exported_ids(db, tmp_path / "a.json")
        gone = set(sorted(collected)[:5])
        listed = [{"id": i, "adult": False, "video": False, "popularity": 1.0} for i in range(1, 9)]
        listed += [{"id": i, "adult": False, "video": False, "popularity": 9.0} for i in collected]
        latest = write_export(tmp_path / "x.json.gz", [e for e in listed if e["id"] not in gone])
        update = run_cli(update_args(db, sim.base_url, "--ids-from", latest))
    assert "Daily export: 0 new ids queued, 5 ids marked removed" in update.stdout
    assert "`collect --reharvest` finds this one's." in update.stderr
    assert exported_ids(db, tmp_path / "b.json") == collected - gone


async def test_the_summarys_time_covers_the_changes_feed_too(
    small_collection: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """The elapsed time (and so the rate) of `update`'s summary counts from the run's first
    request, the changes feed's, not from the refetch after it: with update's clock moved
    1,000 s back, the outcome reports at least 1,000 s."""
    import time
    import types

    from tmdb_collector.credentials import Credentials
    from tmdb_collector.engine import update as update_module
    from tmdb_collector.fetch.client import TMDBClient
    from tmdb_collector.fetch.settings import ClientSettings
    from tmdb_collector.store.store import Store

    db = tmp_path / "c.db"
    db.write_bytes(small_collection.db.read_bytes())
    clock = types.SimpleNamespace(monotonic=lambda: time.monotonic() - 1000)
    monkeypatch.setattr(update_module, "time", clock)
    settings = ClientSettings(base_url=small_collection.base_url, rate=1000, concurrency=2)
    with Store.open_existing(db) as store:
        async with TMDBClient(settings, Credentials(api_key="update-clock-key-7")) as client:
            result = await update_module.run_update(store, client, concurrency=2)
    assert result.run.status in ("complete", "nothing-to-do")
    assert result.run.requests > 0
    assert result.run.elapsed >= 1000
