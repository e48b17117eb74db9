"""A media type is a plug-in: its facts (tables, keys, views, file names, CLI choices) live in
its module under ``media/``, and the exports, the store and the CLI read them from the type.

tests/fake_media.py declares a type the collector does not have (collections) the way #22 will
add one; registered in ``MEDIA_TYPES`` and nowhere else, it exports as json, parquet, csv and
duckdb with its own tables, keys, view and file names.
"""

from __future__ import annotations

import ast
import csv
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.fake_media import COLLECTION, bodies
from tests.support.store import queue_ids
from tmdb_collector.export import columnar
from tmdb_collector.export.exporter import export
from tmdb_collector.export.formats import default_export_path
from tmdb_collector.export.tables import _row_by_row
from tmdb_collector.fetch.records import ItemRecord
from tmdb_collector.media import MEDIA_TYPES, MOVIE, TV
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store

SRC = Path(__file__).resolve().parent.parent / "src" / "tmdb_collector"
SIZES = {7: 3, 8: 0, 9: 2}  # collection id -> its movies


@pytest.fixture
def collection_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database of three collections, every part collected."""
    monkeypatch.setitem(MEDIA_TYPES, COLLECTION.name, COLLECTION)
    db = tmp_path / "collections.db"
    plan = Plan(media=COLLECTION.name, popular_pages=0, genre_pages=0, parts="all")
    with Store.create_or_open(db, plan) as store:
        queue_ids(store, SIZES)
        for collection_id, movies in SIZES.items():
            record = ItemRecord.from_parts(
                collection_id, bodies(collection_id, movies), media=COLLECTION
            )
            store.save_item(record)
    return db


def test_a_new_media_type_exports_its_own_tables(collection_db: Path, tmp_path: Path) -> None:
    with Store.open_existing(collection_db) as store:
        assert store.media_type is COLLECTION
        for fmt in ("parquet", "csv"):
            assert export(store, fmt, tmp_path / fmt) == len(SIZES)
    names = ["collections", "collection_parts", "images", "translations", "provenance"]
    assert sorted(p.stem for p in (tmp_path / "parquet").glob("*.parquet")) == sorted(names)
    parts = pq.read_table(tmp_path / "parquet" / "collection_parts.parquet").to_pylist()
    assert parts == [
        {"collection_id": cid, "rank": n, "movie_id": cid * 10 + n, "title": f"Part {n}"}
        for cid, movies in SIZES.items()
        for n in range(movies)
    ]
    images = pq.read_table(tmp_path / "parquet" / "images.parquet")
    assert images.column_names[:3] == ["collection_id", "kind", "file_path"]
    assert images.column("collection_id").to_pylist() == list(SIZES)
    translations = pq.read_table(tmp_path / "parquet" / "translations.parquet").to_pylist()
    assert [(t["collection_id"], t["name"], t["title"]) for t in translations[:2]] == [
        (7, "English", "English 7"),
        (7, "Deutsch", "Deutsch 7"),
    ]
    with (tmp_path / "csv" / "collections.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [row["name"] for row in rows] == [f"Collection {cid}" for cid in SIZES]


def test_a_new_media_type_has_its_keys_views_and_file_names(
    collection_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert default_export_path(COLLECTION, "json") == Path("collections.json")
    with Store.open_existing(collection_db) as store:
        export(store, "json", default_export_path(COLLECTION, "json"))
        export(store, "duckdb", default_export_path(COLLECTION, "duckdb"))
    written = json.loads(Path("collections.json").read_text(encoding="utf-8"))
    assert sorted(written) == [str(cid) for cid in SIZES]
    with duckdb.connect("collections.duckdb", read_only=True) as db:
        keys = dict(
            db.execute(
                "SELECT table_name, constraint_column_names FROM duckdb_constraints()"
                " WHERE constraint_type = 'PRIMARY KEY'"
            ).fetchall()
        )
        summary = db.execute("SELECT id, movies FROM collection_summary ORDER BY id").fetchall()
    assert keys == {  # images has none: none was declared
        "collections": ["id"],
        "collection_parts": ["collection_id", "rank"],
        "provenance": ["collection_id", "query", "page"],
    }
    assert summary == list(SIZES.items())


def test_the_cli_offers_every_registered_media_type() -> None:
    """--media and the help of --parts, --genres and the stage flags are built from the
    registered types: one registered before the CLI loads is offered with its own parts."""
    probe = (
        "from tests.fake_media import COLLECTION\n"
        "from tmdb_collector.media import MEDIA_TYPES\n"
        "MEDIA_TYPES[COLLECTION.name] = COLLECTION\n"
        "from click.testing import CliRunner\n"
        "from tmdb_collector.cli import cli\n"
        "for command in ('collect', 'simulate'):\n"
        "    print(CliRunner().invoke(cli, [command, '--help'], terminal_width=1000).output)\n"
    )
    root = SRC.parent.parent
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=root
    )
    assert done.returncode == 0, done.stderr
    collect, simulate = done.stdout.split("Usage:")[1:]
    help_text = " ".join(collect.split())
    assert "--media [movie|tv|collection]" in help_text
    assert "Collections: images, translations (default images)." in help_text
    assert "/collection/popular" in help_text
    assert "[movie|tv|collection]" in simulate


def test_the_exports_store_and_dashboard_name_no_media_type() -> None:
    """No module outside media/ (and the simulator, which serves every type) names a media
    type, its id column or its file name, or imports one: each fact has its home in media/."""
    named = {
        value
        for media in (MOVIE, TV)
        for value in (media.name, media.id_column, media.export_filename)
    }
    modules = {f"tmdb_collector.media.{media.name}" for media in (MOVIE, TV)}
    found = []
    for package in ("engine", "store", "export", "dashboard", "cli", "fetch", "plan"):
        for path in sorted((SRC / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and node.value in named:
                    found.append(f"{path.relative_to(SRC)}:{node.lineno} {node.value!r}")
                if package in ("store", "export", "dashboard", "cli") and isinstance(
                    node, ast.ImportFrom
                ):
                    imported = {alias.name for alias in node.names}
                    if imported & {"MOVIE", "TV"} or node.module in modules:
                        found.append(f"{path.relative_to(SRC)}:{node.lineno} imports {imported}")
    assert found == []


def test_a_new_media_type_takes_the_fast_paths_of_its_shapes(collection_db: Path) -> None:
    """Its parts of a shared shape are built by the columnar fast path, exactly as row by
    row; its own details body (declared with no fast path) row by row."""
    with Store.open_existing(collection_db) as store:
        batch = list(store.iter_raw_items(COLLECTION.part_names))
    fast = columnar.fast_paths(COLLECTION.tables)
    assert set(fast) == {"images", "translations"}
    ids = pa.array([item[0] for item in batch], pa.int64())
    for index, part in enumerate(COLLECTION.part_names):
        texts = [item[2][index] for item in batch]
        built = fast[part](ids, texts)
        expected = _row_by_row(part, batch, texts, COLLECTION.tables)
        assert {name: t.to_pylist() for name, t in built.items()} == {
            name: t.to_pylist() for name, t in expected.items()
        }
