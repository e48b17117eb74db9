"""Every export carries its provenance in a manifest.json, written atomically with the data."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.cli_helpers import TEST_KEY
from tests.conftest import SmallCollection
from tmdb_collector import ATTRIBUTION, __version__
from tmdb_collector.errors import ExportError
from tmdb_collector.export.exporter import export
from tmdb_collector.export.formats import TABLE_FORMATS
from tmdb_collector.export.manifest import (
    MANIFEST_NAME,
    manifest_path,
    read_listed,
    shareable_base_url,
)
from tmdb_collector.status import collection_status
from tmdb_collector.store.store import Store


def run_export(collection: SmallCollection, fmt: str, out: Path) -> int:
    with Store.open_existing(collection.db) as store:
        return export(store, fmt, out)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def moment(text: str) -> dt.datetime:
    """An ISO time to the second (the store and the manifest keep different precisions)."""
    return dt.datetime.fromisoformat(text).replace(microsecond=0)


def check_provenance(manifest: dict[str, Any], collection: SmallCollection, fmt: str) -> None:
    with Store.open_existing(collection.db) as store:
        status = collection_status(store)
        created = store.meta("created_at")
        newest_fetch = max(when for _, when in store.fetched_at() if when)  # the server's clock
    assert manifest["tool"] == {"name": "tmdb-collector", "version": __version__}
    assert manifest["source"]["base_url"] == collection.base_url
    assert manifest["plan"] == status["plan"]
    assert manifest["collection"]["created_at"] == created
    assert manifest["collection"]["last_sync"] == status["last_sync"] is not None
    assert created is not None
    assert moment(manifest["export"]["exported_at"]) >= moment(created)
    assert manifest["collection"]["last_fetched_at"] == newest_fetch is not None
    assert manifest["export"]["format"] == fmt
    assert manifest["attribution"] == ATTRIBUTION


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_a_file_export_has_a_manifest_beside_it(
    small_collection: SmallCollection, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"movies.{fmt}"
    count = run_export(small_collection, fmt, out)
    manifest_file = tmp_path / f"movies.{fmt}.manifest.json"
    manifest = read_json(manifest_file)
    check_provenance(manifest, small_collection, fmt)
    lines = out.read_text(encoding="utf-8").splitlines()
    written = len(read_json(out)) if fmt == "json" else len(lines)
    assert written == count > 20
    assert manifest["export"]["files"] == [{"name": out.name, "rows": count}]
    assert TEST_KEY not in manifest_file.read_text(encoding="utf-8")


def rows_in(path: Path) -> int:
    if path.suffix == ".parquet":
        return int(pq.read_metadata(path).num_rows)
    with open(path, encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1  # less the header


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_table_export_has_a_manifest_with_each_tables_rows(
    small_collection: SmallCollection, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / "tables"
    run_export(small_collection, fmt, out)
    manifest = read_json(out / "manifest.json")
    check_provenance(manifest, small_collection, fmt)
    files = {entry["name"]: entry["rows"] for entry in manifest["export"]["files"]}
    on_disk = {p.name for p in out.iterdir()} - {"manifest.json"}
    assert set(files) == on_disk
    assert {f"movies.{fmt}", f"crew.{fmt}", f"provenance.{fmt}"} <= on_disk
    for name, rows in files.items():
        assert rows_in(out / name) == rows, name
    assert files[f"cast.{fmt}"] > files[f"movies.{fmt}"] > 20


def test_a_failed_export_keeps_the_previous_data_and_manifest(
    small_collection: SmallCollection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "movies.json"
    run_export(small_collection, "json", out)
    manifest_file = tmp_path / "movies.json.manifest.json"
    before = (out.read_bytes(), manifest_file.read_bytes())

    def broken_rows(self: Store, parts: object, **reads: bool) -> Any:
        yield from ()
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Store, "iter_items", broken_rows)
    with pytest.raises(ExportError):
        run_export(small_collection, "json", out)
    assert (out.read_bytes(), manifest_file.read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["movies.json", manifest_file.name]


def test_a_published_base_url_loses_user_info_and_query() -> None:
    assert (
        shareable_base_url("https://user:s3cret@gw.example:8443/3") == "https://gw.example:8443/3"
    )
    assert shareable_base_url("https://api.themoviedb.org/3") == "https://api.themoviedb.org/3"
    assert shareable_base_url("http://[::1]:9000/3") == "http://[::1]:9000/3"


@pytest.mark.parametrize("fmt", ["parquet", "duckdb"])
def test_the_manifest_reads_back_as_written(
    small_collection: SmallCollection, tmp_path: Path, fmt: str
) -> None:
    directory = fmt in TABLE_FORMATS
    out = tmp_path / ("tables" if directory else "movies.duckdb")
    run_export(small_collection, fmt, out)
    written = read_json(manifest_path(out, directory=directory))["export"]["files"]
    listed = read_listed(out, directory=directory)
    assert listed.files == {entry["name"]: entry["rows"] for entry in written}
    if directory:
        assert listed.tables == {}
        assert listed.table_rows(directory=True)["movies"] == listed.files["movies.parquet"] > 20
    else:
        assert listed.tables == written[0]["tables"]
        assert listed.table_rows(directory=False)["movies"] > 20


@pytest.mark.parametrize("text", ["[]", '{"export": {}}', '{"export": {"files": [7]}}', "{"])
def test_a_manifest_that_lists_no_files_is_refused(tmp_path: Path, text: str) -> None:
    (tmp_path / MANIFEST_NAME).write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="lists no export's files"):
        read_listed(tmp_path, directory=True)
