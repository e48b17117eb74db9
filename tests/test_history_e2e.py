"""Issue 23 end to end, through the CLI against the simulator on successive simulated days:
collect on day D, ``update --refresh-parts watch/providers`` on D+7 and D+14; the part
versions, the ``availability`` table and ``tmdb-collector availability`` must tell exactly
what the simulated TMDB offered on each of those days."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.cli_helpers import (
    collect_args,
    kill,
    one_line_error,
    run_cli,
    sim_stats,
    simulator,
    start_cli,
    update_args,
)
from tests.support.hold import held_after, stop_args
from tmdb_collector.history.availability import offers
from tmdb_collector.simulator import Catalog
from tmdb_collector.simulator.catalog import DEFAULT_TODAY
from tmdb_collector.simulator.hold import PARTS
from tmdb_collector.simulator.render import movie_part

SEED, SIZE = 7, 3000
PLAN = ["--popular-pages", "30", "--genre-pages", "0", "--parts", "watch/providers,credits"]
DAYS = [DEFAULT_TODAY + dt.timedelta(days=n) for n in (0, 7, 14)]
REFRESH = ["--refresh-parts", "watch/providers"]
Key = tuple[int, str, int, str]  # title, country, provider, offer type


def sim_args(day: dt.date) -> list[str]:
    return ["--catalog-size", str(SIZE), "--seed", str(SEED), "--today", day.isoformat()]


def offered(ids: list[int], day: dt.date) -> dict[Key, str]:
    """What the simulator's own schedule offers on ``day``: its watch providers bodies."""
    catalog = Catalog(SIZE, SEED, day)
    found: dict[Key, str] = {}
    for title_id in ids:
        body = movie_part(catalog, "watch/providers", title_id)
        if body is None:  # deleted from the catalogue
            continue
        for (country, provider, offer), name in offers(json.dumps(body).encode()).items():
            found[(title_id, country, provider, offer)] = name
    return found


def expected_intervals(ids: list[int]) -> set[tuple[Any, ...]]:
    """Offer intervals as observed on DAYS: from the first day seen to the first day gone."""
    seen = [offered(ids, day) for day in DAYS]
    rows = set()
    for key in set().union(*seen):
        start: dt.date | None = None
        for day, held in zip(DAYS, seen, strict=True):
            if key in held and start is None:
                start = day
            elif key not in held and start is not None:
                rows.add((*key, start, day))
                start = None
        if start is not None:
            rows.add((*key, start, None))
    return rows


def held_ids(db: Path) -> list[int]:
    with sqlite3.connect(db) as connection:
        return [row[0] for row in connection.execute("SELECT id FROM items ORDER BY id")]


def collect_three_days(db: Path) -> None:
    with simulator(*sim_args(DAYS[0])) as sim:
        result = run_cli(collect_args(db, sim.base_url, *PLAN))
        assert result.returncode == 0, result.stderr
    for day in DAYS[1:]:
        with simulator(*sim_args(day)) as sim:
            result = run_cli(update_args(db, sim.base_url, *REFRESH))
            assert result.returncode == 0, result.stderr
            held = len(held_ids(db))
            assert f"refetched for {held:,} held movies" in result.stdout
            # one request per title, and the run's first (the genre list); no feed read
            assert sim_stats(sim)["requests"] == held + 1


