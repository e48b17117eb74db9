"""A media type's tables, as one :class:`TableSet`: the export machinery asks the set.

Each media type declares its set beside its other facts (``media/movie.py``, ``media/tv.py``):
the tables' columns in their documented order, those always written, the :class:`~.rows.Shape`
of its details and of each part (which also names the tables each part feeds), the columns
that identify a row (the duckdb export's primary keys), and the views the duckdb export adds.
Every set also has ``provenance`` (filled from the store, not from a body), last. The exports
(parquet, csv, duckdb, the columnar fast paths) read these facts and never ask which media
type they export.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from tmdb_collector.media.links import DETAILS
from tmdb_collector.media.rows import (
    COMMON_COLUMNS,
    COMMON_KEYS,
    Builder,
    Rows,
    Shape,
    Target,
    with_id,
)
from tmdb_collector.media.table_schema import Column, as_object

PROVENANCE = "provenance"  # every set's last table: how each item was found


def no_views(tables: set[str]) -> list[str]:
    return []


@dataclass(frozen=True, eq=False)
class TableSet:
    id_column: str  # the item id's column in every table but the item's own: "movie_id"
    tables: Mapping[str, tuple[Column, ...]]  # in their documented order (provenance added)
    always: tuple[str, ...]  # written whatever the parts (provenance added)
    details: Shape  # the always-written tables, from the details body
    parts: Mapping[str, Shape]  # each part's tables, by part
    keys: Mapping[str, tuple[str, ...]]  # the columns that identify a row, by table
    # (the tables written) -> the duckdb export's CREATE VIEW statements
    views: Callable[[set[str]], list[str]] = no_views
    target: Target = field(init=False, repr=False)
    part_tables: Mapping[str, tuple[str, ...]] = field(init=False, repr=False)
    builders: Mapping[str, Builder] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        provenance = with_id(self.id_column, COMMON_COLUMNS[PROVENANCE])
        key = (self.id_column, *COMMON_KEYS[PROVENANCE])
        set_ = object.__setattr__
        set_(self, "tables", {**self.tables, PROVENANCE: provenance})
        set_(self, "always", (*self.always, PROVENANCE))
        set_(self, "keys", {**self.keys, PROVENANCE: key})
        set_(self, "target", Target(self.tables, self.id_column))
        set_(self, "part_tables", {name: shape.tables for name, shape in self.parts.items()})
        shapes = {DETAILS: self.details, **self.parts}
        set_(self, "builders", {name: shape.bind(self.target) for name, shape in shapes.items()})
        named = {table for shape in shapes.values() for table in shape.tables} | set(self.keys)
        if unknown := sorted(named - set(self.tables)):
            raise ValueError(f"tables without columns: {', '.join(unknown)}")

    def names(self, parts: Iterable[str]) -> tuple[str, ...]:
        """The tables an export of ``parts`` writes, in their documented order."""
        chosen = {table for part in parts for table in self.part_tables.get(part, ())}
        return tuple(name for name in self.tables if name in chosen or name in self.always)

    def sources(self, parts: Iterable[str], tables: Iterable[str]) -> tuple[list[str], bool]:
        """What ``tables`` are built from: the ``parts`` (in their order) whose bodies feed
        one of them, and whether the details body does."""
        wanted = set(tables)
        read = [part for part in parts if wanted & set(self.part_tables.get(part, ()))]
        return read, bool(wanted & set(self.details.tables))

    def body_rows(self, part: str, item_id: int, text: str | bytes) -> Rows:
        """The rows of one stored body: ``part`` is a part's name, or ``"details"``.

        Raises :class:`json.JSONDecodeError` when the text is not JSON, and
        :class:`UnicodeDecodeError` when bytes are not UTF-8 (``json.loads`` would let
        encoded surrogates through)."""
        body = as_object(json.loads(text.decode() if isinstance(text, bytes) else text))
        return self.builders[part](item_id, body)


def common_tables(id_column: str, *names: str) -> dict[str, tuple[Column, ...]]:
    """The tables of :data:`~.rows.COMMON_COLUMNS` called ``names`` (none: all but provenance,
    which every set has), with ``id_column``."""
    chosen = names or [name for name in COMMON_COLUMNS if name != PROVENANCE]
    return {name: with_id(id_column, COMMON_COLUMNS[name]) for name in chosen}


def common_keys(id_column: str, *names: str) -> dict[str, tuple[str, ...]]:
    """The keys of the common tables called ``names`` (none: all) that have one, with
    ``id_column`` first."""
    chosen = names or [name for name in COMMON_KEYS if name != PROVENANCE]
    return {name: (id_column, *COMMON_KEYS[name]) for name in chosen if name in COMMON_KEYS}
