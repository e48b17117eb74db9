"""Comparing what the dlt source loaded, in any destination, with the parquet export: table by
table, row for row (tests/test_dlt_source.py, tests/test_dlt_postgres.py)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from tests.support.cli import cli_env
from tmdb_collector.dlt import DELETED

Tables = dict[str, list[dict[str, Any]]]


def export_tables(db: Path, out: Path) -> Tables:
    """The parquet export of ``db`` (through the CLI, as users make it), read back."""
    args = ["export", "--db", str(db), "--format", "parquet", "--out", str(out)]
    result = subprocess.run(
        [sys.executable, "-m", "tmdb_collector", *args],
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return {path.stem: pq.read_table(path).to_pylist() for path in sorted(out.glob("*.parquet"))}


def data_loaded(pipeline: Any) -> dict[str, int]:
    """The rows the pipeline's last run loaded, by table (dlt's own tables left out)."""
    counts: dict[str, int] = pipeline.last_trace.last_normalize_info.row_counts
    return {name: n for name, n in counts.items() if not name.startswith("_dlt")}


def _value(value: Any, data_type: str | None) -> Any:
    """A loaded value as the parquet file holds it: JSON (a list column) parsed where the
    destination gives it back as text, timestamps in UTC."""
    if data_type == "json" and isinstance(value, str):
        return json.loads(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    return value


def _counter(rows: list[dict[str, Any]]) -> Counter[str]:
    return Counter(json.dumps(row, sort_keys=True, default=str) for row in rows)


def assert_same_tables(pipeline: Any, expected: Tables) -> None:
    """Every table ``expected`` has rows in holds exactly those rows (as many of each) at the
    pipeline's destination, with the parquet columns and the hard-delete column, null in
    every row; a table the source made whose rows are all gone is empty."""
    schema = pipeline.default_schema
    present = {name for name in schema.data_table_names() if not name.startswith("_dlt")}
    non_empty = [name for name, rows in expected.items() if rows]
    assert set(non_empty) <= present, set(non_empty) - present
    with pipeline.sql_client() as client:
        for name in sorted(present):
            table = client.make_qualified_table_name(name)
            types = {c: s.get("data_type") for c, s in schema.get_table_columns(name).items()}
            rows = expected.get(name, [])
            if not rows:
                assert client.execute_sql(f"SELECT count(*) FROM {table}")[0][0] == 0, name
                continue
            columns = list(rows[0])
            assert sorted(types) == sorted([*columns, DELETED]), name
            deleted = client.escape_column_name(DELETED)
            marked = client.execute_sql(f"SELECT count(*) FROM {table} WHERE {deleted} IS NOT NULL")
            assert marked[0][0] == 0, name
            selected = ", ".join(client.escape_column_name(c) for c in columns)
            loaded = [
                {c: _value(v, types[c]) for c, v in zip(columns, row, strict=True)}
                for row in client.execute_sql(f"SELECT {selected} FROM {table}")
            ]
            assert len(loaded) == len(rows), name
            assert _counter(loaded) == _counter(rows), name
