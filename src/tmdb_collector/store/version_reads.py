"""Reading the part versions back (:mod:`.versions` writes them): each item's versions of a
part in day order, walked by ascending id with bounded memory, for the history tables, the
availability timeline and ``export --as-of``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Sequence
from itertools import groupby
from pathlib import Path
from typing import Any

from tmdb_collector.media.links import DETAILS
from tmdb_collector.store import codec, versions
from tmdb_collector.store.items import ItemReads, among, left_out_statuses


class _InStep:
    """Rows ``(item_id, ...)`` ordered by item id, taken an item at a time in ascending ids."""

    def __init__(self, rows: Iterator[Any]) -> None:
        self._rows = rows
        self._next = next(rows, None)

    def take(self, item_id: int) -> list[Any]:
        found = []
        while self._next is not None and self._next[0] <= item_id:
            if self._next[0] == item_id:
                found.append(self._next)
            self._next = next(self._rows, None)
        return found


class VersionReads(ItemReads):
    """The part versions of the collection's items."""

    def _first_days(self, ids: Collection[int] | None) -> _InStep:
        """Each item's first day: its earliest version row, else the day it was fetched."""
        only, chosen = among("i.id", ids)
        return _InStep(
            self._db.execute(
                "SELECT i.id, COALESCE((SELECT MIN(v.fetched_on) FROM part_versions v"
                " WHERE v.entity = ? AND v.item_id = i.id), substr(i.fetched_at, 1, 10))"
                f" FROM items i WHERE TRUE{only} ORDER BY i.id",
                (self.media_type.name, *chosen),
            )
        )

    def _rows_of(self, part: str, ids: Collection[int] | None) -> _InStep:
        only, chosen = among("item_id", ids)
        return _InStep(
            self._db.execute(
                "SELECT item_id, fetched_on, body FROM part_versions WHERE entity = ?"
                f" AND part = ?{only} ORDER BY item_id, fetched_on",
                (self.media_type.name, part, *chosen),
            )
        )

    def part_timelines(
        self, part: str, *, include_removed: bool = False, ids: Collection[int] | None = None
    ) -> Iterator[tuple[int, codec.Stored, versions.Timeline]]:
        """``(item_id, stored details, versions of part)`` of every item an export of
        ``part`` reads (of ``ids`` only, if given), by ascending id; each version ``(first
        day seen, stored body)``."""
        firsts, rows = self._first_days(ids), self._rows_of(part, ids)
        parts = () if part == DETAILS else (part,)
        for item_id, details, bodies in self.iter_stored_items(
            parts, include_removed=include_removed, ids=ids
        ):
            first = next((str(row[1]) for row in firsts.take(item_id)), "")
            current = bodies[0] if bodies else details
            found = [(str(row[1]), row[2]) for row in rows.take(item_id)]
            yield item_id, details, _versions(found, current, first)

    def version_rows(
        self,
        parts: Sequence[str],
        *,
        include_removed: bool = False,
        ids: Collection[int] | None = None,
    ) -> Iterator[tuple[int, str, str, str | None, codec.Stored]]:
        """``(item_id, part, first day seen, day replaced or None, stored body)`` of every
        version of each of ``parts`` (``details`` among them) that changed at least once,
        the current version included, by item, part and day; items as the exports read them
        (:func:`.items.left_out_statuses`), of ``ids`` only if given."""
        statuses = ", ".join(f"'{s}'" for s in left_out_statuses(include_removed=include_removed))
        marks = ",".join("?" for _ in parts)
        only, chosen = among("v.item_id", ids)
        rows = self._db.execute(
            "SELECT v.item_id, v.part, v.fetched_on, v.body FROM part_versions v"
            f" JOIN ids s ON s.id = v.item_id WHERE s.status NOT IN ({statuses})"
            f" AND v.entity = ? AND v.part IN ({marks}){only} AND EXISTS (SELECT 1 FROM"
            " part_versions w WHERE w.entity = v.entity AND w.item_id = v.item_id"
            " AND w.part = v.part AND w.body IS NOT NULL)"
            " ORDER BY v.item_id, v.part, v.fetched_on",
            (self.media_type.name, *parts, *chosen),
        ).fetchall()
        for (item_id, part), group in groupby(rows, key=lambda row: (row[0], row[1])):
            found = list(group)
            for n, (_, _, day, body) in enumerate(found):
                replaced = found[n + 1][2] if n + 1 < len(found) else None
                stored = self._current(item_id, part) if body is None else body
                if stored is not None:
                    yield item_id, part, day, replaced, stored

    def part_change_days(self) -> Iterator[tuple[int, str]]:
        """``(item_id, day)``: the last day a refetch changed one of each item's parts (not
        its details) by the server's clock, for the items where one did. A partial refetch
        (``update --refresh-parts``) leaves ``fetched_at`` as it was and is seen here only."""
        return self._db.execute(
            "SELECT item_id, MAX(fetched_on) FROM part_versions WHERE entity = ? AND part != ?"
            " AND body IS NULL GROUP BY item_id",
            (self.media_type.name, DETAILS),
        )

    def _current(self, item_id: int, part: str) -> codec.Stored | None:
        """The stored body of an item's part now (``details``: its details)."""
        if part == DETAILS:
            row = self._db.execute("SELECT details FROM items WHERE id = ?", (item_id,))
        else:
            row = self._db.execute(
                "SELECT body FROM parts WHERE item_id = ? AND name = ?", (item_id, part)
            )
        found = row.fetchone()
        return None if found is None else found[0]

    def copy_to(self, path: Path) -> None:
        """A consistent copy of this database at ``path`` (SQLite's ``VACUUM INTO``)."""
        self._db.execute("VACUUM INTO ?", (str(path),))

    def rewind(self, day: dt.date) -> None:
        """Bring this database (a copy: see :meth:`copy_to`) back to ``day``."""
        self._write(lambda: versions.rewind(self._db, self.media_type.name, day.isoformat()))

    def history_span(self) -> tuple[dt.date, dt.date] | None:
        """The first and the last day this collection fetched anything (None: it holds no
        item), from its versions and its items' fetch times."""
        first, last = versions.span(self._db, self.media_type.name)
        row = self._db.execute("SELECT MIN(fetched_at), MAX(fetched_at) FROM items").fetchone()
        days = [d for d in (first, last, *(versions.day_of(x) for x in row)) if d is not None]
        if not days:
            return None
        return dt.date.fromisoformat(min(days)), dt.date.fromisoformat(max(days))


def _versions(
    found: list[tuple[str, codec.Stored | None]], current: codec.Stored, first: str
) -> versions.Timeline:
    """A part's versions from its rows (a row without a body is the current one); a part with
    no rows has been as it is since the item's first day."""
    timeline = [(day, current if body is None else body) for day, body in found]
    return timeline or [(first, current)]
