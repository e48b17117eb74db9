"""The vectorized CSV of a table (export/csv_text.py) is byte for byte what Python's csv.writer
writes over csv_cell of each value, for every column kind and the values each renders
differently (floats outside plain notation, -0.0, nan, sub-second timestamps, null list items,
quotes, commas and line ends)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest

from tmdb_collector.export.arrow_types import ARROW_TYPES
from tmdb_collector.export.csv_text import rows_text, table_csv

CHARS = ["a", "b", ",", '"', "\r", "\n", " ", "|", "é", "オ", ""]
ODD_FLOATS = [0.0, -0.0, 1e-5, 1e-4, 1.2345e-4, 9.99e14, 1e15, 1e16, 2.5e-7, 1e300]
ODD_FLOATS += [float("inf"), -float("inf"), float("nan"), 1234567890123456.7]
ODD_STAMPS = [
    dt.datetime(1, 1, 1, tzinfo=dt.UTC),
    dt.datetime(999, 12, 31, 23, 59, 59, 5000, tzinfo=dt.UTC),
    dt.datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=dt.UTC),
]


def generators(r: random.Random) -> dict[str, Callable[[], Any]]:
    def text() -> str | None:
        return (
            None if r.random() < 0.2 else "".join(r.choice(CHARS) for _ in range(r.randint(0, 6)))
        )

    def number() -> float | None:
        pick = r.random()
        if pick < 0.1:
            return None
        if pick < 0.2:
            return float(r.randint(-100, 100))
        if pick < 0.35:
            return r.choice(ODD_FLOATS)
        return r.uniform(-10, 10) * 10 ** r.randint(-5, 16)

    def stamp() -> dt.datetime | None:
        if r.random() < 0.2:
            return None
        if r.random() < 0.1:  # the years Arrow's text pads, the last millisecond
            return r.choice(ODD_STAMPS)
        millis = r.randint(0, 999) if r.random() < 0.1 else 0
        start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
        return start + dt.timedelta(seconds=r.randint(0, 10**9), milliseconds=millis)

    def maybe(make: Callable[[], Any]) -> Callable[[], Any]:
        return lambda: None if r.random() < 0.2 else make()

    return {
        "int": maybe(lambda: r.randint(-(10**12), 10**12)),
        "float": number,
        "bool": lambda: r.choice([True, False, None]),
        "str": text,
        "date": maybe(lambda: dt.date(r.randint(1, 9999), r.randint(1, 12), r.randint(1, 28))),
        "timestamp": stamp,
        "list_str": maybe(lambda: [text() or "q" for _ in range(r.randint(0, 3))]),
        "list_int": maybe(lambda: [r.randint(0, 99) for _ in range(r.randint(0, 3))]),
    }


@pytest.mark.parametrize("seed", range(6))
def test_table_csv_is_what_csv_writer_writes(seed: int) -> None:
    r = random.Random(seed)
    make = generators(r)
    for _ in range(60):
        kinds = [r.choice(sorted(make)) for _ in range(r.randint(1, 5))]
        rows = r.randint(0, 30)
        columns = [[make[kind]() for _ in range(rows)] for kind in kinds]
        if "list_str" in kinds and rows and r.random() < 0.3:  # a null item: "None", as str()
            columns[kinds.index("list_str")][0] = ["x", None]
        arrays = [pa.array(c, ARROW_TYPES[k]) for c, k in zip(columns, kinds, strict=True)]  # type: ignore[index]
        table = pa.Table.from_arrays(arrays, names=[f"c{i}" for i in range(len(kinds))])
        values = [column.to_pylist() for column in table.columns]
        assert bytes(table_csv(table)) == rows_text(zip(*values, strict=True)).encode()
