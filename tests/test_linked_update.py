"""`update` on a later simulated day refetches the held people `/person/changes` lists, and
`--max-age` the collections (which have no changes feed); a refetch keeps the part versions of
a linked entity as of a title (#23)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import AbstractContextManager
from pathlib import Path

import httpx

from tests.cli_helpers import TEST_KEY, collect_args, run_cli, update_args
from tmdb_collector.simulator import RunningSimulator, SimulatorConfig, running_simulator

DAY0, DAY7 = dt.date(2026, 11, 10), dt.date(2026, 11, 17)
PLAN = ["--popular-pages", "2", "--genre-pages", "1", "--genres", "28,35"]


def simulator(today: dt.date) -> AbstractContextManager[RunningSimulator]:
    """A small catalogue (the people index is built over every movie and series)."""
    config = SimulatorConfig(catalog_size=2000, tv_catalog_size=300, seed=7, today=today)
    return running_simulator(config)


def fetched(db: Path, entity: str) -> dict[int, dt.date]:
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "SELECT id, fetched_at FROM linked_ids WHERE entity = ? AND fetched_at IS NOT NULL",
            (entity,),
        ).fetchall()
    return {item_id: dt.datetime.fromisoformat(when).date() for item_id, when in rows}


def versions(db: Path, entity: str) -> tuple[dict[int, str], dict[int, set[str]]]:
    """Each entity's first day in ``part_versions``, and the parts it kept a past body of."""
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "SELECT item_id, part, fetched_on, body IS NOT NULL FROM part_versions"
            " WHERE entity = ?",
            (entity,),
        ).fetchall()
    first: dict[int, str] = {}
    kept: dict[int, set[str]] = {}
    for item_id, part, day, past in rows:
        first[item_id] = min(day, first.get(item_id, day))
        if past:
            kept.setdefault(item_id, set()).add(part)
    return first, kept


def person_changes(base_url: str, start: dt.date, end: dt.date) -> set[int]:
    found: set[int] = set()
    page, pages = 1, 1
    with httpx.Client(base_url=base_url + "/", params={"api_key": TEST_KEY}) as http:
        while page <= pages:
            params = {"start_date": start.isoformat(), "end_date": end.isoformat(), "page": page}
            body = http.get("person/changes", params=params).json()
            found.update(entry["id"] for entry in body["results"])
            pages = body["total_pages"]
            page += 1
    return found


def test_update_refetches_the_changed_people_and_max_age_the_collections(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    linked = ["--linked", "people,collections", "--linked-cast", "3", "--linked-crew", "none"]
    with simulator(DAY0) as sim:
        first = run_cli(collect_args(db, sim.base_url, *PLAN, *linked, rate="1000"))
        assert first.returncode == 0, first.stderr
    people = fetched(db, "person")
    collections = fetched(db, "collection")
    assert people
    assert collections
    assert set(people.values()) == set(collections.values()) == {DAY0}

    with simulator(DAY7) as sim:
        expected = person_changes(sim.base_url, DAY0, DAY7) & set(people)
        update = run_cli(update_args(db, sim.base_url))
        assert update.returncode == 0, update.stderr
    assert 0 < len(expected) < len(people)
    after = fetched(db, "person")
    assert {i for i in people if after[i] == DAY7} == expected
    assert set(fetched(db, "collection").values()) == {DAY0}  # no feed: not refetched
    first, kept = versions(db, "person")
    assert first == {i: DAY0.isoformat() for i in people}  # the day each entered
    assert kept  # the refetched people whose bodies changed kept their earlier ones
    assert set(kept) <= expected

    later = DAY7 + dt.timedelta(days=3)
    with simulator(later) as sim:
        aged = run_cli(update_args(db, sim.base_url, "--max-age", "2"))
    assert aged.returncode == 0, aged.stderr
    assert set(fetched(db, "collection").values()) == {later}
    assert versions(db, "collection")[0] == {i: DAY0.isoformat() for i in collections}
    assert set(fetched(db, "person").values()) == {later}
