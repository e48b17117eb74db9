"""Normalized parquet/CSV tables: counts, types, values, atomicity, --out handling, streaming."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import errno
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from tests.conftest import REPO, load_sample
from tests.support.durable import Durability
from tests.support.store import queue_ids
from tmdb_collector.cli import cli
from tmdb_collector.errors import ExportError, UsageError
from tmdb_collector.export import tables
from tmdb_collector.export.exporter import export
from tmdb_collector.fetch.records import ItemRecord
from tmdb_collector.media import MOVIE
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import RawItemRow, Store

TABLES, table_names = MOVIE.tables.tables, MOVIE.tables.names

DEFAULT_TABLES = table_names(MOVIE.default_parts)
UNICODE_TITLE = "Amélie — 千と千尋の神隠し 🎬"
TRICKY_OVERVIEW = 'Line one, with a comma\nline "two"\r\nand a | pipe'


def parts_550(movie_id: int = 550) -> dict[str, Any]:
    details = load_sample("movie_550_details.json")
    credits = load_sample("movie_550_credits.json")
    keywords = load_sample("movie_550_keywords.json")
    details["id"] = credits["id"] = keywords["id"] = movie_id
    return {
        "details": details,
        "credits": credits,
        "keywords": keywords,
        "recommendations": load_sample("movie_550_recommendations_page1.json"),
    }


def variant_601() -> dict[str, Any]:
    """Empty keywords, no release date, unicode title, integral vote_average, tricky text."""
    parts = parts_550(601)
    details = parts["details"]
    details.update(
        title=UNICODE_TITLE,
        original_title=UNICODE_TITLE,
        overview=TRICKY_OVERVIEW,
        release_date="",
        vote_average=7,
        popularity=12,
        belongs_to_collection=None,
        origin_country=["FR", "JP"],
        runtime=None,
    )
    parts["keywords"]["keywords"] = []
    parts["credits"]["cast"] = parts["credits"]["cast"][:3]
    parts["credits"]["cast"][0]["name"] = "Audrey Tautou — オドレイ"
    parts["recommendations"]["results"][0]["vote_average"] = 7
    parts["recommendations"]["results"][1]["release_date"] = ""
    return parts


def variant_602() -> dict[str, Any]:
    """A collection, several genres, no crew and no recommendations."""
    parts = parts_550(602)
    parts["details"]["belongs_to_collection"] = {
        "id": 10,
        "name": "Star Wars Collection",
        "poster_path": None,
        "backdrop_path": "/x.jpg",
    }
    parts["details"]["genres"] = [
        {"id": 12, "name": "Adventure"},
        {"id": 28, "name": "Action"},
        {"id": 878, "name": "Science Fiction"},
    ]
    parts["details"]["homepage"] = ""
    parts["credits"]["crew"] = []
    parts["recommendations"] = {"page": 1, "results": [], "total_pages": 0, "total_results": 0}
    return parts


EXPORTED = {550: parts_550, 601: variant_601, 602: variant_602}


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    """550, 601, 602 exported; 549 stored but later not_found; 560 harvested, never fetched."""
    db = tmp_path / "collection.db"
    plan = Plan()
    popular, discover = plan.harvest_queries()[:2]
    with Store.create_or_open(db, plan) as store:
        store.save_page(popular, 1, [602, 550, 549, 560, 601], 10, 200)
        store.save_page(discover, 3, [560, 550], 7, 140)
        for movie_id, make in EXPORTED.items():
            store.save_item(ItemRecord.from_parts(movie_id, make(), MOVIE))
        store.save_item(ItemRecord.from_parts(549, parts_550(549), MOVIE))
        store.mark(549, "not_found", "deleted")
    return db


def run_export(db: Path, fmt: str, out: Path) -> int:
    with Store.open_existing(db) as store:
        return export(store, fmt, out)


def expected_counts() -> dict[str, int]:
    counts = dict.fromkeys(DEFAULT_TABLES, 0)
    for make in EXPORTED.values():
        parts = make()
        counts["movies"] += 1
        counts["genres"] += len(parts["details"]["genres"])
        counts["cast"] += len(parts["credits"]["cast"])
        counts["crew"] += len(parts["credits"]["crew"])
        counts["keywords"] += len(parts["keywords"]["keywords"])
        counts["recommendations"] += len(parts["recommendations"]["results"])
    counts["provenance"] = 4  # 550 twice, 601 and 602 once; 549 and 560 are not exported
    return counts


def read_parquet(out: Path) -> dict[str, pa.Table]:
    return {name: pq.read_table(out / f"{name}.parquet") for name in DEFAULT_TABLES}


def read_csv(out: Path) -> dict[str, list[dict[str, str]]]:
    result = {}
    for name in DEFAULT_TABLES:
        with open(out / f"{name}.csv", encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            assert reader.fieldnames == [column.name for column in TABLES[name]]
            result[name] = list(reader)
    return result


def test_parquet_row_counts_match_the_raw_json(collection: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_export(collection, "parquet", out) == 3
    data = read_parquet(out)
    assert {name: table.num_rows for name, table in data.items()} == expected_counts()
    assert expected_counts()["cast"] == 76 + 3 + 76
    tables = sorted(f"{name}.parquet" for name in [*DEFAULT_TABLES, "part_versions"])
    assert sorted(os.listdir(out)) == sorted([*tables, "manifest.json"])


def test_parquet_column_types(collection: Path, tmp_path: Path) -> None:
    run_export(collection, "parquet", tmp_path / "out")
    data = read_parquet(tmp_path / "out")
    movies = data["movies"].schema
    for name in ("id", "budget", "revenue", "runtime", "vote_count", "collection_id"):
        assert movies.field(name).type == pa.int64(), name
    for name in ("popularity", "vote_average"):
        assert movies.field(name).type == pa.float64(), name
    assert movies.field("adult").type == pa.bool_()
    assert movies.field("release_date").type == pa.date32()
    assert movies.field("title").type == pa.string()
    assert movies.field("origin_country").type == pa.list_(pa.string())
    assert movies.field("production_company_ids").type == pa.list_(pa.int64())
    for name in ("cast", "crew"):
        schema = data[name].schema
        assert schema.field("person_id").type == pa.int64()
        assert schema.field("popularity").type == pa.float64()
        assert schema.field("adult").type == pa.bool_()
        assert schema.field("credit_id").type == pa.string()
    recommendations = data["recommendations"].schema
    assert recommendations.field("release_date").type == pa.date32()
    assert recommendations.field("vote_average").type == pa.float64()
    assert data["provenance"].schema.field("genre_id").type == pa.int64()
    for name, table in data.items():
        assert table.column_names == [column.name for column in TABLES[name]]


def test_parquet_values_round_trip(collection: Path, tmp_path: Path) -> None:
    run_export(collection, "parquet", tmp_path / "out")
    data = {name: table.to_pylist() for name, table in read_parquet(tmp_path / "out").items()}
    movies = {row["id"]: row for row in data["movies"]}
    assert sorted(movies) == [550, 601, 602]  # 549 is not_found, 560 was never fetched
    raw = load_sample("movie_550_details.json")
    fight_club = movies[550]
    for name in ("imdb_id", "title", "overview", "tagline", "status", "budget", "revenue"):
        assert fight_club[name] == raw[name], name
    assert fight_club["release_date"] == dt.date(1999, 10, 15)
    assert fight_club["popularity"] == raw["popularity"]
    assert fight_club["adult"] is False
    assert fight_club["collection_id"] is None
    assert fight_club["production_countries"] == ["DE", "US"]
    assert fight_club["spoken_languages"] == ["en"]
    assert fight_club["production_company_ids"] == [711, 508, 4700, 25, 20555]
    assert fight_club["origin_country"] is None  # absent from this 2024 capture
    amelie = movies[601]
    assert (amelie["title"], amelie["overview"]) == (UNICODE_TITLE, TRICKY_OVERVIEW)
    assert amelie["release_date"] is None
    assert amelie["runtime"] is None
    assert amelie["vote_average"] == 7.0
    assert isinstance(amelie["vote_average"], float)
    assert amelie["origin_country"] == ["FR", "JP"]
    assert (movies[602]["collection_id"], movies[602]["collection_name"]) == (
        10,
        "Star Wars Collection",
    )
    assert movies[602]["homepage"] == ""

    cast = [row for row in data["cast"] if row["movie_id"] == 550]
    raw_cast = load_sample("movie_550_credits.json")["cast"]
    assert [row["credit_id"] for row in cast] == [c["credit_id"] for c in raw_cast]
    first = raw_cast[0]
    assert cast[0] == {
        "movie_id": 550,
        "person_id": first["id"],
        "credit_id": first["credit_id"],
        "name": first["name"],
        "original_name": first["original_name"],
        "gender": first["gender"],
        "known_for_department": first["known_for_department"],
        "popularity": first["popularity"],
        "profile_path": first["profile_path"],
        "adult": first["adult"],
        "character": first["character"],
        "order": first["order"],
        "cast_id": first["cast_id"],
    }
    crew = [row for row in data["crew"] if row["movie_id"] == 550]
    raw_crew = load_sample("movie_550_credits.json")["crew"]
    assert [(r["person_id"], r["department"], r["job"]) for r in crew] == [
        (c["id"], c["department"], c["job"]) for c in raw_crew
    ]
    assert {row["name"] for row in data["genres"] if row["movie_id"] == 602} == {
        "Adventure",
        "Action",
        "Science Fiction",
    }
    assert not [row for row in data["keywords"] if row["movie_id"] == 601]

    recs = [row for row in data["recommendations"] if row["movie_id"] == 601]
    raw_recs = load_sample("movie_550_recommendations_page1.json")["results"]
    assert [row["rank"] for row in recs] == list(range(len(raw_recs)))
    assert [row["recommended_id"] for row in recs] == [r["id"] for r in raw_recs]
    assert recs[0]["vote_average"] == 7.0
    assert recs[1]["release_date"] is None
    assert [row["release_date"] for row in recs[2:]] == [
        dt.date.fromisoformat(r["release_date"]) if r["release_date"] else None
        for r in raw_recs[2:]
    ]
    assert any(row["release_date"] for row in recs[2:])

    popular, discover = Plan().harvest_queries()[:2]
    assert data["provenance"] == [
        {"movie_id": 550, "stage": "discover", "genre_id": discover.genre,
         "query": discover.key, "page": 3, "position": 1},
        {"movie_id": 550, "stage": "popular", "genre_id": None,
         "query": popular.key, "page": 1, "position": 1},
        {"movie_id": 601, "stage": "popular", "genre_id": None,
         "query": popular.key, "page": 1, "position": 4},
        {"movie_id": 602, "stage": "popular", "genre_id": None,
         "query": popular.key, "page": 1, "position": 0},
    ]  # fmt: skip


def test_csv_round_trips_with_a_header_utf8_and_rfc4180_quoting(
    collection: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert run_export(collection, "csv", out) == 3
    data = read_csv(out)
    assert {name: len(rows) for name, rows in data.items()} == expected_counts()
    movies = {row["id"]: row for row in data["movies"]}
    assert sorted(movies) == ["550", "601", "602"]
    assert movies["550"]["release_date"] == "1999-10-15"
    assert movies["550"]["popularity"] == "93.958"
    assert movies["550"]["adult"] == "false"
    assert movies["550"]["production_countries"] == "DE|US"
    assert movies["550"]["collection_id"] == ""
    assert movies["601"]["title"] == UNICODE_TITLE
    assert movies["601"]["overview"] == TRICKY_OVERVIEW
    assert movies["601"]["release_date"] == ""
    assert movies["601"]["vote_average"] == "7.0"
    assert movies["601"]["origin_country"] == "FR|JP"
    assert movies["602"]["collection_name"] == "Star Wars Collection"
    cast_601 = [row for row in data["cast"] if row["movie_id"] == "601"]
    assert cast_601[0]["name"] == "Audrey Tautou — オドレイ"
    assert [row["order"] for row in cast_601] == ["0", "1", "2"]
    raw = (out / "movies.csv").read_bytes()
    assert raw.startswith(b"id,imdb_id,title,")
    assert b"\r\n" in raw
    assert UNICODE_TITLE.encode("utf-8") in raw
    assert b'"Line one, with a comma\nline ""two""\r\nand a | pipe"' in raw


def test_tables_are_parsed_from_the_same_rows_in_both_formats(
    collection: Path, tmp_path: Path
) -> None:
    run_export(collection, "parquet", tmp_path / "p")
    run_export(collection, "csv", tmp_path / "c")
    parquet = read_parquet(tmp_path / "p")["crew"].to_pylist()
    text = read_csv(tmp_path / "c")["crew"]
    assert [(str(r["person_id"]), r["job"]) for r in parquet] == [
        (r["person_id"], r["job"]) for r in text
    ]


def test_empty_collection_writes_empty_tables(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    Store.create_or_open(db, Plan()).close()
    assert run_export(db, "parquet", tmp_path / "out") == 0
    movies = pq.read_table(tmp_path / "out" / "movies.parquet")
    assert movies.num_rows == 0
    assert movies.schema.field("release_date").type == pa.date32()
    assert run_export(db, "csv", tmp_path / "out") == 0
    assert (tmp_path / "out" / "cast.csv").read_text(encoding="utf-8").startswith("movie_id,")


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_failed_write_leaves_existing_files_and_no_temporaries(
    collection: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / f"movies.{fmt}").write_bytes(b"previous export")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    sink = tables._ParquetSink if fmt == "parquet" else tables._CsvSink
    real_write = sink.write
    calls = []

    def full_disk(self: Any, rows: list[Any]) -> None:
        calls.append(len(rows))
        if len(calls) == 5:  # midway: several tables already have data
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_write(self, rows)

    monkeypatch.setattr(tables, "BATCH_SIZE", 1)
    monkeypatch.setattr(sink, "write", full_disk)
    with pytest.raises(ExportError, match="No space left on device") as caught:
        run_export(collection, fmt, out)
    assert "\n" not in str(caught.value)
    assert len(calls) == 5
    assert sorted(os.listdir(out)) == sorted([f"movies.{fmt}", "notes.txt"])
    assert (out / f"movies.{fmt}").read_bytes() == b"previous export"


def test_sigterm_during_an_export_cleans_up_and_exits_130(
    collection: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The console entry point turns SIGTERM into an interrupt, so the staging directory is
    removed as on Ctrl-C (by default the process had died leaving it behind)."""
    import signal

    from tmdb_collector.cli.app import main

    out = tmp_path / "out"
    out.mkdir()
    (out / "movies.parquet").write_bytes(b"previous export")
    real_write = tables._ParquetSink.write
    sent: list[int] = []

    def terminated(self: Any, rows: Any) -> None:
        if not sent:  # once, from the writer thread, as `kill` would
            sent.append(signal.SIGTERM)
            signal.raise_signal(signal.SIGTERM)
        real_write(self, rows)

    monkeypatch.setattr(tables, "BATCH_SIZE", 1)
    monkeypatch.setattr(tables._ParquetSink, "write", terminated)
    args = ["tmdb-collector", "export", "--db", str(collection), "--format", "parquet"]
    monkeypatch.setattr(sys, "argv", [*args, "--out", str(out)])

    def not_installed(signum: int, frame: object) -> None:
        raise AssertionError("the entry point did not handle SIGTERM")

    before = signal.signal(signal.SIGTERM, not_installed)  # never the default: it kills pytest
    try:
        with pytest.raises(SystemExit) as exited:
            main()
    finally:
        signal.signal(signal.SIGTERM, before)
    assert exited.value.code == 130
    assert os.listdir(out) == ["movies.parquet"]
    assert (out / "movies.parquet").read_bytes() == b"previous export"


