"""A table's rows as CSV bytes, built column by column with Arrow's compute functions.

The bytes are exactly those of Python's ``csv.writer`` (``QUOTE_MINIMAL``, ``\\r\\n`` line ends)
over :func:`~tmdb_collector.media.table_schema.csv_cell` of each value, which stays the rule
(:func:`rows_text` applies it, and is what a column falls back to when a value is outside what
the vectorized path renders the same way). Arrow's kernels run without Python's lock, so a
batch's CSV is made on the export's build threads; cell by cell in Python it took most of a
csv export's time (docs/benchmarks.md).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from tmdb_collector.export.arrow_types import value_data
from tmdb_collector.media.table_schema import LIST_SEPARATOR, csv_cell

LINE_END = "\r\n"
# A cell is quoted when it holds one of these (csv.QUOTE_MINIMAL with a "\r\n" terminator).
NEEDS_QUOTES = '[,"\r\n]'
# Arrow renders a float as the shortest text that reads back, as Python's repr does, but in
# another notation outside this range (and without a trailing ".0").
PLAIN_FLOATS = (1e-4, 1e15)
_EMPTY = pa.scalar("", pa.string())


def rows_text(rows: Iterable[Sequence[Any]]) -> str:
    """Rows of values as CSV text, cell by cell: the rule :func:`table_csv` reproduces."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=LINE_END, quoting=csv.QUOTE_MINIMAL)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return out.getvalue()


def table_csv(table: Any) -> memoryview:
    """A ``pa.Table``'s rows (no header) as the UTF-8 bytes :func:`rows_text` writes (a view
    of Arrow's buffer: copied into Python bytes, the csv export's text cost a copy more)."""
    if table.num_rows == 0:
        return memoryview(b"")
    if table.num_columns == 1:  # csv.writer quotes a row that is one empty cell
        return memoryview(rows_text(zip(table.column(0).to_pylist(), strict=True)).encode())
    cells = [_cells(column.combine_chunks()) for column in table.columns]
    cells[-1] = pc.binary_join_element_wise(cells[-1], _EMPTY, LINE_END)  # the line's end
    return memoryview(value_data(pc.binary_join_element_wise(*cells, ",")))


def _cells(column: Any) -> Any:
    """A column's cells as strings, nulls as empty strings."""
    kind = column.type
    if pa.types.is_string(kind):
        text = column
    elif pa.types.is_integer(kind) or pa.types.is_date32(kind):
        return pc.fill_null(pc.cast(column, pa.string()), "")  # never quoted
    elif pa.types.is_boolean(kind):
        return pc.fill_null(pc.if_else(column, "true", "false"), "")
    elif pa.types.is_floating(kind):
        return _float_cells(column)
    elif pa.types.is_timestamp(kind):
        return _timestamp_cells(column)
    elif pa.types.is_list(kind) and column.flatten().null_count == 0:
        text = pc.binary_join(pc.cast(column, pa.list_(pa.string())), LIST_SEPARATOR)
    else:
        return _python_cells(column)
    return _quoted(pc.fill_null(text, ""))


def _quoted(text: Any) -> Any:
    """Cells holding a comma, a quote or a line end quoted, their quotes doubled (only those
    cells are rewritten: most columns have none)."""
    needs = pc.match_substring_regex(text, NEEDS_QUOTES)
    if not pc.any(needs).as_py():
        return text
    chosen = pc.filter(text, needs)
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(chosen, '"', '""'), '"', _EMPTY)
    return pc.replace_with_mask(text, needs, quoted)


def _float_cells(column: Any) -> Any:
    """``repr`` of each float: Arrow's text where it is plain notation inside
    :data:`PLAIN_FLOATS` (plus ``.0`` when whole), Python's for the others."""
    text = pc.cast(column, pa.string())
    size = pc.abs(column)
    low, high = PLAIN_FLOATS
    inside = pc.or_(pc.equal(size, 0.0), pc.and_(pc.greater_equal(size, low), pc.less(size, high)))
    other = pc.fill_null(pc.or_(pc.invert(inside), pc.match_substring(text, "e")), False)
    whole = pc.invert(pc.match_substring(text, "."))
    text = pc.fill_null(pc.if_else(whole, pc.binary_join_element_wise(text, ".0", ""), text), "")
    if pc.any(other).as_py():
        values = pc.filter(column, other).to_pylist()
        text = pc.replace_with_mask(text, other, pa.array(map(repr, values), pa.string()))
    return text


def _timestamp_cells(column: Any) -> Any:
    """``datetime.isoformat()`` of UTC timestamps: from Arrow's text of milliseconds
    (``YYYY-MM-DD HH:MM:SS.mmm``, read without the zone: with it, 30 times slower), else cell
    by cell."""
    if column.type.tz not in ("UTC", "+00:00") or column.type.unit != "ms":
        return _python_cells(column)
    text = pc.cast(column.cast(pa.timestamp("ms")), pa.string())
    if pc.any(pc.not_equal(pc.binary_length(text), len("YYYY-MM-DD HH:MM:SS.mmm"))).as_py():
        return _python_cells(column)  # a year outside 1-9999
    whole = pc.equal(pc.remainder(pc.cast(column, pa.int64()), 1_000), 0)
    fraction = pc.binary_join_element_wise(pc.utf8_slice_codeunits(text, 19, 23), "000", "")
    fraction = pc.if_else(whole, _EMPTY, fraction)  # isoformat: microseconds, or none
    seconds = pc.replace_substring(pc.utf8_slice_codeunits(text, 0, 19), " ", "T")
    return pc.fill_null(pc.binary_join_element_wise(seconds, fraction, "+00:00", ""), "")


def _python_cells(column: Any) -> Any:
    """The cells by :func:`csv_cell`, one by one (quoted where needed)."""
    return _quoted(pa.array([csv_cell(value) for value in column.to_pylist()], pa.string()))