@pytest.fixture(scope="module")
def three_days(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("history") / "c.db"
    collect_three_days(db)
    return db


def test_the_world_moves_outside_the_changes_feed() -> None:
    ids = list(Catalog(SIZE, SEED, DAYS[0]).cols.ids[:600])
    before, after = offered(ids, DAYS[0]), offered(ids, DAYS[1])
    moved = {key[0] for key in set(before) ^ set(after)}
    assert 0.01 * len(ids) < len(moved) < 0.10 * len(ids)  # a few percent a week
    feed = set(Catalog(SIZE, SEED, DAYS[1]).changed_ids(DAYS[0], DAYS[1]))
    assert moved - feed  # most moves are not in /movie/changes
    assert offered(ids, DAYS[1]) == after  # deterministic for a seed and day


def test_availability_table_matches_the_simulated_days(three_days: Path, tmp_path: Path) -> None:
    out = tmp_path / "tables"
    result = run_cli(["export", "--db", str(three_days), "--format", "parquet", "--out", str(out)])
    assert result.returncode == 0, result.stderr
    table = pq.read_table(out / "availability.parquet")
    assert str(table.schema.field("available_from").type) == "date32[day]"
    rows = {
        (
            r["title_id"],
            r["country"],
            r["provider_id"],
            r["offer_type"],
            r["available_from"],
            r["available_to"],
        )
        for r in table.to_pylist()
    }
    expected = expected_intervals(held_ids(three_days))
    assert rows == expected
    assert any(row[5] is not None for row in rows)
    assert any(row[4] > DAYS[0] for row in rows)
    versions = pq.read_table(out / "part_versions.parquet").to_pylist()
    assert {v["part"] for v in versions} == {"watch/providers"}  # only that part changed
    # Built alone, it parses every version; beside watch_providers, it takes each title's
    # current version from that table's batch (export/availability_table.py): the same rows.
    alone = tmp_path / "alone"
    args = ["export", "--db", str(three_days), "--format", "parquet", "--out", str(alone)]
    result = run_cli([*args, "--tables", "availability"])
    assert result.returncode == 0, result.stderr
    assert pq.read_table(alone / "availability.parquet").equals(table)
    assert {v["fetched_on"] for v in versions} <= set(DAYS)


def test_unchanged_parts_add_no_version(three_days: Path) -> None:
    ids = held_ids(three_days)
    seen = [offered(ids, day) for day in DAYS]
    changed = sum(
        1
        for before, after in itertools.pairwise(seen)
        for title in ids
        if {k for k in before if k[0] == title} != {k for k in after if k[0] == title}
    )
    with sqlite3.connect(three_days) as connection:
        kept = connection.execute(
            "SELECT COUNT(*) FROM part_versions WHERE body IS NOT NULL"
        ).fetchone()[0]
    assert kept == changed > 0


def test_availability_command_lists_arrivals_and_departures(three_days: Path) -> None:
    ids = held_ids(three_days)
    seen = [offered(ids, day) for day in DAYS]
    expected = set()
    for day, before, after in zip(DAYS[1:], seen, seen[1:], strict=False):
        for key in set(before) | set(after):
            if key[1] != "US" or (key in before) == (key in after):
                continue
            expected.add((key[0], key[2], key[3], "arrived" if key in after else "left", day))
    args = ["availability", "--db", str(three_days), "--country", "us", "--json"]
    result = run_cli(args)
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    got = {
        (
            e["title_id"],
            e["provider_id"],
            e["offer_type"],
            e["event"],
            dt.date.fromisoformat(e["date"]),
        )
        for e in events
    }
    assert got == expected
    assert expected
    assert set(events[0]) == {
        "title_id",
        "title",
        "provider_id",
        "provider_name",
        "offer_type",
        "event",
        "date",
    }
    since = run_cli([*args, "--since", DAYS[2].isoformat()])
    later = {tuple(json.loads(line).values())[-1] for line in since.stdout.splitlines()}
    assert later == {e[4].isoformat() for e in expected if e[4] >= DAYS[2]} != set()
    name = events[0]["provider_name"]
    by_name = run_cli([*args, "--provider", name.upper()])
    assert by_name.returncode == 0
    assert {json.loads(line)["provider_name"] for line in by_name.stdout.splitlines()} == {name}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["availability", "--country", "ZZ"], "--country ZZ: no title of this collection"),
        (["availability", "--country", "US", "--provider", "Nope"], "--provider Nope: not a"),
    ],
)
def test_bad_availability_input(three_days: Path, args: list[str], message: str) -> None:
    result = run_cli([args[0], "--db", str(three_days), *args[1:]])
    assert result.returncode == 2
    assert message in one_line_error(result)


def test_refresh_parts_with_a_part_not_held_writes_nothing(three_days: Path) -> None:
    before = three_days.read_bytes()
    result = run_cli(update_args(three_days, "http://127.0.0.1:9/3", "--refresh-parts", "videos"))
    assert result.returncode == 2
    assert one_line_error(result).startswith(
        "error: --refresh-parts videos: not a part this collection holds"
    )
    assert three_days.read_bytes() == before


