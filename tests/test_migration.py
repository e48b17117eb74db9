"""A database made by release 0.1 (schema 1: one column per part) opens, migrates in place and
exports byte for byte what 0.1 exported; a kill during the migration loses nothing.

``fixtures/v1_collection.db.gz`` was made by that release (commit 84614d6) from the simulator
(seed 7, 3,000 movies, one popular page and one discover page of genres 28 and 35), with one
movie later marked not_found, one failed and one queued again; ``v1_collection.exports.json``
holds the sha256 of what that release's ``export`` wrote from it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.conftest import REPO
from tmdb_collector.export.exporter import export
from tmdb_collector.history.tables import HISTORY_TABLES
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.schema import SCHEMA_VERSION
from tmdb_collector.store.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
EXPECTED: dict[str, str] = json.loads((FIXTURES / "v1_collection.exports.json").read_text())


@pytest.fixture
def v1_db(tmp_path: Path) -> Path:
    db = tmp_path / "v1.db"
    db.write_bytes(gzip.decompress((FIXTURES / "v1_collection.db.gz").read_bytes()))
    version, tables = schema_of(db)
    assert (version, "movies" in tables, "items" in tables) == ("1", True, False)
    return db


def schema_of(db: Path) -> tuple[str, set[str]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
        version = connection.execute(
            "SELECT value FROM meta WHERE key = 'schema_version'"
        ).fetchone()[0]
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    return str(version), tables


def export_hashes(db: Path, out: Path, stem: str = "movies") -> dict[str, str]:
    """sha256 of every export, computed the way the fixture's hashes were (``stem``: the
    media type's json file name, ``movies`` or ``tv``); the history tables, which those
    releases did not write, are left out."""
    hashes = {}
    with Store.open_existing(db) as store:
        for fmt, target in [
            ("json", f"{stem}.json"),
            ("jsonl", f"{stem}.jsonl"),
            ("csv", "csv"),
            ("parquet", "parquet"),
        ]:
            export(store, fmt, out / target)
    for name in (f"{stem}.json", f"{stem}.jsonl"):
        hashes[name] = hashlib.sha256((out / name).read_bytes()).hexdigest()
    for path in sorted((out / "csv").glob("*.csv")):
        if path.stem in HISTORY_TABLES:
            continue
        hashes[f"csv/{path.name}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    for path in sorted((out / "parquet").glob("*.parquet")):
        if path.stem in HISTORY_TABLES:
            continue
        table = pq.read_table(path)
        text = json.dumps(
            {"schema": str(table.schema), "rows": table.to_pylist()}, default=str, sort_keys=True
        )
        hashes[f"parquet/{path.name}"] = hashlib.sha256(text.encode()).hexdigest()
    return hashes


def test_a_v1_database_migrates_and_exports_byte_for_byte(v1_db: Path, tmp_path: Path) -> None:
    with sqlite3.connect(v1_db) as connection:
        before = connection.execute("SELECT * FROM provenance ORDER BY 1, 2, 4, 5").fetchall()
    assert export_hashes(v1_db, tmp_path) == EXPECTED
    version, tables = schema_of(v1_db)
    assert version == SCHEMA_VERSION
    assert {"items", "parts"} <= tables
    assert "movies" not in tables
    with Store.open_existing(v1_db) as store:
        assert store.meta("media") == "movie"
        assert store.plan().parts == ("credits", "keywords", "recommendations")
        assert store.part_counts() == {"credits": 45, "keywords": 45, "recommendations": 45}
        assert store.item_count() == 45
        assert list(store.iter_provenance()) == before


def test_collect_opens_a_v1_database_with_its_plan(v1_db: Path, tmp_path: Path) -> None:
    with sqlite3.connect(v1_db) as connection:
        stored = json.loads(
            connection.execute("SELECT value FROM meta WHERE key = 'plan'").fetchone()[0]
        )
    with Store.create_or_open(v1_db, Plan.from_dict(stored)) as store:
        counts = store.counts()
        assert (counts.done, counts.pending, counts.failed, counts.not_found) == (42, 1, 1, 1)
    assert schema_of(v1_db)[0] == SCHEMA_VERSION
    assert export_hashes(v1_db, tmp_path) == EXPECTED


KILLER = """
import os, sys
from pathlib import Path
from tmdb_collector.store import schema
from tmdb_collector.store.store import Store

point = sys.argv[2]
if point == "after-new-tables":
    real_run = schema._run

    def dying_run(db, script):
        real_run(db, script)
        os._exit(9)

    schema._run = dying_run
else:
    step = schema.MIGRATIONS["1"][1]

    def dying_step(db):
        step(db)
        os._exit(9)

    schema.MIGRATIONS["1"] = ("2", dying_step)
Store.open_existing(Path(sys.argv[1]))
"""


@pytest.mark.parametrize("point", ["after-new-tables", "after-every-statement-but-commit"])
def test_a_kill_during_the_migration_leaves_a_v1_database_that_migrates_next_time(
    v1_db: Path, tmp_path: Path, point: str
) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, str(v1_db), point], env=env, timeout=60, check=False
    )
    assert killed.returncode == 9
    version, tables = schema_of(v1_db)
    assert (version, "movies" in tables, "items" in tables) == ("1", True, False)
    assert export_hashes(v1_db, tmp_path) == EXPECTED
    assert schema_of(v1_db)[0] == SCHEMA_VERSION


# Schema-3 databases, made by the release before the compact store (commit 45b587d) with the
# CLI against the simulator, every part collected:
#   tmdb-collector simulate --catalog-size 50 --seed 11
#   tmdb-collector collect --db v3_movies.db --popular-pages all --genre-pages 0 --parts all
#   tmdb-collector simulate --media tv --catalog-size 14 --seed 11
#   tmdb-collector collect --db v3_tv.db --media tv --popular-pages all --genre-pages 0 \
#       --parts all
# (30 movies, 8 series; checkpointed, then gzipped). ``v3_collections.exports.json`` holds the
# sha256 of what that release's ``export`` wrote from each, computed by :func:`export_hashes`.
V3 = {"v3_movies": "movies", "v3_tv": "tv"}
V3_EXPECTED: dict[str, dict[str, str]] = json.loads(
    (FIXTURES / "v3_collections.exports.json").read_text()
)


def v3_copy(name: str, tmp_path: Path) -> Path:
    db = tmp_path / f"{name}.db"
    db.write_bytes(gzip.decompress((FIXTURES / f"{name}.db.gz").read_bytes()))
    assert schema_of(db)[0] == "3"
    return db


@pytest.mark.parametrize("name", sorted(V3))
def test_a_schema_3_database_opens_reads_and_exports_as_its_release_did(
    name: str, tmp_path: Path
) -> None:
    db = v3_copy(name, tmp_path)
    with Store.open_existing(db) as store:
        counts = store.part_counts()
        assert store.item_count() == {"v3_movies": 30, "v3_tv": 8}[name]
        assert set(counts) == set(store.plan().parts)
        assert set(counts.values()) == {store.item_count()}
    assert export_hashes(db, tmp_path, V3[name]) == V3_EXPECTED[name]
