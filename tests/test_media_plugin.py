"""A media type is a plug-in: its facts (tables, keys, views, file names, CLI choices) live in
its module under ``media/``, and the exports, the store and the CLI read them from the type.

tests/fake_media.py declares a type the collector does not have (sagas) the way #22 will
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

from tests.fake_media import SAGA, bodies
from tests.support.store import queue_ids, raw_items
from tmdb_collector.export import columnar
from tmdb_collector.export.exporter import export
from tmdb_collector.export.formats import default_export_path
from tmdb_collector.export.tables import _row_by_row
from tmdb_collector.fetch.records import ItemRecord
from tmdb_collector.media import MEDIA_TYPES, MOVIE, TV
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store

SRC = Path(__file__).resolve().parent.parent / "src" / "tmdb_collector"
SIZES = {7: 3, 8: 0, 9: 2}  # saga id -> its movies


@pytest.fixture
def saga_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database of three sagas, every part collected."""
    monkeypatch.setitem(MEDIA_TYPES, SAGA.name, SAGA)
    db = tmp_path / "sagas.db"
    plan = Plan(media=SAGA.name, popular_pages=0, genre_pages=0, parts="all")
    with Store.create_or_open(db, plan) as store:
        queue_ids(store, SIZES)
        for saga_id, movies in SIZES.items():
            record = ItemRecord.from_parts(saga_id, bodies(saga_id, movies), media=SAGA)
            store.save_item(record)
    return db


def test_a_new_media_type_exports_its_own_tables(saga_db: Path, tmp_path: Path) -> None:
    with Store.open_existing(saga_db) as store:
        assert store.media_type is SAGA
        for fmt in ("parquet", "csv"):
            assert export(store, fmt, tmp_path / fmt) == len(SIZES)
    names = ["sagas", "saga_parts", "images", "translations", "provenance", "part_versions"]
    assert sorted(p.stem for p in (tmp_path / "parquet").glob("*.parquet")) == sorted(names)
    parts = pq.read_table(tmp_path / "parquet" / "saga_parts.parquet").to_pylist()
    assert parts == [
        {"saga_id": cid, "rank": n, "movie_id": cid * 10 + n, "title": f"Part {n}"}
        for cid, movies in SIZES.items()
        for n in range(movies)
    ]
    images = pq.read_table(tmp_path / "parquet" / "images.parquet")
    assert images.column_names[:3] == ["saga_id", "kind", "file_path"]
    assert images.column("saga_id").to_pylist() == list(SIZES)
    translations = pq.read_table(tmp_path / "parquet" / "translations.parquet").to_pylist()
    assert [(t["saga_id"], t["name"], t["title"]) for t in translations[:2]] == [
        (7, "English", "English 7"),
        (7, "Deutsch", "Deutsch 7"),
    ]
    with (tmp_path / "csv" / "sagas.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [row["name"] for row in rows] == [f"Saga {cid}" for cid in SIZES]


def test_a_new_media_type_has_its_keys_views_and_file_names(
    saga_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert default_export_path(SAGA, "json") == Path("sagas.json")
    with Store.open_existing(saga_db) as store:
        export(store, "json", default_export_path(SAGA, "json"))
        export(store, "duckdb", default_export_path(SAGA, "duckdb"))
    written = json.loads(Path("sagas.json").read_text(encoding="utf-8"))
    assert sorted(written) == [str(cid) for cid in SIZES]
    with duckdb.connect("sagas.duckdb", read_only=True) as db:
        keys = dict(
            db.execute(
                "SELECT table_name, constraint_column_names FROM duckdb_constraints()"
                " WHERE constraint_type = 'PRIMARY KEY'"
            ).fetchall()
        )
        summary = db.execute("SELECT id, movies FROM saga_summary ORDER BY id").fetchall()
    assert keys == {  # images has none: none was declared
        "sagas": ["id"],
        "saga_parts": ["saga_id", "rank"],
        "provenance": ["saga_id", "query", "page"],
    }
    assert summary == list(SIZES.items())


def test_the_cli_offers_every_registered_media_type() -> None:
    """--media and the help of --parts, --genres and the stage flags are built from the
    registered types: one registered before the CLI loads is offered with its own parts."""
    probe = (
        "from tests.fake_media import SAGA\n"
        "from tmdb_collector.media import MEDIA_TYPES\n"
        "MEDIA_TYPES[SAGA.name] = SAGA\n"
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
    assert "--media [movie|tv|person|collection|company|network|saga]" in help_text
    assert "Sagas: images, translations (default images)." in help_text
    assert "/saga/popular" in help_text
    assert "[movie|tv|person|collection|company|network|saga]" in simulate


def test_the_exports_store_and_dashboard_name_no_media_type() -> None:
    """No module outside media/ (and the simulator, which serves every type) names a media
    type, its id column or its file name, or imports one: each fact has its home in media/.
    The one exception: the plan reads ``--person-parts``, which names the person type."""
    named = {
        value
        for media in (MOVIE, TV)
        for value in (media.name, media.id_column, media.export_filename)
    }
    # The entities' names are words ("collection") and a credit's column ("person_id") too:
    # for them, their file names and modules.
    named |= {media.export_filename for media in MEDIA_TYPES.values()}
    modules = {f"tmdb_collector.media.{media.name}" for media in MEDIA_TYPES.values()}
    names = {"MOVIE", "TV", "PERSON", "COLLECTION", "COMPANY", "NETWORK"}
    allowed = {"plan": {"PERSON"}}  # --person-parts
    found = []
    for path in sorted(SRC.rglob("*.py")):
        where = path.relative_to(SRC)
        package = where.parts[0] if len(where.parts) > 1 else where.stem
        if package in ("media", "simulator"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in named:
                found.append(f"{where}:{node.lineno} {node.value!r}")
            if isinstance(node, ast.ImportFrom):
                imported = {alias.name for alias in node.names} & names
                if imported - allowed.get(package, set()) or node.module in modules:
                    found.append(f"{where}:{node.lineno} imports {imported or node.module}")
    assert len({path.parent for path in SRC.rglob("*.py")}) > 10  # the packages were read
    assert found == []


def test_a_new_media_type_takes_the_fast_paths_of_its_shapes(saga_db: Path) -> None:
    """Its parts of a shared shape are built by the columnar fast path, exactly as row by
    row; its own details body (declared with no fast path) row by row."""
    with Store.open_existing(saga_db) as store:
        batch = list(raw_items(store, SAGA.part_names))
    fast = columnar.fast_paths(SAGA.tables)
    assert set(fast) == {"images", "translations"}
    ids = pa.array([item[0] for item in batch], pa.int64())
    for index, part in enumerate(SAGA.part_names):
        texts = [item[2][index] for item in batch]
        built = fast[part](ids, texts)
        expected = _row_by_row(part, batch, texts, SAGA.tables)
        assert {name: t.to_pylist() for name, t in built.items()} == {
            name: t.to_pylist() for name, t in expected.items()
        }


def test_a_misspelt_column_kind_fails_when_the_type_is_declared() -> None:
    """``columns("id:int title:string")`` made a column of kind "string" unnoticed until an
    export looked the kind up; now the declaration itself fails."""
    from tmdb_collector.media.table_schema import columns

    assert [column.kind for column in columns("id:int tags:list_str")] == ["int", "list_str"]
    with pytest.raises(ValueError, match="unknown column kind 'string'"):
        columns("id:int title:string")
