"""A parquet table file is opened by its first row group (on the export's writer thread, so
that importing ``pyarrow.parquet`` runs beside the first batches' builds), or by ``close``:
a table without rows is still a file with its columns, and an export stopped before a
table's first row group leaves no file of it to clean up."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tmdb_collector.export import tables
from tmdb_collector.media.table_schema import columns

COLUMNS = columns("person_id:int name:str")


def batch(*ids: int) -> pa.Table:
    return pa.table(
        {"person_id": pa.array(ids, pa.int64()), "name": pa.array([f"p{i}" for i in ids])}
    )


def test_the_file_is_opened_by_its_first_row_group(tmp_path: Path) -> None:
    path = tmp_path / "people.parquet"
    sink = tables._ParquetSink(path, COLUMNS)
    sink.write(batch(1, 2))  # less than a row group: gathered, not written
    assert not path.exists()
    sink.close()
    assert pq.read_table(path).equals(batch(1, 2))


def test_a_table_without_rows_is_a_file_with_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "people.parquet"
    tables._ParquetSink(path, COLUMNS).close()
    read = pq.read_table(path)
    assert read.num_rows == 0
    assert read.column_names == ["person_id", "name"]


def test_an_abort_before_the_first_row_group_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "people.parquet"
    sink = tables._ParquetSink(path, COLUMNS)
    sink.write(batch(1))
    sink.abort()
    sink.abort()  # twice, as an export's cleanup may
    assert not path.exists()
