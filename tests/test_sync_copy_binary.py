"""The sync's COPY stream in PostgreSQL's binary format (sync/copy_binary.py), loaded by a real
server (tests/support/postgres.py) and read back: every column kind with its nulls and edges
(empty strings and lists, NUL characters dropped, dates before 2000 and around it, timestamps,
the largest integers, NaN and infinities, -0.0), sliced and chunked columns, a batch too large
to join at once, and an empty one."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import Any

import psycopg
import pyarrow as pa
import pytest

from tests.support.postgres import PgServer
from tmdb_collector.export.arrow_types import arrow_schema
from tmdb_collector.media.table_schema import Column, Kind
from tmdb_collector.sync import copy_binary
from tmdb_collector.sync.copy_binary import CopyData, copy_data
from tmdb_collector.sync.pg_schema import PG_TYPES, copy_statement, create_table

UTC = dt.UTC
BIG = 2**63 - 1
KINDS: tuple[Kind, ...] = ("int", "float", "bool", "str", "date", "timestamp", "list_str")
KINDS += ("list_int",)  # every kind PostgreSQL gets (checked below), in ROWS' order
COLUMNS = tuple(Column(f"c_{kind}", kind) for kind in KINDS)
# One row per line, in the columns' order; the NUL characters are dropped on the way.
ROWS: list[tuple[Any, ...]] = [
    (0, 0.0, False, "", dt.date(2000, 1, 1), dt.datetime(2000, 1, 1, tzinfo=UTC), [], []),
    (
        BIG,
        math.inf,
        True,
        'a "quoted", comma; back\\slash\ttab\nline',
        dt.date(1999, 12, 31),
        dt.datetime(2026, 11, 24, 12, 34, 56, 789000, tzinfo=UTC),
        ["a", "", 'b "c"', "{d}"],
        [1, -BIG - 1, BIG],
    ),
    (
        -BIG - 1,
        -math.inf,
        None,
        "caf\u00e9 \u2603 \U0001f3ac",
        dt.date(1970, 1, 1),
        dt.datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC),
        ["x\x00y", "\x00"],
        [None, 7],
    ),
    (None, math.nan, True, "nul\x00inside\x00", dt.date(9999, 12, 31), None, None, None),
    (-1, -0.0, False, None, None, dt.datetime(1900, 3, 1, tzinfo=UTC), [None, "z"], [0]),
    (42, 5e-324, None, "\x00", dt.date(1, 1, 1), None, ["only"], []),
    (None, None, None, None, None, None, None, None),
]


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def _comparable(value: Any) -> Any:
    """Floats by their bits' meaning (NaN equal to NaN, -0.0 not 0.0)."""
    if isinstance(value, float):
        return ("nan",) if math.isnan(value) else (value, math.copysign(1.0, value))
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


def _table(rows: list[tuple[Any, ...]]) -> Any:
    schema = arrow_schema(COLUMNS)
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(COLUMNS)
    arrays = [pa.array(list(c), type=f.type) for c, f in zip(columns, schema, strict=True)]
    return pa.Table.from_arrays(arrays, schema=schema)


@pytest.fixture
def conn(pg_server: PgServer) -> Iterator[psycopg.Connection[Any]]:
    """A connection whose schema ``binary_copy`` lives in its transaction, rolled back after."""
    with psycopg.connect(pg_server.dsn()) as connection:
        connection.execute("CREATE SCHEMA binary_copy")
        yield connection
        connection.rollback()


def _loaded(conn: psycopg.Connection[Any], *streams: CopyData) -> list[tuple[Any, ...]]:
    """The rows of ``streams``, each COPYed into a table of :data:`COLUMNS`, in order."""
    conn.execute("DROP TABLE IF EXISTS binary_copy.t")
    conn.execute(create_table("binary_copy", "t", COLUMNS))
    statement = copy_statement("binary_copy", "t", COLUMNS)
    with conn.cursor() as cur:
        for stream in streams:
            with cur.copy(statement.encode()) as copy:
                for chunk in stream:
                    copy.write(chunk)
        cur.execute("SELECT * FROM binary_copy.t")
        return [tuple(row) for row in cur.fetchall()]


def _expected(rows: list[tuple[Any, ...]]) -> list[Any]:
    return sorted((_comparable(_without_nul(list(row))) for row in rows), key=repr)


def _got(rows: list[tuple[Any, ...]]) -> list[Any]:
    return sorted((_comparable(list(row)) for row in rows), key=repr)


def test_every_kind_with_its_edges_loads_as_built(conn: psycopg.Connection[Any]) -> None:
    assert sorted(KINDS) == sorted(PG_TYPES)
    assert _got(_loaded(conn, copy_data(_table(ROWS)))) == _expected(ROWS)


def test_sliced_and_chunked_columns_load_their_own_rows(conn: psycopg.Connection[Any]) -> None:
    table = _table(ROWS)
    sliced = table.slice(2, 3)  # every column starts past its buffers' first values
    chunked = pa.concat_tables([table.slice(0, 3), table.slice(3)])
    assert chunked.column(0).num_chunks == 2
    assert _got(_loaded(conn, copy_data(sliced))) == _expected(ROWS[2:5])
    assert _got(_loaded(conn, copy_data(chunked))) == _expected(ROWS)


def test_a_batch_too_large_to_join_is_built_in_parts(
    conn: psycopg.Connection[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = copy_data(_table(ROWS))
    monkeypatch.setattr(copy_binary, "MAX_JOINED", 200)  # a row or two at a time
    parts = copy_data(_table(ROWS))
    assert len(parts) > len(whole)
    assert b"".join(parts) == b"".join(whole)
    assert _got(_loaded(conn, parts)) == _expected(ROWS)


def test_an_empty_batch_loads_nothing(conn: psycopg.Connection[Any]) -> None:
    empty = copy_data(_table([]))
    assert b"".join(empty) == copy_binary.SIGNATURE + copy_binary.TRAILER
    assert _loaded(conn, empty) == []
    assert _got(_loaded(conn, empty, copy_data(_table(ROWS[:2])))) == _expected(ROWS[:2])


def test_an_empty_list_is_postgresqls_empty_array(conn: psycopg.Connection[Any]) -> None:
    _loaded(conn, copy_data(_table(ROWS[:1])))
    row = conn.execute(
        "SELECT c_list_str = '{}'::text[], c_list_int = '{}'::bigint[],"
        " cardinality(c_list_str), array_ndims(c_list_int) FROM binary_copy.t"
    ).fetchone()
    assert row == (True, True, 0, None)


def test_a_kind_without_a_binary_form_is_refused() -> None:
    with pytest.raises(TypeError, match="no PostgreSQL binary form"):
        copy_data(pa.table({"x": pa.array([1], pa.int8())}))
