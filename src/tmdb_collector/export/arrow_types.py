"""Each column kind's Arrow type, and a table's Arrow schema (pyarrow is loaded only by the
exports that need it: the media types' table facts in :mod:`.table_schema` do not)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from tmdb_collector.media.table_schema import Column, Kind, Row

ARROW_TYPES: dict[Kind, Any] = {
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "str": pa.string(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("ms", tz="UTC"),
    "list_str": pa.list_(pa.string()),
    "list_int": pa.list_(pa.int64()),
}


def arrow_schema(columns: tuple[Column, ...]) -> Any:
    return pa.schema([pa.field(column.name, ARROW_TYPES[column.kind]) for column in columns])


def columns_table(spec: tuple[Column, ...], rows: list[Row]) -> Any:
    """Rows (tuples in column order) -> a ``pa.Table`` of the columns ``spec``."""
    schema = arrow_schema(spec)
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(schema)
    arrays = [
        pa.array(column, type=field.type) for column, field in zip(columns, schema, strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def value_data(strings: Any) -> Any:
    """The bytes of a string or binary array's values one after the other (no nulls; int32
    offsets), as a ``pa.Buffer`` over the array's own data: no copy."""
    offsets = strings.buffers()[1]
    width = 4
    first = int.from_bytes(offsets[strings.offset * width : (strings.offset + 1) * width], "little")
    last = len(strings) + strings.offset
    end = int.from_bytes(offsets[last * width : (last + 1) * width], "little")
    return strings.buffers()[2][first:end]
