"""Each media type's tables, as one :class:`TableSet`: the export machinery asks the set.

A set holds the tables' columns (in their documented order), those always written, the tables
each part feeds, the builder of one stored body's rows (``"details"`` or a part), and the
columnar fast paths it has: every movie part's, and for TV those of the parts whose bodies have
a movie part's shape (the others are built row by row).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tmdb_collector.export import columnar, movie_tables, tv_tables
from tmdb_collector.export.table_schema import Column, Row, as_object
from tmdb_collector.media import MOVIE, TV, MediaType

Rows = dict[str, list[Row]]
Builder = Callable[[int, Mapping[str, Any]], Rows]  # (item id, body) -> rows of its tables
FastPath = Callable[[Any, Sequence[bytes]], dict[str, Any]]


@dataclass(frozen=True)
class TableSet:
    tables: Mapping[str, tuple[Column, ...]]
    always: tuple[str, ...]
    part_tables: Mapping[str, tuple[str, ...]]
    details: Builder  # the always-written tables, from the details body
    builders: Mapping[str, Builder]  # each part's tables, by part
    keys: Mapping[str, tuple[str, ...]]  # the columns that identify a row, by table
    fast: Mapping[str, FastPath] = field(default_factory=dict)

    def names(self, parts: Iterable[str]) -> tuple[str, ...]:
        """The tables an export of ``parts`` writes, in their documented order."""
        chosen = {table for part in parts for table in self.part_tables.get(part, ())}
        return tuple(name for name in self.tables if name in chosen or name in self.always)

    def body_rows(self, part: str, item_id: int, text: str | bytes) -> Rows:
        """The rows of one stored body: ``part`` is a part's name, or ``"details"``.

        Raises :class:`json.JSONDecodeError` when the text is not JSON, and
        :class:`UnicodeDecodeError` when bytes are not UTF-8 (``json.loads`` would let
        encoded surrogates through)."""
        body = as_object(json.loads(text.decode() if isinstance(text, bytes) else text))
        build = self.details if part == "details" else self.builders[part]
        return build(item_id, body)


MOVIE_TABLES = TableSet(
    movie_tables.TABLES,
    movie_tables.ALWAYS,
    movie_tables.PART_TABLES,
    movie_tables.details_rows,
    movie_tables.BUILDERS,
    movie_tables.KEYS,
    columnar.BUILDERS,
)


def _for_series(movie: FastPath) -> FastPath:
    """A movie part's fast path on a TV part of the same shape: ``series_id`` for ``movie_id``."""

    def build(ids: Any, texts: Sequence[bytes]) -> dict[str, Any]:
        return {
            name: table.rename_columns(["series_id", *table.column_names[1:]])
            for name, table in movie(ids, texts).items()
        }

    return build


TV_TABLES = TableSet(
    tv_tables.TABLES,
    tv_tables.ALWAYS,
    tv_tables.PART_TABLES,
    tv_tables.details_rows,
    tv_tables.BUILDERS,
    tv_tables.KEYS,
    {
        part: _for_series(columnar.BUILDERS[movie])
        for part, movie in tv_tables.SHARED.items()
        if part not in tv_tables.ADAPT  # TV names some keys otherwise: row by row
    },
)
TABLE_SETS: dict[str, TableSet] = {MOVIE.name: MOVIE_TABLES, TV.name: TV_TABLES}


def table_set(media: MediaType) -> TableSet:
    return TABLE_SETS[media.name]
