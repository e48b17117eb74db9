"""The checkpoint store and the movies.json export, without any network."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import load_sample
from tests.support.durable import Durability
from tests.support.store import queue_ids
from tmdb_collector.errors import (
    ExportError,
    NotOurDatabaseError,
    PlanMismatchError,
    StoreLockedError,
    UsageError,
)
from tmdb_collector.export.exporter import export
from tmdb_collector.fetch.records import ItemRecord
from tmdb_collector.media import MOVIE
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store


def record_550(movie_id: int = 550) -> ItemRecord:
    details = load_sample("movie_550_details.json")
    credits = load_sample("movie_550_credits.json")
    keywords = load_sample("movie_550_keywords.json")
    details["id"] = credits["id"] = keywords["id"] = movie_id
    parts = {
        "details": details,
        "credits": credits,
        "keywords": keywords,
        "recommendations": load_sample("movie_550_recommendations_page1.json"),
    }
    return ItemRecord.from_parts(movie_id, parts, MOVIE)


def test_a_page_commits_ids_and_provenance_together(db_path: Path) -> None:
    plan = Plan()
    popular = plan.harvest_queries()[0]
    with Store.create_or_open(db_path, plan) as store:
        assert store.save_page(popular, 1, [5, 3, 9], 10, 200) == [5, 3, 9]
        assert store.save_page(popular, 2, [9, 11], 10, 200) == [11]
        assert store.pages_done(popular.key) == {1, 2}
        assert store.ids_with_status("pending") == [5, 3, 9, 11]
        provenance = list(store.iter_provenance())
        assert (9, "popular", None, popular.key, 1, 2) in provenance
        assert (9, "popular", None, popular.key, 2, 0) in provenance
    with Store.create_or_open(db_path, plan) as store:  # resumes with the same state
        assert store.ids_with_status("pending") == [5, 3, 9, 11]
        assert store.save_page(popular, 3, [12], 10, 200) == [12]
        assert store.ids_with_status("pending")[-1] == 12


def test_movie_statuses_and_counts(db_path: Path) -> None:
    plan = Plan()
    with Store.create_or_open(db_path, plan) as store:
        queue_ids(store, [550, 551, 552, 553])
        store.save_item(record_550(550))
        store.mark(551, "not_found", "The resource you requested could not be found.")
        store.mark(552, "failed", "HTTP 503: Service offline")
        counts = store.counts()
        assert (counts.ids, counts.done, counts.not_found, counts.failed, counts.pending) == (
            4,
            1,
            1,
            1,
            1,
        )
        assert store.failures() == [
            (551, "not_found", "The resource you requested could not be found."),
            (552, "failed", "HTTP 503: Service offline"),
        ]
        assert store.requeue(store.ids_with_status("failed")) == 1
        assert store.ids_with_status("pending") == [552, 553]


def test_plan_mismatch_is_explained(db_path: Path) -> None:
    Store.create_or_open(db_path, Plan()).close()
    with pytest.raises(PlanMismatchError, match=r"popular_pages: 250 -> 10.*force_plan=True"):
        Store.create_or_open(db_path, Plan(popular_pages=10))
    with Store.create_or_open(db_path, Plan(popular_pages=10), force_plan=True) as store:
        assert store.plan() == Plan(popular_pages=10)


def test_a_split_querys_page_count_cannot_change(db_path: Path) -> None:
    """A query split by date pages its halves: --force-plan may change other queries' page
    counts, but that one's is refused rather than silently kept."""
    import datetime as dt
    from dataclasses import replace

    plan = Plan(genre_pages="all", genres=(28,))
    query = plan.harvest_queries()[1]
    with Store.create_or_open(db_path, plan) as store:
        store.add_query(query)
        halves = [query.with_dates(dt.date(1970, 1, 1), dt.date(1999, 12, 31))]
        store.split_query(query.key, halves)
        store.add_query(query)  # the same count again: fine
        with pytest.raises(PlanMismatchError, match=r"split by date.*\(all -> 10\)"):
            store.add_query(replace(query, max_pages=10))
        popular = plan.harvest_queries()[0]
        store.add_query(replace(popular, max_pages=3))  # not split: changes
        assert {s.query.key: s.query.max_pages for s in store.queries()}[popular.key] == 3


