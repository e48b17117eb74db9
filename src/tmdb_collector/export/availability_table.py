"""The ``availability`` table (docs/tables.md) a batch of titles at a time, with Arrow compute.

Each title's ``watch/providers`` versions (oldest first) are parsed together by the table
export's columnar path (:mod:`.columnar`), one row per version and offer, then runs of
consecutive versions holding the same offer become intervals: no Python object per offer.
The result equals :func:`tmdb_collector.history.availability.intervals` exactly (the rule);
a batch holding anything that path would not read the same way (an offer listed twice in one
version, a body of another shape) is built by that rule instead.

When the same export builds the ``watch_providers`` table, the titles' current versions are
not parsed again: :class:`InStep` walks the titles in step with the export's batches of items,
and each batch's ``availability`` takes their rows from that batch's ``watch_providers``
(:class:`Current`), parsing only the older versions and the titles the items leave out.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Current:
    """A batch of items' ``watch_providers`` table, as its columnar path built it, and each
    item's stored ``watch/providers`` body (the current version) by id."""

    table: Any
    bodies: dict[int, codec.Stored]


class InStep:
    """The titles' timelines read in step with the export's items (both by id): for each batch
    of items, the titles up to its last id (those the items leave out too), then the rest."""

    def __init__(self, store: Store, *, include_removed: bool = False) -> None:
        tables = store.media_type.tables
        self.build = columnar.fast_paths(tables).get(WATCH_PROVIDERS)
        self.id_column = tables.target.id_column
        self._timelines = store.part_timelines(WATCH_PROVIDERS, include_removed=include_removed)
        self._next = next(self._timelines, None)

    def through(self, last_id: int) -> list[tuple[int, Timeline]]:
        """The titles not taken yet, up to ``last_id``."""
        found = []
        while self._next is not None and self._next[0] <= last_id:
            found.append((self._next[0], self._next[2]))
            self._next = next(self._timelines, None)
        return found

    def rest(self) -> Iterator[list[tuple[int, Timeline]]]:
        """The titles not taken yet, :data:`BATCH_TITLES` at a time."""
        while self._next is not None:
            chunk = [(self._next[0], self._next[2])]
            chunk += [
                (title, timeline)
                for title, _, timeline in islice(self._timelines, BATCH_TITLES - 1)
            ]
            self._next = next(self._timelines, None)
            yield chunk

    def close(self) -> None:
        close = getattr(self._timelines, "close", None)
        if close is not None:
            close()


def batch_table(
    titles: Sequence[tuple[int, Timeline]],
    coder: codec.Codec,
    columns: tuple[Column, ...],
    build: columnar.Builder | None,
    id_column: str,
    current: Current | None = None,
) -> Any:
    """The intervals of ``titles`` (each ``(title_id, versions)``) as one ``pa.Table``; a
    title's last version that is its body in ``current`` is taken from there, not parsed."""
    if build is not None:
        try:
            return _columnar(titles, coder, columns, build, id_column, current)
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
    current: Current | None = None,
) -> Any:
    owner: list[int] = []  # each version's title
    days: list[str] = []  # the first day each version was seen
    ends: list[str | None] = []  # the first day of the version after it (None: the last)
    parsed: list[int] = []  # the versions parsed here
    bodies: list[bytes] = []
    taken: dict[int, int] = {}  # title -> its last version, whose rows are in ``current``
    for title_id, timeline in titles:
        for n, (day, body) in enumerate(timeline):
            owner.append(title_id)
            days.append(day)
            last = n + 1 == len(timeline)
            ends.append(None if last else timeline[n + 1][0])
            if last and current is not None and current.bodies.get(title_id) == body:
                taken[title_id] = len(owner) - 1
            else:
                parsed.append(len(owner) - 1)
                bodies.append(coder.decode(body))
    if not owner:
        return columns_table(columns, [])
    offers = _offers(pa.array(parsed, pa.int64()), bodies, build, id_column, current, taken)
    offers = offers.filter(pc.is_valid(offers.column("provider_id")))  # as offers() skips
    version = offers.column(id_column)
    keyed = pa.table({"version": version, **{name: offers.column(name) for name in _KEY}})
    title = pc.take(pa.array(owner, pa.int64()), version)
    keyed = keyed.append_column("title", title)
    order = pc.sort_indices(keyed, sort_keys=[(n, "ascending") for n in ("title", *_KEY)])
    ordered = keyed.take(order).combine_chunks()  # a stable sort: versions stay in order
    if columnar.repeats(*(ordered.column(name) for name in ("version", *_KEY))):
        raise columnar.Irregular  # an offer twice in a version: the rule keeps the last name
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


def _offers(
    versions: Any,
    bodies: list[bytes],
    build: columnar.Builder,
    id_column: str,
    current: Current | None,
    taken: dict[int, int],
) -> Any:
    """One row per version and offer, by version (its index in the id column): the
    ``versions`` parsed from their ``bodies``, then those ``taken`` from ``current``'s table
    (each title's last: after its older versions, as a stable sort by title needs)."""
    pieces = []
    if bodies:
        (table,) = build(versions, bodies).values()
        pieces.append(table)
    if taken and current is not None:
        titles = pa.array(list(taken), pa.int64())
        table = current.table.filter(pc.is_in(current.table.column(id_column), titles))
        place = pc.index_in(table.column(id_column), value_set=titles)
        version = pc.take(pa.array(list(taken.values()), pa.int64()), place)
        table = table.set_column(table.schema.get_field_index(id_column), id_column, version)
        pieces.append(table)
    return pa.concat_tables(pieces)


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
