"""export/compute.py: the compute functions the table export's fast paths call give what
``pyarrow.compute``'s give, and a people's table export from the CLI never imports
``pyarrow.compute`` (~0.04 CPU s of its start: docs/benchmarks.md)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as arrow_compute
import pyarrow.parquet as pq
import pytest

from tests.cli_helpers import modules_an_export_loads
from tests.support.store import queue_ids
from tests.test_compact_store import person
from tests.test_tables import EXPORTED
from tmdb_collector.export import compute
from tmdb_collector.fetch.records import ItemRecord
from tmdb_collector.media import MOVIE
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store

INTS = pa.array([3, None, 1, 2], pa.int32())
TEXTS = pa.array(["2024-05-01", "", None, "x"], pa.string())
FLAGS = pa.array([True, False, None, True])
LISTS = pa.array([[1, 2], None, [], [3]], pa.list_(pa.int64()))
STRUCTS = pa.array(
    [{"a": 1, "b": "x"}, None, {"a": None, "b": "y"}],
    pa.struct([("a", pa.int64()), ("b", pa.string())]),
)
ORDER = pa.array([2, 0, 3, 1], pa.int64())

CALLS: dict[str, Callable[[Any], Any]] = {
    "add": lambda m: m.add(INTS, 1),
    "and_": lambda m: m.and_(FLAGS, FLAGS),
    "binary_length": lambda m: m.binary_length(TEXTS),
    "coalesce": lambda m: m.coalesce(TEXTS, "none"),
    "cumulative_sum": lambda m: m.cumulative_sum(m.fill_null(INTS, 0)),
    "divide": lambda m: m.divide(INTS, 2),
    "equal": lambda m: m.equal(TEXTS, ""),
    "if_else": lambda m: m.if_else(FLAGS, "cast", "crew"),
    "inverse_permutation": lambda m: m.inverse_permutation(ORDER),
    "is_null": lambda m: m.is_null(LISTS),
    "less": lambda m: m.less(ORDER, 2),
    "list_flatten": lambda m: m.list_flatten(LISTS),
    "list_parent_indices": lambda m: m.list_parent_indices(LISTS),
    "list_value_length": lambda m: m.list_value_length(LISTS),
    "multiply": lambda m: m.multiply(INTS, 3),
    "subtract": lambda m: m.subtract(INTS, 1),
    "take": lambda m: m.take(INTS, ORDER),
    "take a table": lambda m: m.take(pa.table({"i": INTS}), ORDER),
    "cast": lambda m: m.cast(INTS, pa.int64()),
    "cast a date": lambda m: m.cast(TEXTS[:1], pa.date32()),
    "fill_null keeps the type": lambda m: m.fill_null(INTS, 0),
    "fill_null with a scalar": lambda m: m.fill_null(TEXTS, pa.scalar("-")),
    "struct_field": lambda m: m.struct_field(STRUCTS, "b"),
    "match_substring_regex": lambda m: m.match_substring_regex(TEXTS, r"^\d{4}-"),
    "any": lambda m: m.any(FLAGS),
    "any of nothing": lambda m: m.any(pa.array([], pa.bool_())),
    "all": lambda m: m.all(FLAGS),
    "all of nothing": lambda m: m.all(pa.array([], pa.bool_()), min_count=0),
}


@pytest.mark.parametrize("name", CALLS)
def test_each_function_gives_what_pyarrow_compute_gives(name: str) -> None:
    ours, theirs = CALLS[name](compute), CALLS[name](arrow_compute)
    if isinstance(theirs, pa.Table):
        assert ours.equals(theirs, check_metadata=True)
    else:
        assert ours.type == theirs.type
        assert ours.equals(theirs)


def test_the_functions_refuse_what_pyarrow_compute_refuses() -> None:
    with pytest.raises(pa.ArrowInvalid):
        compute.cast(TEXTS, pa.date32())  # "" and "x" are no dates
    with pytest.raises(pa.ArrowInvalid):
        compute.cast(pa.array([300], pa.int64()), pa.int8())  # a safe cast


def test_another_name_is_pyarrow_computes() -> None:
    assert compute.utf8_length is arrow_compute.utf8_length


@pytest.fixture
def people_collection(tmp_path: Path) -> Path:
    """Three movies and 30 people held (``collect --linked people``), 8 credits each."""
    db = tmp_path / "people.db"
    words = random.Random(3)
    fetched = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    with Store.create_or_open(db, Plan()) as store:
        queue_ids(store, list(EXPORTED))
        for movie_id, make in EXPORTED.items():
            store.save_item(ItemRecord.from_parts(movie_id, make(), MOVIE))
        people = [person(n, words) for n in range(1, 31)]
        store.queue_linked("person", [one.id for one in people])
        for one in people:
            store.save_linked("person", ItemRecord(one.id, one.details, one.parts, fetched))
    return db


def test_a_people_table_export_never_imports_pyarrow_compute(
    people_collection: Path, tmp_path: Path
) -> None:
    """Failed before export/compute.py: columnar, csv_text and availability_table imported
    ``pyarrow.compute``, and ``Array.take`` imports it too."""
    out = tmp_path / "out"
    args = ["--db", str(people_collection), "--format", "parquet", "--out", str(out)]
    args += ["--tables", "people,person_credits"]
    assert modules_an_export_loads(args, {"pyarrow.compute"}) == set()
    assert pq.read_table(out / "people.parquet").num_rows == 30
    assert pq.read_table(out / "person_credits.parquet").num_rows == 30 * 8
