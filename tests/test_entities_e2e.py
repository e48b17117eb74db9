"""Whole catalogues of an entity through the CLI: ``collect --media person --ids-from
person_ids_MM_DD_YYYY.json.gz`` (and collection, company, network) against the simulator,
then every export format."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.cli_helpers import collect_args, run_cli, update_args
from tests.support.store import raw_items
from tests.test_dashboard import run_to_completion, state
from tmdb_collector.credentials import Credentials
from tmdb_collector.dashboard.server import create_app
from tmdb_collector.dashboard.session import CollectionSession
from tmdb_collector.export import columnar
from tmdb_collector.export.tables import _row_by_row
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.media import MEDIA_TYPES, MediaType
from tmdb_collector.plan.plan import Plan
from tmdb_collector.simulator import RunningSimulator, SimulatorConfig, running_simulator
from tmdb_collector.store.store import Store

CASES = [  # media, daily export kind, its own table, the tables of --parts all
    ("person", "person", "people", {"person_credits", "external_ids", "tagged_images"}),
    ("collection", "collection", "collections", {"collection_parts", "translations"}),
    ("company", "production_company", "companies", {"alternative_names", "images"}),
    ("network", "tv_network", "networks", {"alternative_names", "images"}),
]


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    with running_simulator(SimulatorConfig(catalog_size=1500, tv_catalog_size=400)) as running:
        yield running


@pytest.mark.parametrize(("media", "kind", "own", "tables"), CASES)
def test_a_whole_catalogue_of_an_entity(
    sim: RunningSimulator, tmp_path: Path, media: str, kind: str, own: str, tables: set[str]
) -> None:
    url = f"{sim.base_url[:-2]}/p/exports/{kind}_ids_11_24_2026.json.gz"
    lines = gzip.decompress(httpx.get(url, timeout=120).content).splitlines()[:30]
    source = tmp_path / f"{kind}_ids_11_24_2026.json.gz"
    source.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    ids = sorted(json.loads(line)["id"] for line in lines)
    db = tmp_path / "c.db"
    args = ["--media", media, "--ids-from", str(source), "--parts", "all"]
    done = run_cli(collect_args(db, sim.base_url, *args, rate="1000"), timeout=300)
    assert done.returncode == 0, done.stderr
    status = run_cli(["status", "--db", str(db)]).stdout
    assert f"{len(ids)} collected" in status
    written = tmp_path / "out.json"
    assert run_cli(["export", "--db", str(db), "--out", str(written)]).returncode == 0
    records = json.loads(written.read_text(encoding="utf-8"))
    assert [int(key) for key in records] == ids
    first = records[str(ids[0])]
    assert first["details"]["id"] == ids[0]
    assert all(part in first for part in ("id", "details"))
    for fmt in ("jsonl", "parquet", "csv", "duckdb"):
        out = tmp_path / fmt
        done = run_cli(["export", "--db", str(db), "--format", fmt, "--out", str(out)])
        assert done.returncode == 0, done.stderr
    names = {path.stem for path in (tmp_path / "parquet").glob("*.parquet")}
    assert {own, *tables} <= names
    assert (
        sorted(pq.read_table(tmp_path / "parquet" / f"{own}.parquet").column("id").to_pylist())
        == ids
    )
    assert (tmp_path / "csv" / f"{own}.csv").is_file()
    with duckdb.connect(str(tmp_path / "duckdb"), read_only=True) as con:
        assert con.execute(f"SELECT count(*) FROM {own}").fetchone() == (len(ids),)
    same_rows_both_ways(db, MEDIA_TYPES[media])


def same_rows_both_ways(db: Path, media: MediaType) -> None:
    """The parts the columnar fast paths build (images, external_ids, alternative_names,
    translations...) hold exactly the row-by-row builders' rows."""
    with Store.open_existing(db) as store:
        batch = list(raw_items(store, media.part_names))
    fast = columnar.fast_paths(media.tables)
    assert fast
    ids = pa.array([item[0] for item in batch], pa.int64())
    for index, part in enumerate(media.part_names):
        if part in fast:
            texts = [item[2][index] for item in batch]
            built = fast[part](ids, texts)
            expected = _row_by_row(part, batch, texts, media.tables)
            assert {n: t.to_pylist() for n, t in built.items()} == {
                n: t.to_pylist() for n, t in expected.items()
            }, part


def test_a_person_collection_needs_its_daily_export(tmp_path: Path) -> None:
    done = run_cli(collect_args(tmp_path / "c.db", "http://127.0.0.1:9/3", "--media", "person"))
    assert done.returncode == 2
    assert "--ids-from person_ids_MM_DD_YYYY.json.gz" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "c.db").exists()


