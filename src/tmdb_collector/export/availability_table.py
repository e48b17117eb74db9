"""The ``availability`` table (docs/tables.md) a batch of titles at a time, with Arrow compute.

Each title's ``watch/providers`` versions (oldest first) are parsed together by the table
export's columnar path (:mod:`.columnar`), one row per version and offer, then runs of
consecutive versions holding the same offer become intervals: no Python object per offer.
The result equals :func:`tmdb_collector.history.availability.intervals` exactly (the rule);
a batch holding anything that path would not read the same way (an offer listed twice in one
version, a body of another shape) is built by that rule instead.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from tmdb_collector.export import columnar
from tmdb_collector.export.arrow_types import columns_table
from tmdb_collector.history.availability import intervals
from tmdb_collector.media.rows import WATCH_PROVIDERS
from tmdb_collector.media.table_schema import Column
from tmdb_collector.store import codec
from tmdb_collector.store.store import Store
from tmdb_collector.store.versions import Timeline

BATCH_TITLES = 500  # titles per batch (with all their versions)
_KEY = ("country", "provider_id", "offer_type")  # an offer, within a title


def availability_batches(
    store: Store, columns: tuple[Column, ...], *, include_removed: bool = False
) -> Iterator[Callable[[], Any]]:
    """The ``availability`` rows of the collection's titles (as the exports read them), by
    title id, a batch at a time: each batch is read from the database here and returned as a
    function that builds its ``pa.Table`` of ``columns`` (on any thread)."""
    build = columnar.fast_paths(store.media_type.tables).get(WATCH_PROVIDERS)
    id_column = store.media_type.tables.target.id_column
    timelines = store.part_timelines(WATCH_PROVIDERS, include_removed=include_removed)
    while batch := list(islice(timelines, BATCH_TITLES)):
        titles = [(title_id, timeline) for title_id, _, timeline in batch]
        yield functools.partial(batch_table, titles, store.codec, columns, build, id_column)


def batch_table(
    titles: Sequence[tuple[int, Timeline]],
    coder: codec.Codec,
    columns: tuple[Column, ...],
    build: columnar.Builder | None,
    id_column: str,
) -> Any:
    """The intervals of ``titles`` (each ``(title_id, versions)``) as one ``pa.Table``."""
    if build is not None:
        try:
            return _columnar(titles, coder, columns, build, id_column)
        except (columnar.Irregular, pa.ArrowInvalid, pa.ArrowTypeError):
            pass  # built by the rule below, exactly
    rows = [x.row() for title_id, timeline in titles for x in intervals(title_id, timeline, coder)]
    return columns_table(columns, rows)


def _columnar(
    titles: Sequence[tuple[int, Timeline]],
    coder: codec.Codec,
    columns: tuple[Column, ...],
    build: columnar.Builder,
    id_column: str,
) -> Any:
    owner: list[int] = []  # each version's title
    days: list[str] = []  # the first day each version was seen
    ends: list[str | None] = []  # the first day of the version after it (None: the last)
    bodies: list[bytes] = []
    for title_id, timeline in titles:
        for n, (day, body) in enumerate(timeline):
            owner.append(title_id)
            days.append(day)
            ends.append(timeline[n + 1][0] if n + 1 < len(timeline) else None)
            bodies.append(coder.decode(body))
    if not bodies:
        return columns_table(columns, [])
    versions = pa.array(range(len(bodies)), pa.int64())
    (offers,) = build(versions, bodies).values()  # one row per version and offer
    offers = offers.filter(pc.is_valid(offers.column("provider_id")))  # as offers() skips
    version = offers.column(id_column)
    keyed = pa.table({"version": version, **{name: offers.column(name) for name in _KEY}})
    if keyed.group_by(list(keyed.column_names)).aggregate([]).num_rows != len(keyed):
        raise columnar.Irregular  # an offer twice in a version: the rule keeps the last name
    title = pc.take(pa.array(owner, pa.int64()), version)
    keyed = keyed.append_column("title", title)
    order = pc.sort_indices(keyed, sort_keys=[(n, "ascending") for n in ("title", *_KEY)])
    ordered = keyed.take(order).combine_chunks()  # a stable sort: versions stay in order
    names = pc.fill_null(pc.take(offers.column("provider_name"), order), "")
    starts = _run_starts(ordered)
    last = pa.concat_arrays([starts[1:], pa.array([True])])  # ends a run
    runs_end = pc.filter(ordered.column("version"), last)
    first_day = pc.cast(pa.array(days, pa.string()), pa.date32())
    next_day = pc.cast(pa.array(ends, pa.string()), pa.date32())
    began = ordered.filter(starts)
    arrays = [
        began.column("title"),
        began.column("country"),
        began.column("provider_id"),
        pc.filter(names, starts),
        began.column("offer_type"),
        pc.take(first_day, began.column("version")),
        pc.take(next_day, runs_end),
    ]
    return pa.Table.from_arrays(arrays, schema=columns_table(columns, []).schema)


def _run_starts(ordered: Any) -> Any:
    """Whether each row (sorted by title, offer, version) begins a run: another title or
    offer than the row before, or not the version right after its version."""
    if len(ordered) == 0:
        return pa.array([], pa.bool_())
    version = ordered.column("version").combine_chunks()
    same = pc.equal(version[1:], pc.add(version[:-1], 1))  # the version right after
    for name in ("title", *_KEY):
        column = ordered.column(name).combine_chunks()
        same = pc.and_(same, pc.equal(column[1:], column[:-1]))
    return pa.concat_arrays([pa.array([True]), pc.invert(same)])
