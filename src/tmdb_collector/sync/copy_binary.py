"""A batch's rows (a ``pyarrow.Table`` built by the table export) as the data of ``COPY ...
FROM STDIN (FORMAT binary)``, built by Arrow's kernels over whole columns (no Python loop per
value, and mostly without Python's lock).

PostgreSQL reads the binary format with less work than CSV: no numbers, dates or array literals
to parse (measured in docs/benchmarks.md, #26). The data is a signature, then each row: a 16-bit
count of fields, and each field as a 32-bit length (-1: NULL) and its bytes, all big-endian;
then a 16-bit -1. A batch's rows are made by joining *pieces* row by row
(``binary_join_element_wise``): each column gives its lengths and its values, each a binary
array (a null value adds no bytes), and the bytes that are the same in every row (the field
count, a column without nulls' length) are a scalar. A list is a one-dimensional array of its
element type (an empty list: of length 0, which PostgreSQL reads as ``{}``), whose elements are
made the same way. Text cannot hold NUL in PostgreSQL: a NUL character in a string is dropped.
"""

from __future__ import annotations

import array
import struct
import sys
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from tmdb_collector.sync.pg_schema import CopyData

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # the signature, no flags, no header extension
TRAILER = struct.pack(">h", -1)
# What PostgreSQL's dates and timestamps count from: 2000-01-01, in days and microseconds
# since 1970-01-01 (Arrow's origin).
PG_EPOCH_DAYS = 10_957
PG_EPOCH_MICROS = PG_EPOCH_DAYS * 86_400 * 1_000_000
MICROS = {"s": 1_000_000, "ms": 1_000, "us": 1}  # a timestamp unit's microseconds
ARRAY_OIDS = {"string": 25, "int64": 20}  # the element types of text[] and bigint[]
LOWER_BOUND = struct.pack(">i", 1)  # an array's first index
# The typecodes of array.array whose items are 8, 4 and 2 bytes long (swapped to big-endian).
_SWAPS = {array.array(code).itemsize: code for code in ("q", "l", "i", "h")}
# A batch's rows are joined into one binary array (32-bit offsets): a larger one in parts.
MAX_JOINED = (1 << 31) - 1


def copy_data(table: Any) -> CopyData:
    """A batch's rows as COPY's binary data."""
    return (SIGNATURE, *_rows(table), TRAILER)


def _rows(table: Any) -> list[memoryview]:
    if not table.num_rows:
        return []
    pieces = _Pieces(struct.pack(">h", table.num_columns))
    for column in table.columns:
        pieces.field(column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column)
    if table.num_rows > 1 and pieces.size(table.num_rows) > MAX_JOINED:
        half = table.num_rows // 2
        return _rows(table.slice(0, half)) + _rows(table.slice(half))
    joined = pieces.joined()
    offsets = memoryview(joined.buffers()[1]).cast("i")
    start, end = offsets[joined.offset], offsets[joined.offset + len(joined)]
    return [memoryview(joined.buffers()[2])[start:end]]


