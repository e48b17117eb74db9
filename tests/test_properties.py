"""Properties that must hold for every input, checked with Hypothesis.

* a plan survives ``to_dict`` -> JSON -> ``from_dict`` unchanged (the store keeps it as JSON);
* splitting a query by release date, again and again, covers every day exactly once;
* the ``/movie/changes`` windows cover every day from the last sync to today exactly once;
* a CSV cell reads back as the value it was made from, through a real CSV writer and reader.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tmdb_collector.engine.harvest import split_by_date
from tmdb_collector.engine.update import MAX_WINDOW_DAYS, windows
from tmdb_collector.media.movie import GENRES, SORT_ORDERS
from tmdb_collector.media.table_schema import LIST_SEPARATOR, csv_cell
from tmdb_collector.plan.plan import ALL_PAGES, HarvestQuery, Plan

DAY = dt.timedelta(days=1)
dates = st.dates(min_value=dt.date(1874, 1, 1), max_value=dt.date(2100, 12, 31))
page_counts = st.integers(min_value=0, max_value=10_000) | st.just(ALL_PAGES)
languages = st.from_regex(r"[a-z]{2}", fullmatch=True)


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    start, end = sorted([draw(dates), draw(dates)])
    return Plan(
        popular_pages=draw(page_counts),
        popular_original_language=draw(languages),
        genres=tuple(draw(st.lists(st.sampled_from(list(GENRES)), unique=True))),
        genre_pages=draw(page_counts),
        vote_count_gte=draw(st.integers(min_value=0, max_value=10**9)),
        release_date_gte=start.isoformat(),
        release_date_lte=end.isoformat(),
        original_language=draw(languages),
        sort_by=draw(st.sampled_from(SORT_ORDERS)),
        language=draw(st.from_regex(r"[a-z]{2}(-[A-Z]{2})?", fullmatch=True)),
        ids_from=draw(st.none() | st.text(min_size=1)),
        min_popularity=draw(
            st.floats(min_value=0, allow_nan=False, allow_infinity=False)
            | st.integers(min_value=0, max_value=10**6)
        ),
        include_adult=draw(st.booleans()),
        include_video=draw(st.booleans()),
    )


@given(plans())
def test_a_plan_round_trips_through_json(plan: Plan) -> None:
    stored = json.dumps(plan.to_dict())
    again = Plan.from_dict(json.loads(stored))
    assert again == plan
    assert again.differences(plan) == []
    assert again.harvest_queries() == plan.harvest_queries()


def discover_query(start: dt.date, end: dt.date) -> HarvestQuery:
    plan = Plan(release_date_gte=start.isoformat(), release_date_lte=end.isoformat())
    return plan.harvest_queries()[1]  # the first genre's /discover/movie query


def span(query: HarvestQuery) -> tuple[dt.date, dt.date]:
    dates_range = query.date_range()
    assert dates_range is not None
    return dates_range


def assert_partition(spans: list[tuple[dt.date, dt.date]], start: dt.date, end: dt.date) -> None:
    """``spans`` cover ``start``..``end``, every day exactly once: no gap, no overlap."""
    spans = sorted(spans)
    assert spans[0][0] == start
    assert spans[-1][1] == end
    for (_, before), (after, _) in itertools.pairwise(spans):
        assert after == before + DAY
    assert all(first <= last for first, last in spans)


@given(start=dates, length=st.integers(min_value=0, max_value=40_000), data=st.data())
def test_splitting_by_date_covers_every_day_exactly_once(
    start: dt.date, length: int, data: st.DataObject
) -> None:
    end = min(start + length * DAY, dt.date(2100, 12, 31))
    root = discover_query(start, end)
    leaves, todo = [], [root]
    while todo:  # split as the collector does while a part still has over 500 pages
        query = todo.pop()
        children = split_by_date(query)
        first, last = span(query)
        assert len(children) == (0 if first == last else 2)  # a single day cannot be split
        if children and len(leaves) + len(todo) < 64 and data.draw(st.booleans()):
            for child in children:
                assert without_dates(child) == without_dates(query)
                assert child.key != query.key
            assert_partition([span(child) for child in children], first, last)
            todo.extend(children)
        else:
            leaves.append(query)
    assert_partition([span(leaf) for leaf in leaves], start, end)


def without_dates(query: HarvestQuery) -> dict[str, str]:
    return {k: v for k, v in query.params.items() if not k.startswith("primary_release_date")}


@given(since=dates, length=st.integers(min_value=-30, max_value=3_000))
def test_change_windows_cover_every_day_exactly_once(since: dt.date, length: int) -> None:
    until = since + length * DAY
    spans = list(windows(since, until))
    if until < since:
        assert spans == []
        return
    assert_partition(spans, since, until)
    assert all((end - start).days < MAX_WINDOW_DAYS for start, end in spans)
    assert len(spans) == math.ceil((length + 1) / MAX_WINDOW_DAYS)  # as few as the limit allows


cell_values = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.dates()
    | st.lists(st.integers(min_value=0, max_value=2**40))
    | st.lists(st.text(alphabet=st.characters(exclude_characters=LIST_SEPARATOR), min_size=1))
)


def read_back(value: Any, cell: str) -> Any:
    """What a reader who knows the column's type makes of a cell."""
    if value is None:
        return None if cell == "" else cell
    if isinstance(value, bool):
        return {"true": True, "false": False}[cell]
    if isinstance(value, int):
        return int(cell)
    if isinstance(value, float):
        return float(cell)
    if isinstance(value, dt.date):
        return dt.date.fromisoformat(cell)
    if isinstance(value, list):
        items = cell.split(LIST_SEPARATOR) if cell else []
        return [int(item) for item in items] if value and isinstance(value[0], int) else items
    return cell


@given(st.lists(cell_values, min_size=1, max_size=8))
def test_csv_cells_read_back_as_their_values(row: list[Any]) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)  # as tables.py
    writer.writerow([csv_cell(value) for value in row])
    (cells,) = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert len(cells) == len(row)
    for value, cell in zip(row, cells, strict=True):
        back = read_back(value, cell)
        assert back == value
        if isinstance(value, float):  # -0.0 too
            assert math.copysign(1, back) == math.copysign(1, value)