def test_person_credits_match_the_raw_bodies(sim: RunningSimulator, tmp_path: Path) -> None:
    """person_credits holds one row per combined credit entry, with its credit_id."""
    url = f"{sim.base_url[:-2]}/p/exports/person_ids_11_24_2026.json.gz"
    lines = gzip.decompress(httpx.get(url, timeout=120).content).splitlines()[:10]
    source = tmp_path / "person_ids_11_24_2026.json.gz"
    source.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    db = tmp_path / "p.db"
    done = run_cli(collect_args(db, sim.base_url, "--media", "person", "--ids-from", str(source),
                                rate="1000"), timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    run_cli(["export", "--db", str(db), "--out", str(tmp_path / "people.json")])
    run_cli(["export", "--db", str(db), "--format", "parquet", "--out", str(tmp_path / "t")])
    records = json.loads((tmp_path / "people.json").read_text(encoding="utf-8"))
    raw = sorted(
        (int(pid), kind, e["credit_id"])
        for pid, record in records.items()
        for kind in ("cast", "crew")
        for e in record["combined_credits"][kind]
    )
    rows = pq.read_table(tmp_path / "t" / "person_credits.parquet").to_pylist()
    assert sorted((r["person_id"], r["credit_type"], r["credit_id"]) for r in rows) == raw
    assert raw


def test_another_entitys_daily_export_is_refused(sim: RunningSimulator, tmp_path: Path) -> None:
    """Collections', companies' and networks' lines are alike ({"id", "name"}): the file's
    TMDB name tells them apart, before any collection is made."""
    url = f"{sim.base_url[:-2]}/p/exports/collection_ids_11_24_2026.json.gz"
    source = tmp_path / "collection_ids_11_24_2026.json.gz"
    source.write_bytes(httpx.get(url, timeout=120).content)
    db = tmp_path / "c.db"
    done = run_cli(collect_args(db, sim.base_url, "--media", "company", "--ids-from", str(source)))
    assert done.returncode == 2, done.stderr
    assert "use production_company_ids_MM_DD_YYYY.json.gz" in done.stderr
    assert "Traceback" not in done.stderr
    assert not db.exists()


def test_another_entitys_daily_export_url_is_refused(sim: RunningSimulator, tmp_path: Path) -> None:
    """The same by URL: a network's line has the ``name`` a person's has, so only the URL's
    file name tells them apart, checked before any collection is made (the download took
    the name ids.json.gz, and the network ids were collected as people)."""
    url = f"{sim.base_url[:-2]}/p/exports/tv_network_ids_11_24_2026.json.gz"
    db = tmp_path / "p.db"
    done = run_cli(collect_args(db, sim.base_url, "--media", "person", "--ids-from", url))
    assert done.returncode == 2, done.stderr
    assert f"{url} is the daily ID export of networks, not of people" in done.stderr
    assert "Traceback" not in done.stderr
    assert not db.exists()


def test_update_of_an_entity_without_a_changes_feed(sim: RunningSimulator, tmp_path: Path) -> None:
    """TMDB has no /company/changes: update follows --ids-from (and --max-age) alone."""
    url = f"{sim.base_url[:-2]}/p/exports/production_company_ids_11_24_2026.json.gz"
    lines = gzip.decompress(httpx.get(url, timeout=120).content).splitlines()
    source = tmp_path / "production_company_ids_11_24_2026.json.gz"
    source.write_bytes(gzip.compress(b"\n".join(lines[:20]) + b"\n"))
    db = tmp_path / "c.db"
    args = ["--media", "company", "--ids-from", str(source)]
    assert run_cli(collect_args(db, sim.base_url, *args, rate="1000")).returncode == 0
    source.write_bytes(gzip.compress(b"\n".join(lines[:25]) + b"\n"))
    done = run_cli(update_args(db, sim.base_url, "--ids-from", str(source)))
    assert done.returncode == 0, done.stderr
    assert "25 collected" in run_cli(["status", "--db", str(db)]).stdout


async def test_the_dashboard_of_a_person_collection(sim: RunningSimulator, tmp_path: Path) -> None:
    """The dashboard speaks of people and collects them through the simulator."""
    url = f"{sim.base_url[:-2]}/p/exports/person_ids_11_24_2026.json.gz"
    async with httpx.AsyncClient(timeout=120) as http:
        raw = (await http.get(url)).content
    source = tmp_path / "person_ids_11_24_2026.json.gz"
    source.write_bytes(gzip.compress(b"\n".join(gzip.decompress(raw).splitlines()[:6]) + b"\n"))
    plan = Plan(media="person", ids_from=str(source))
    settings = ClientSettings(base_url=sim.base_url, rate=1000, concurrency=2)
    with Store.create_or_open(tmp_path / "p.db", plan) as store:
        session = CollectionSession(store, plan, settings, Credentials(api_key="dashboard-42"))
        client = TestClient(TestServer(create_app(session)))
        await client.start_server()
        try:
            fresh = await state(client)
            assert (fresh["media"]["title"], fresh["media"]["label"]) == ("People", "Person")
            assert fresh["formats"][0]["label"] == "people.json"
            done = await run_to_completion(client)
            assert done["message"] == "Collection complete! 6 people collected."
            response = await client.get("/api/download?format=json")
            assert response.headers["Content-Disposition"] == 'attachment; filename="people.json"'
            assert len(json.loads(await response.read())) == 6
        finally:
            await client.close()