class _Pieces:
    """A row's pieces in order: binary arrays, and the bytes between them that every row has."""

    def __init__(self, constant: bytes = b"") -> None:
        self.pieces: list[Any] = []
        self.constant = constant  # not yet a piece: more may follow

    def field(self, values: Any) -> None:
        """A column's fields: each one's length and bytes."""
        kind = values.type
        if pa.types.is_string(kind):
            values = _no_nul(values)
            self._add(_lengths(pc.binary_length(values)))
            self._add(values.cast(pa.binary()))
        elif pa.types.is_list(kind):
            self._list(values)
        else:
            fixed = _fixed_width(values)
            width = fixed.type.bit_width // 8
            if values.null_count:
                self._add(_lengths(pc.if_else(values.is_valid(), width, None).cast(pa.int32())))
            else:
                self.constant += struct.pack(">i", width)
            self._add(_big_endian(fixed))

    def _list(self, lists: Any) -> None:
        """A list column: each list as an array of one dimension (its length, lower bound 1)."""
        elements = _elements(lists)
        header = pa.scalar(20, pa.int32())  # the bytes before the elements
        self._add(_lengths(pc.add(pc.binary_length(elements), header)))  # null list: -1
        head = struct.pack(">iiI", 1, 0, _array_oid(lists.type.value_type))  # dims, flags, type
        counts = _big_endian(pc.list_value_length(lists))  # null where the list is
        if lists.null_count:  # a null list has no header: the pieces, joined with its null
            row = [pa.scalar(head, pa.binary()), counts, pa.scalar(LOWER_BOUND, pa.binary())]
            self._add(pc.binary_join_element_wise(*row, b""))
        else:
            self.constant += head
            self._add(counts)
            self.constant += LOWER_BOUND
        self._add(elements)

    def _add(self, values: Any) -> None:
        self._close()
        self.pieces.append(values)

    def _close(self) -> None:
        if self.constant:
            self.pieces.append(pa.scalar(self.constant, pa.binary()))
            self.constant = b""

    def joined(self) -> Any:
        """Each row's pieces joined: a binary array (a null piece adds nothing)."""
        self._close()
        return pc.binary_join_element_wise(
            *self.pieces, b"", null_handling="replace", null_replacement=b""
        )

    def size(self, rows: int) -> int:
        """The bytes :meth:`joined` would hold."""
        self._close()
        return sum(
            len(piece.as_py()) * rows if isinstance(piece, pa.Scalar) else _data_size(piece)
            for piece in self.pieces
        )


def _no_nul(values: Any) -> Any:
    """``values`` without NUL characters, looked for in the data buffer first (rarely there)."""
    data = values.buffers()[2]
    if data is None or b"\x00" not in data.to_pybytes():
        return values
    return pc.replace_substring(values, "\x00", "")


def _lengths(lengths: Any) -> Any:
    """32-bit lengths, -1 where null: a field's length."""
    return _big_endian(pc.fill_null(lengths, -1) if lengths.null_count else lengths)


def _elements(lists: Any) -> Any:
    """Each list's elements, each as its length and bytes, joined: a binary array, null where
    the list is."""
    each = _Pieces()
    each.field(lists.flatten())  # only the rows' own elements (a slice's, a valid list's)
    counts = pc.list_value_length(lists)
    counts = pc.fill_null(counts, 0) if counts.null_count else counts
    offsets = pa.concat_arrays([pa.array([0], pa.int32()), pc.cumulative_sum(counts)])
    mask = lists.is_null() if lists.null_count else None
    return pc.binary_join(pa.ListArray.from_arrays(offsets, each.joined(), mask=mask), b"")


def _array_oid(kind: Any) -> int:
    try:
        return ARRAY_OIDS[str(kind)]
    except KeyError:
        raise TypeError(f"no PostgreSQL array of {kind}") from None


def _fixed_width(values: Any) -> Any:
    """A fixed-width column's values as PostgreSQL stores them (a number array)."""
    kind = values.type
    if pa.types.is_int64(kind) or pa.types.is_float64(kind):
        return values
    if pa.types.is_boolean(kind):
        return values.cast(pa.int8())
    if pa.types.is_date32(kind):
        return pc.subtract(values.cast(pa.int32()), pa.scalar(PG_EPOCH_DAYS, pa.int32()))
    if pa.types.is_timestamp(kind) and kind.unit in MICROS:
        micros = pc.multiply(values.cast(pa.int64()), MICROS[kind.unit])
        return pc.subtract(micros, PG_EPOCH_MICROS)
    raise TypeError(f"no PostgreSQL binary form for {kind}")


def _big_endian(values: Any) -> Any:
    """A fixed-width array's values as big-endian bytes: a binary array (nulls kept)."""
    width = values.type.bit_width // 8
    held = values.buffers()[1]
    data: Any = memoryview(held or b"")[: (values.offset + len(values)) * width]
    if width > 1 and sys.byteorder == "little":
        swapped = array.array(_SWAPS[width])
        swapped.frombytes(data)
        swapped.byteswap()
        data = swapped
    buffers = [values.buffers()[0], pa.py_buffer(data)]
    fixed = pa.Array.from_buffers(pa.binary(width), len(values), buffers, offset=values.offset)
    return fixed.cast(pa.binary())


def _data_size(values: Any) -> int:
    offsets = memoryview(values.buffers()[1]).cast("i")
    return int(offsets[values.offset + len(values)] - offsets[values.offset])