def test_a_failed_move_puts_the_previous_tables_back(
    collection: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name in ("movies", "genres"):
        (out / f"{name}.parquet").write_bytes(f"old {name}".encode())
    real_replace = os.replace

    def fail_on_crew(src: Any, dst: Any) -> None:
        if Path(dst).name == "crew.parquet":
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_on_crew)
    with pytest.raises(ExportError, match="Input/output error"):
        run_export(collection, "parquet", out)
    assert sorted(os.listdir(out)) == ["genres.parquet", "movies.parquet"]
    assert (out / "movies.parquet").read_bytes() == b"old movies"
    assert (out / "genres.parquet").read_bytes() == b"old genres"


def test_a_successful_export_replaces_tables_and_keeps_other_files(
    collection: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "movies.parquet").write_bytes(b"stale")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    run_export(collection, "parquet", out)
    assert pq.read_table(out / "movies.parquet").num_rows == 3
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert not [name for name in os.listdir(out) if name.startswith(".")]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_every_table_is_on_disk_before_it_takes_its_name_and_its_name_after(
    collection: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """Each file (the manifest too) is fsynced before it is moved into --out, and --out after
    the moves (the duckdb export's staging tables are not: tests/test_duckdb_export.py)."""
    durability = Durability(monkeypatch)
    out = tmp_path / "out"
    run_export(collection, fmt, out)
    moved = durability.replaced()
    assert sorted(Path(target).name for _, target in moved) == sorted(os.listdir(out))
    for source, _ in moved:
        assert durability.synced_before(source)
    assert durability.directory_synced_after(out / "manifest.json")


def test_out_handling(collection: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("keep", encoding="utf-8")
    with pytest.raises(UsageError, match="is a file"):
        run_export(collection, "parquet", a_file)
    assert a_file.read_text(encoding="utf-8") == "keep"
    with pytest.raises(UsageError, match="does not exist"):
        run_export(collection, "csv", tmp_path / "missing" / "out")
    assert not (tmp_path / "missing").exists()
    with pytest.raises(UsageError, match="not a directory"):
        run_export(collection, "csv", a_file / "out")
    created = tmp_path / "new"
    assert run_export(collection, "csv", created) == 3
    assert (created / "movies.csv").is_file()


def test_a_directory_created_for_a_failed_export_is_removed(
    collection: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(self: Any, rows: list[Any]) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(tables._CsvSink, "write", full_disk)
    with pytest.raises(ExportError):
        run_export(collection, "csv", tmp_path / "new")
    assert not (tmp_path / "new").exists()


def test_batches_are_flushed_while_movies_stream(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading runs at most WORKERS + 2 batches ahead of the writing: memory is bounded by the
    batch, never by the collection."""
    db = tmp_path / "many.db"
    movie_ids = list(range(1000, 1011))
    with Store.create_or_open(db, Plan()) as store:
        queue_ids(store, movie_ids)
        base = parts_550()
        for movie_id in movie_ids:
            parts = copy.deepcopy(base)
            parts["details"]["id"] = parts["credits"]["id"] = parts["keywords"]["id"] = movie_id
            store.save_item(ItemRecord.from_parts(movie_id, parts, MOVIE))

    writes: list[tuple[str, int]] = []
    written: list[int] = []  # batches written when each movie came off the cursor
    real_write = tables._ParquetSink.write
    real_iter = Store.iter_stored_items

    def record_write(self: Any, rows: list[Any]) -> None:
        real_write(self, rows)
        writes.append((self.path.stem, len(rows)))

    def record_iter(self: Store, parts: Sequence[str], **reads: bool) -> Iterator[RawItemRow]:
        for row in real_iter(self, parts, **reads):
            written.append(sum(1 for table, _ in writes if table == "movies"))
            yield row

    monkeypatch.setattr(tables, "BATCH_SIZE", 2)
    monkeypatch.setattr(tables, "WORKERS", 1)
    monkeypatch.setattr(tables, "ROW_GROUP_BYTES", 0)  # each batch a row group
    monkeypatch.setattr(tables._ParquetSink, "write", record_write)
    monkeypatch.setattr(Store, "iter_stored_items", record_iter)
    assert run_export(db, "parquet", tmp_path / "out") == 11

    assert [rows for table, rows in writes if table == "movies"] == [2, 2, 2, 2, 2, 1]
    assert max(rows for table, rows in writes if table == "cast") == 2 * 76
    # The first movie of batch b (1-based) is read only once batch b - WORKERS - 2 is written.
    for index, batches in enumerate(written):
        assert batches >= index // 2 + 1 - 3
    assert written[-1] >= 3  # so batches were written before the cursor reached the end
    parquet = pq.ParquetFile(tmp_path / "out" / "cast.parquet")
    assert parquet.metadata.num_row_groups == 6
    assert parquet.metadata.num_rows == 11 * 76


def test_row_groups_gather_batches_up_to_their_size(
    collection: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer keeps each row group's metadata until the end, so row groups gather several
    batches; the rows are those of a row group per batch, in the same order."""
    monkeypatch.setattr(tables, "BATCH_SIZE", 1)
    monkeypatch.setattr(tables, "ROW_GROUP_BYTES", 0)
    run_export(collection, "parquet", tmp_path / "each")
    movies = pq.ParquetFile(tmp_path / "each" / "movies.parquet")
    monkeypatch.setattr(tables, "ROW_GROUP_BYTES", movies.read_row_group(0).nbytes * 2)
    run_export(collection, "parquet", tmp_path / "gathered")
    for each in sorted((tmp_path / "each").glob("*.parquet")):
        gathered = pq.ParquetFile(tmp_path / "gathered" / each.name)
        assert pq.read_table(each).equals(gathered.read()), each.name
        if pq.ParquetFile(each).metadata.num_row_groups > 2:
            assert gathered.metadata.num_row_groups < pq.ParquetFile(each).metadata.num_row_groups
    assert movies.metadata.num_row_groups == movies.metadata.num_rows > 2


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tmdb_collector", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        timeout=120,
        check=False,
    )


def test_cli_end_to_end(collection: Path, tmp_path: Path) -> None:
    out = tmp_path / "tables"
    out.mkdir()
    (out / "videos.parquet").write_bytes(b"an earlier export's, of more parts")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    done = run_module("export", "--db", str(collection), "--format", "parquet", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "3 movies" in done.stdout
    assert "1 table of an earlier export (not written by this one) still in" in done.stderr
    assert "videos.parquet;" in done.stderr
    assert "notes.txt" not in done.stderr
    (out / "videos.parquet").unlink()
    (out / "notes.txt").unlink()
    assert pq.read_table(out / "cast.parquet").num_rows == expected_counts()["cast"]

    result = CliRunner().invoke(
        cli, ["export", "--db", str(collection), "--format", "csv", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert len(read_csv(out)["keywords"]) == expected_counts()["keywords"]
    assert sorted(p.suffix for p in out.iterdir()) == [".csv"] * 8 + [".json"] + [".parquet"] * 8

    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x", encoding="utf-8")
    done = run_module("export", "--db", str(collection), "--format", "csv", "--out", str(not_a_dir))
    assert done.returncode == 2
    assert "is a file" in done.stderr
