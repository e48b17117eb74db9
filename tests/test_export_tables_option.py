"""``export --tables LIST``: a table export of the named tables only, their files identical to
those of the export of every table; the other parts' bodies are not parsed; a name the
export does not write is refused (exit 2, nothing written)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.cli_helpers import modules_an_export_loads, one_line_error, run_cli
from tests.support.store import queue_ids
from tests.test_tables import EXPORTED, parts_550
from tmdb_collector.export import columnar
from tmdb_collector.export.exporter import export
from tmdb_collector.fetch.records import ItemRecord
from tmdb_collector.media import MOVIE
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    """The default parts of 550, 601 and 602; 603 lacks its keywords (left out of every
    table of an export of the default parts, with --tables as without)."""
    db = tmp_path / "collection.db"
    with Store.create_or_open(db, Plan()) as store:
        queue_ids(store, [*EXPORTED, 603])
        for movie_id, make in EXPORTED.items():
            store.save_item(ItemRecord.from_parts(movie_id, make(), MOVIE))
        lacking = parts_550(603)
        del lacking["keywords"]
        store.save_item(ItemRecord.from_parts(603, lacking, MOVIE))
    return db


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_the_named_tables_are_those_of_the_whole_export(
    collection: Path, tmp_path: Path, fmt: str
) -> None:
    whole, some = tmp_path / "whole", tmp_path / "some"
    with Store.open_existing(collection) as store:
        assert export(store, fmt, whole) == 3
        assert export(store, fmt, some, tables="cast,provenance") == 3
    written = sorted(path.name for path in some.iterdir())
    assert written == [f"cast.{fmt}", "manifest.json", f"provenance.{fmt}"]
    for name in ("cast", "provenance"):
        assert (some / f"{name}.{fmt}").read_bytes() == (whole / f"{name}.{fmt}").read_bytes()


def test_only_the_bodies_of_the_named_tables_are_parsed(
    collection: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    real = columnar._parse

    def parse(texts: list[bytes], fields: list[tuple[str, object]], *args: object) -> object:
        parsed.append(fields[0][0])
        return real(texts, fields, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(columnar, "_parse", parse)
    with Store.open_existing(collection) as store:
        export(store, "parquet", tmp_path / "out", tables=["keywords"])
    assert set(parsed) == {"keywords"}  # not details' title, credits' cast, ...
    assert pq.read_table(tmp_path / "out" / "keywords.parquet").num_rows > 0


def test_duckdb_with_tables_but_not_movies_has_no_views(collection: Path, tmp_path: Path) -> None:
    import duckdb

    out = tmp_path / "some.duckdb"
    args = ["--format", "duckdb", "--out", str(out), "--tables", "keywords"]
    done = run_cli(["export", "--db", str(collection), *args])
    assert done.returncode == 0, done.stderr
    with duckdb.connect(str(out), read_only=True) as db:
        rows = db.execute("SELECT table_name FROM information_schema.tables").fetchall()
    names = {row[0] for row in rows}
    assert names == {"keywords"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "parquet", "--tables", "cast,nope"], "--tables: no table nope in this"),
        (["--format", "parquet", "--tables", "availability"], "no table availability"),
        (["--format", "csv", "--tables", ","], "--tables: no table named for this export"),
        (["--format", "json", "--tables", "cast"], "--tables is for the table exports"),
    ],
)
def test_a_table_the_export_does_not_write_is_refused(
    collection: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    done = run_cli(["export", "--db", str(collection), "--out", str(out), *args])
    assert done.returncode == 2
    assert message in one_line_error(done)
    assert "choose from movies, genres, cast" in one_line_error(done) or "json" in args
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["parquet", "csv", "duckdb"])
def test_the_cli_keeps_pandas_and_numpy_out_of_a_table_export(
    collection: Path, tmp_path: Path, fmt: str
) -> None:
    """pyarrow would import pandas (0.33 CPU s) at its first list conversion, and numpy as it
    is imported; the CLI's process never loads either (this failed before keep_pandas_out,
    then for numpy before keep_pandas_and_numpy_out), and the export is whole."""
    out = tmp_path / ("movies.duckdb" if fmt == "duckdb" else "out")
    args = ["--db", str(collection), "--format", fmt, "--out", str(out)]
    assert modules_an_export_loads(args, {"pandas", "numpy"}) == set()
    if fmt == "parquet":
        assert pq.read_table(out / "cast.parquet").num_rows > 0
    elif fmt == "csv":
        assert (out / "cast.csv").read_text(encoding="utf-8").count("\n") > 1
    else:
        with duckdb.connect(str(out), read_only=True) as db:
            assert db.execute('SELECT count(*) FROM "cast"').fetchone()[0] > 0


@pytest.mark.parametrize("fmt", ["parquet", "csv", "duckdb"])
def test_the_message_counts_the_rows_of_the_tables_written(
    collection: Path, tmp_path: Path, fmt: str
) -> None:
    """Not the titles (``Wrote 3 movies``), which --tables may not write at all."""
    out = tmp_path / ("some.duckdb" if fmt == "duckdb" else "some")
    args = ["--format", fmt, "--out", str(out), "--tables", "keywords,provenance"]
    done = run_cli(["export", "--db", str(collection), *args])
    assert done.returncode == 0, done.stderr
    if fmt == "duckdb":
        with duckdb.connect(str(out), read_only=True) as db:
            rows = {
                name: db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # type: ignore[index]
                for name in ("keywords", "provenance")
            }
    else:
        rows = {name: pq.read_table(out / f"{name}.parquet").num_rows if fmt == "parquet"
                else len((out / f"{name}.csv").read_text().splitlines()) - 1
                for name in ("keywords", "provenance")}  # fmt: skip
    assert all(rows.values())
    shown = ", ".join(f"{name} ({count:,} rows)" for name, count in rows.items())
    assert done.stdout == f"Wrote {shown} to {out} ({fmt}).\n"