def test_a_kill_during_update_leaves_whole_versions_and_resumes(tmp_path: Path) -> None:
    """Killed part way through a refresh, the store holds whole versions only (each past
    version followed by the current one), and the same command finishes the rest alone."""
    db, reference = tmp_path / "k.db", tmp_path / "r.db"
    for path in (db, reference):
        with simulator(*sim_args(DAYS[0])) as sim:
            assert run_cli(collect_args(path, sim.base_url, *PLAN)).returncode == 0
    with simulator(*sim_args(DAYS[1])) as sim:
        assert run_cli(update_args(reference, sim.base_url, *REFRESH)).returncode == 0
        # Each refreshed title is one watch/providers request: stop after exactly 3.
        with held_after(sim.base_url, 3, PARTS) as gate:
            process = start_cli(update_args(db, sim.base_url, *REFRESH, *stop_args()))
            gate.wait_stopped()
            kill(process)
        done_before = refreshed_so_far(db)
        requests_before = sim_stats(sim)["requests"]
        resumed = run_cli(update_args(db, sim.base_url, *REFRESH))
        assert resumed.returncode == 0, resumed.stderr
        again = sim_stats(sim)["requests"] - requests_before
    held = len(held_ids(db))
    assert done_before == 3 < held  # killed part way
    assert again == held - done_before + 1  # resumed: only the rest asked, and the probe
    assert version_table(db) == version_table(reference)


def refreshed_so_far(db: Path) -> int:
    """Titles a refresh under way has done (0 before it starts or once it is over)."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as connection:
            under_way, done = connection.execute(
                "SELECT (SELECT COUNT(*) FROM meta WHERE key = 'refresh_parts'),"
                " (SELECT COUNT(*) FROM ids WHERE status = 'done')"
            ).fetchone()
    except sqlite3.Error:
        return 0
    return int(done) if under_way else 0


def version_table(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT item_id, part, fetched_on, body IS NULL FROM part_versions"
            " ORDER BY item_id, part, fetched_on"
        ).fetchall()
    by_part: dict[tuple[int, str], list[bool]] = {}
    for item_id, part, _, marker in rows:
        by_part.setdefault((item_id, part), []).append(bool(marker))
    for markers in by_part.values():
        assert markers[-1], "a past version without the current one after it"
    return rows


def test_export_as_of_reproduces_each_days_parts(three_days: Path, tmp_path: Path) -> None:
    ids = held_ids(three_days)
    for day in DAYS:
        out = tmp_path / f"{day}.json"
        args = ["export", "--db", str(three_days), "--as-of", day.isoformat(), "--out", str(out)]
        result = run_cli(args)
        assert result.returncode == 0, result.stderr
        movies = json.loads(out.read_text(encoding="utf-8"))
        assert sorted(int(key) for key in movies) == ids
        catalog = Catalog(SIZE, SEED, day)
        for key, movie in movies.items():
            body = movie_part(catalog, "watch/providers", int(key))
            assert movie["watch/providers"] == {"id": int(key), **(body or {})}, (key, day)
    latest = tmp_path / "now.json"
    assert run_cli(["export", "--db", str(three_days), "--out", str(latest)]).returncode == 0
    assert latest.read_bytes() == (tmp_path / f"{DAYS[2]}.json").read_bytes()
    tables = tmp_path / "t"
    old = ["export", "--db", str(three_days), "--format", "csv", "--out", str(tables)]
    assert run_cli([*old, "--as-of", DAYS[0].isoformat()]).returncode == 0
    assert "2026-12-01" not in (tables / "watch_providers.csv").read_text()


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (DAYS[0] - dt.timedelta(days=1), "is before the collection began (2026-11-24)"),
        (dt.date(2099, 1, 1), "2099-01-01 is in the future"),
    ],
)
def test_as_of_out_of_range_writes_nothing(
    three_days: Path, tmp_path: Path, day: dt.date, message: str
) -> None:
    out = tmp_path / "x.json"
    result = run_cli(["export", "--db", str(three_days), "--as-of", str(day), "--out", str(out)])
    assert result.returncode == 2
    assert message in one_line_error(result)
    assert not out.exists()
    assert not list(three_days.parent.glob(".as-of-*"))
