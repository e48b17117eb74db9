"""The export's tables as PostgreSQL sees them: each column kind's type, and a batch of rows
(a ``pyarrow.Table`` built by the table export) as the text of ``COPY ... FROM STDIN (FORMAT
csv)``, made by Arrow's CSV writer without Python's lock.

Arrow quotes every string and leaves a null unquoted and empty, which is how PostgreSQL's CSV
tells an empty string from NULL. A list becomes an array literal (``{"a","b"}``) first. Text
cannot hold NUL in PostgreSQL: a NUL character in a string is dropped. pyarrow is imported
where a batch is converted (:mod:`.source` says why).
"""

from __future__ import annotations

import io
from typing import Any

from tmdb_collector.media.table_schema import Column, Kind

PG_TYPES: dict[Kind, str] = {
    "int": "bigint",
    "float": "double precision",
    "bool": "boolean",
    "str": "text",
    "date": "date",
    "timestamp": "timestamp with time zone",
    "list_str": "text[]",
    "list_int": "bigint[]",
}
# How information_schema.columns names them (``data_type``; an array is "ARRAY" there, its
# element type in ``udt_name``): what a table of the same name is checked against.
PG_UDT: dict[Kind, str] = {
    "int": "int8",
    "float": "float8",
    "bool": "bool",
    "str": "text",
    "date": "date",
    "timestamp": "timestamptz",
    "list_str": "_text",
    "list_int": "_int8",
}
COPY_OPTIONS = "FORMAT csv"
# Into a table made in the same transaction (a first load): rows written already frozen, so
# the vacuum that follows a bulk load has nothing to rewrite.
FREEZE = ", FREEZE"


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def column_list(columns: tuple[Column, ...]) -> str:
    return ", ".join(quoted(column.name) for column in columns)


def create_table(
    schema: str, table: str, columns: tuple[Column, ...], key: tuple[str, ...] = ()
) -> str:
    body = ", ".join(f"{quoted(c.name)} {PG_TYPES[c.kind]}" for c in columns)
    if key:
        body += f", PRIMARY KEY ({', '.join(quoted(column) for column in key)})"
    return f"CREATE TABLE {quoted(schema)}.{quoted(table)} ({body})"


def copy_statement(
    schema: str, table: str, columns: tuple[Column, ...], *, freeze: bool = False
) -> str:
    options = COPY_OPTIONS + (FREEZE if freeze else "")
    return f"COPY {quoted(schema)}.{quoted(table)} ({column_list(columns)}) FROM STDIN ({options})"


def copy_bytes(table: Any) -> bytes:
    """A batch's rows as COPY's CSV text."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    arrays = [_for_copy(column) for column in table.columns]
    plain = pa.Table.from_arrays(arrays, names=table.column_names)
    out = io.BytesIO()
    pa_csv.write_csv(plain, out, pa_csv.WriteOptions(include_header=False))
    return out.getvalue()


def _for_copy(column: Any) -> Any:
    import pyarrow as pa

    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    kind = column.type
    if pa.types.is_string(kind):
        return _no_nul(column)
    if pa.types.is_list(kind):
        return _array_literal(column)
    return column


def _no_nul(values: Any) -> Any:
    import pyarrow.compute as pc

    return pc.replace_substring(values, "\x00", "")


def _array_literal(lists: Any) -> Any:
    """``[a, b]`` -> ``{"a","b"}`` (each element quoted, ``\\`` and ``"`` escaped)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    flat = pc.list_flatten(lists)
    text = _no_nul(flat.cast(pa.string()))
    text = pc.replace_substring(text, "\\", "\\\\")
    text = pc.replace_substring(text, '"', '\\"')
    text = pc.binary_join_element_wise('"', text, '"', "")
    lengths = pc.fill_null(pc.list_value_length(lists), 0)
    offsets = pa.concat_arrays(
        [pa.array([0], pa.int64()), pc.cumulative_sum(pc.cast(lengths, pa.int64()))]
    )
    rebuilt = pa.ListArray.from_arrays(pc.cast(offsets, pa.int32()), text, mask=pc.is_null(lists))
    joined = pc.binary_join(rebuilt, ",")
    return pc.binary_join_element_wise("{", joined, "}", "")
