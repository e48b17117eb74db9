"""The linked stage through the CLI against the simulator: ``collect --linked`` fetches every
entity the titles name once, a rerun sends no request, and bad input writes nothing."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.cli_helpers import SMALL_PLAN, collect_args, kill, run_cli, start_cli
from tests.support.hold import held_after, stop_args
from tmdb_collector.api import Collection
from tmdb_collector.media.links import PeopleBound, credited
from tmdb_collector.simulator import RunningSimulator, SimulatorConfig, running_simulator
from tmdb_collector.store.store import Store

PLAN = ["--popular-pages", "2", "--genre-pages", "1", "--genres", "28,35"]


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    with running_simulator(SimulatorConfig(catalog_size=1500, tv_catalog_size=400)) as running:
        yield running


def _named(db: Path, bound: PeopleBound) -> dict[str, set[int]]:
    """What the held titles name, read straight from their bodies."""
    named: dict[str, set[int]] = {"person": set(), "collection": set(), "company": set()}
    with Store.open_existing(db) as store:
        for _, details, (credits,) in store.iter_items(("credits",)):
            body = json.loads(details)
            named["person"].update(credited(json.loads(credits), bound))
            if body.get("belongs_to_collection"):
                named["collection"].add(body["belongs_to_collection"]["id"])
            named["company"].update(c["id"] for c in body["production_companies"])
    return named


def _held(db: Path) -> dict[str, list[int]]:
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "SELECT entity, id FROM linked_ids WHERE fetched_at IS NOT NULL ORDER BY entity, id"
        ).fetchall()
    held: dict[str, list[int]] = {}
    for entity, item_id in rows:
        held.setdefault(entity, []).append(item_id)
    return held


def test_linked_people_collections_companies(sim: RunningSimulator, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    args = [*PLAN, "--linked", "people,collections,companies", "--linked-cast", "3"]
    args += ["--linked-crew", "Directing"]
    done = run_cli(collect_args(db, sim.base_url, *args, rate="1000"), timeout=300)
    assert done.returncode == 0, done.stderr
    named = _named(db, PeopleBound(cast=3, crew=frozenset({"Directing"})))
    held = _held(db)
    for entity, ids in named.items():
        assert held.get(entity) == sorted(ids), entity
    assert named["collection"]
    assert named["company"]
    assert named["person"]
    with sqlite3.connect(db) as con:
        statuses = dict(con.execute("SELECT status, COUNT(*) FROM linked_ids GROUP BY 1"))
    assert statuses == {"done": sum(len(ids) for ids in named.values())}
    status = run_cli(["status", "--db", str(db)]).stdout
    assert f"{len(named['person'])} people held" in status
    # A rerun of the finished collection sends no request.
    again = run_cli(collect_args(db, sim.base_url, *args, rate="1000"), timeout=300)
    assert again.returncode == 0, again.stderr
    assert "nothing to fetch" in again.stdout
    out = tmp_path / "people.json"
    export = ["export", "--db", str(db), "--entity", "people", "--out", str(out)]
    assert run_cli(export).returncode == 0
    people = json.loads(out.read_text(encoding="utf-8"))
    assert [int(key) for key in people] == held["person"]
    first = people[str(held["person"][0])]
    assert set(first) == {"id", "details", "combined_credits", "external_ids"}
    assert first["details"]["id"] == held["person"][0]
    _check_tables(db, tmp_path, people)
    with Collection.open(db) as collection:  # the Python API reads the same records
        assert list(collection.linked("people")) == list(people.values())
    networks = ["export", "--db", str(db), "--entity", "networks", "--out", str(tmp_path / "n")]
    refused = run_cli(networks)
    assert refused.returncode == 2
    assert "accepted values: people, collections, companies" in refused.stderr
    assert not (tmp_path / "n").exists()
    over_db = run_cli(["export", "--db", str(db), "--entity", "people", "--out", str(db)])
    assert over_db.returncode == 2
    assert "would overwrite the collection's database" in over_db.stderr


def _check_tables(db: Path, tmp_path: Path, people: dict[str, Any]) -> None:
    """The entity tables in the table exports match the raw bodies row for row."""
    for fmt in ("parquet", "duckdb"):
        done = run_cli(["export", "--db", str(db), "--format", fmt, "--out", str(tmp_path / fmt)])
        assert done.returncode == 0, done.stderr
    folder = tmp_path / "parquet"
    assert {"people", "person_credits", "collections", "collection_parts", "companies"} <= {
        path.stem for path in folder.glob("*.parquet")
    }
    rows = pq.read_table(folder / "people.parquet").to_pylist()
    assert [(row["id"], row["name"]) for row in rows] == [
        (int(key), record["details"]["name"]) for key, record in people.items()
    ]
    credits = pq.read_table(folder / "person_credits.parquet")
    expected = sum(
        len(record["combined_credits"]["cast"]) + len(record["combined_credits"]["crew"])
        for record in people.values()
    )
    assert credits.num_rows == expected
    with duckdb.connect(str(tmp_path / "duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM people").fetchone() == (len(people),)


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        (["--linked", "actors"], "accepted values are people, collections, companies, networks"),
        (["--linked", "networks"], "accepted values here: people, collections, companies, all"),
        (["--linked", "people", "--person-parts", "bio"], "valid parts are combined_credits"),
        (["--linked", "people", "--parts", "keywords"], "add it to --parts"),
    ],
)
def test_bad_linked_input_writes_nothing(
    sim: RunningSimulator, tmp_path: Path, extra: list[str], says: str
) -> None:
    db = tmp_path / "c.db"
    done = run_cli(collect_args(db, sim.base_url, *SMALL_PLAN, *extra))
    assert done.returncode == 2
    assert says in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not db.exists()


def _linked_saved(db: Path) -> int:
    try:
        with sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=5) as con:
            return int(
                con.execute(
                    "SELECT COUNT(*) FROM linked_ids WHERE fetched_at IS NOT NULL"
                ).fetchone()[0]
            )
    except sqlite3.Error:
        return 0  # not created yet


def test_a_kill_in_the_linked_stage_loses_nothing_and_a_rerun_goes_on(
    sim: RunningSimulator, tmp_path: Path
) -> None:
    db = tmp_path / "c.db"
    titles = run_cli(collect_args(db, sim.base_url, *PLAN, rate="1000"))
    assert titles.returncode == 0, titles.stderr
    # Only entities are left to fetch: stop the linked stage after exactly 20 of them.
    with held_after(sim.base_url, 20) as gate:
        child = start_cli(collect_args(db, sim.base_url, *PLAN, "--linked", "all", *stop_args()))
        try:
            gate.wait_stopped()
        finally:
            kill(child)
    killed_at = _linked_saved(db)
    assert killed_at == 20
    rerun = collect_args(db, sim.base_url, *PLAN, "--linked", "all", rate="1000")
    done = run_cli([arg for arg in rerun if arg != "--no-progress"] + ["--progress", "json"])
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stderr.splitlines()]
    assert "linked" in [event.get("stage") for event in events if event["event"] == "stage"]
    linked = events[-1]["stages"]["linked"]
    assert linked["done"] == linked["total"] > killed_at
    named = _named(db, PeopleBound())
    held = _held(db)
    assert killed_at < sum(len(ids) for ids in named.values())
    for entity, ids in named.items():
        assert held.get(entity) == sorted(ids), entity
    with sqlite3.connect(db) as con:
        # each entity was saved once: one attempt recorded, none fetched twice across the kill
        assert con.execute("SELECT MAX(attempts), MIN(status) FROM linked_ids").fetchone() == (
            1,
            "done",
        )


def test_a_series_collection_links_networks(sim: RunningSimulator, tmp_path: Path) -> None:
    db = tmp_path / "tv.db"
    args = ["--media", "tv", "--popular-pages", "1", "--genre-pages", "0", "--linked", "networks"]
    done = run_cli(collect_args(db, sim.base_url, *args, rate="1000"))
    assert done.returncode == 0, done.stderr
    named: set[int] = set()
    with Store.open_existing(db) as store:
        for _, details, _ in store.iter_items(()):
            named.update(network["id"] for network in json.loads(details)["networks"])
    assert named
    assert _held(db) == {"network": sorted(named)}
    out = tmp_path / "parquet"
    assert (
        run_cli(["export", "--db", str(db), "--format", "parquet", "--out", str(out)]).returncode
        == 0
    )
    # the series' own networks table keeps its name; the entities' is linked_networks
    assert pq.read_table(out / "networks.parquet").column_names[0] == "series_id"
    assert sorted(
        pq.read_table(out / "linked_networks.parquet").column("id").to_pylist()
    ) == sorted(named)