def test_refuses_a_file_that_is_not_ours(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("my precious notes\n" * 100)
    before = text.read_bytes()
    with pytest.raises(NotOurDatabaseError, match="not a tmdb-collector database"):
        Store.create_or_open(text, Plan())
    assert text.read_bytes() == before
    other = tmp_path / "other.sqlite"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    before = other.read_bytes()
    with pytest.raises(NotOurDatabaseError):
        Store.open_existing(other)
    assert other.read_bytes() == before
    assert not Path(str(other) + "-wal").exists()


def test_refuses_a_corrupt_database(db_path: Path) -> None:
    Store.create_or_open(db_path, Plan()).close()
    data = bytearray(db_path.read_bytes())
    data[0:16] = b"garbage garbage!"
    db_path.write_bytes(bytes(data))
    with pytest.raises(NotOurDatabaseError):
        Store.open_existing(db_path)


def test_missing_database_and_directory(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no collection database"):
        Store.open_existing(tmp_path / "nothing.db")
    with pytest.raises(UsageError, match="is a directory"):
        Store.create_or_open(tmp_path, Plan())
    with pytest.raises(UsageError, match="does not exist"):
        Store.create_or_open(tmp_path / "missing" / "x.db", Plan())


def test_a_second_collector_is_refused(db_path: Path) -> None:
    with Store.create_or_open(db_path, Plan()):
        with pytest.raises(StoreLockedError, match="another tmdb-collector process"):
            Store.create_or_open(db_path, Plan())
        Store.open_existing(db_path).close()  # readers (status, export) are welcome
    Store.create_or_open(db_path, Plan()).close()


def test_movies_json_has_the_seed_shape(db_path: Path, tmp_path: Path) -> None:
    with Store.create_or_open(db_path, Plan()) as store:
        queue_ids(store, [550, 13, 551])
        store.save_item(record_550(550))
        store.save_item(record_550(13))
        store.mark(551, "not_found", "gone")
        out = tmp_path / "movies.json"
        assert export(store, "json", out) == 2
    data = json.loads(out.read_text(encoding="utf-8"))
    assert list(data) == ["13", "550"]
    movie = data["550"]
    assert list(movie) == ["id", "details", "credits", "keywords", "recommendations"]
    assert movie["id"] == 550
    assert movie["details"] == load_sample("movie_550_details.json")
    assert movie["credits"] == load_sample("movie_550_credits.json")
    assert movie["keywords"] == load_sample("movie_550_keywords.json")
    assert movie["recommendations"] == load_sample("movie_550_recommendations_page1.json")
    lines = tmp_path / "movies.jsonl"
    with Store.open_existing(db_path) as store:
        assert export(store, "jsonl", lines) == 2
    records = [json.loads(line) for line in lines.read_text(encoding="utf-8").splitlines()]
    assert records == [data["13"], data["550"]]


def test_export_of_an_empty_collection_is_valid_json(db_path: Path, tmp_path: Path) -> None:
    with Store.create_or_open(db_path, Plan()) as store:
        assert export(store, "json", tmp_path / "m.json") == 0
    assert json.loads((tmp_path / "m.json").read_text()) == {}


def test_export_is_atomic_and_checks_its_target(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "movies.json"
    out.write_text('{"keep": "me"}')
    with Store.create_or_open(db_path, Plan()) as store:
        queue_ids(store, [550])
        store.save_item(record_550())
        with pytest.raises(UsageError, match="is a directory"):
            export(store, "json", tmp_path)
        with pytest.raises(UsageError, match="does not exist"):
            export(store, "json", tmp_path / "nowhere" / "m.json")
        with pytest.raises(UsageError, match="unknown export format"):
            export(store, "xml", out)

        import tmdb_collector.export.exporter as export_module

        def full_disk(rows: object, keys: object, handle: object) -> int:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(export_module, "write_records_json", full_disk)
        with pytest.raises(ExportError, match="No space left on device"):
            export(store, "json", out)
    assert out.read_text() == '{"keep": "me"}'
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["collection.db", "movies.json"])


def test_an_export_gets_the_mode_of_an_ordinary_file(tmp_path: Path) -> None:
    from tmdb_collector.export.atomic import atomic_text_files

    old = os.umask(0o022)
    try:
        with atomic_text_files([tmp_path / "b.json", tmp_path / "b.json.manifest.json"]) as files:
            for text in files:
                text.write("{}")
    finally:
        os.umask(old)
    for name in ("b.json", "b.json.manifest.json"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o644


def test_an_export_is_on_disk_before_it_takes_its_name_and_its_name_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each file is fsynced before its rename, and the directory after the renames: a power
    cut leaves the old export or the whole new one."""
    from tmdb_collector.export.atomic import atomic_text_files

    durability = Durability(monkeypatch)
    targets = [tmp_path / "b.json", tmp_path / "b.json.manifest.json"]
    with atomic_text_files(targets) as files:
        for text in files:
            text.write("{}")
    assert [target for _, target in durability.replaced()] == [str(t) for t in targets]
    for source, _ in durability.replaced():
        assert durability.synced_before(source)
    assert durability.directory_synced_after(targets[-1])


# A child that stages an export (a file and a table export's folder), says so, then waits.
_STAGING_CHILD = """
import sys
from pathlib import Path
from tmdb_collector.export.atomic import atomic_text_files, staging_directory
out = Path(sys.argv[1])
(staging_directory(out.parent) / "movies.parquet").write_text("half")
with atomic_text_files([out]) as (data,):
    data.write("half")
    data.flush()
    print("staged", flush=True)
    sys.stdin.read()
"""


def test_what_a_killed_export_staged_goes_with_the_next_export(
    db_path: Path, tmp_path: Path
) -> None:
    """SIGKILL leaves an export's staging files (as big as the export) beside its target: the
    next export there removes them, and leaves a running export's alone."""
    out = tmp_path / "out" / "movies.json"
    out.parent.mkdir()
    command = [sys.executable, "-c", _STAGING_CHILD, str(out)]
    with (
        Store.create_or_open(db_path, Plan()) as store,
        subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        ) as child,
    ):
        assert child.stdout is not None
        assert child.stdout.readline() == "staged\n"
        staged = sorted(path.name for path in out.parent.iterdir())
        assert len(staged) == 2
        queue_ids(store, [550])
        store.save_item(record_550())
        export(store, "json", out)
        assert sorted(path.name for path in out.parent.iterdir()) == sorted(
            [*staged, "movies.json", "movies.json.manifest.json"]
        )
        child.kill()
        child.wait()
        export(store, "duckdb", out.with_name("movies.duckdb"))
        export(store, "json", out)
    assert sorted(path.name for path in out.parent.iterdir()) == [
        "movies.duckdb",
        "movies.duckdb.manifest.json",
        "movies.json",
        "movies.json.manifest.json",
    ]
    assert "550" in json.loads(out.read_text())
