"""Reading the part versions back (:mod:`.versions` writes them): each item's versions of a
part in day order, walked by ascending id with bounded memory, for the history tables, the
availability timeline and ``export --as-of``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from tmdb_collector.store import codec, versions
from tmdb_collector.store.items import ItemReads


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

    def _first_days(self) -> _InStep:
        """Each item's first day: its earliest version row, else the day it was fetched."""
        return _InStep(
            self._db.execute(
                "SELECT i.id, COALESCE((SELECT MIN(v.fetched_on) FROM part_versions v"
                " WHERE v.entity = ? AND v.item_id = i.id), substr(i.fetched_at, 1, 10))"
                " FROM items i ORDER BY i.id",
                (self.media_type.name,),
            )
        )

    def _rows_of(self, part: str) -> _InStep:
        return _InStep(
            self._db.execute(
                "SELECT item_id, fetched_on, body FROM part_versions WHERE entity = ?"
                " AND part = ? ORDER BY item_id, fetched_on",
                (self.media_type.name, part),
            )
        )

    def part_timelines(
        self, part: str, *, include_removed: bool = False
    ) -> Iterator[tuple[int, codec.Stored, versions.Timeline]]:
        """``(item_id, stored details, versions of part)`` of every item an export of
        ``part`` reads, by ascending id; each version ``(first day seen, stored body)``."""
        firsts, rows = self._first_days(), self._rows_of(part)
        parts = () if part == versions.DETAILS else (part,)
        for item_id, details, bodies in self.iter_stored_items(
            parts, include_removed=include_removed
        ):
            first = next((str(row[1]) for row in firsts.take(item_id)), "")
            current = bodies[0] if bodies else details
            found = [(str(row[1]), row[2]) for row in rows.take(item_id)]
            yield item_id, details, _versions(found, current, first)

    def version_rows(self) -> Iterator[tuple[int, str, str, codec.Stored]]:
        """``(item_id, part, first day seen, stored body)`` of every version of every part,
        the current ones included, by item, part and day."""
        entity = self.media_type.name
        firsts = self._first_days()
        rows = _InStep(versions.all_rows(self._db, entity))
        for item_id, details, _ in self.iter_stored_items((), include_removed=True):
            first = next((str(row[1]) for row in firsts.take(item_id)), "")
            current = dict(
                self._db.execute("SELECT name, body FROM parts WHERE item_id = ?", (item_id,))
            )
            current[versions.DETAILS] = details
            by_part: dict[str, list[tuple[str, codec.Stored | None]]] = {}
            for _, part, day, body in rows.take(item_id):
                by_part.setdefault(str(part), []).append((str(day), body))
            for part in sorted(current):
                for day, body in _versions(by_part.get(part, []), current[part], first):
                    yield item_id, part, day, body

    def history_began(self) -> dt.date | None:
        """The first day this collection fetched an item (None: it holds none)."""
        day = versions.first_day(self._db, self.media_type.name)
        if day is None:
            row = self._db.execute("SELECT MIN(fetched_at) FROM items").fetchone()
            day = versions.day_of(row[0] if row else None)
        return None if day is None else dt.date.fromisoformat(day)


def _versions(
    found: list[tuple[str, codec.Stored | None]], current: codec.Stored, first: str
) -> versions.Timeline:
    """A part's versions from its rows (a row without a body is the current one); a part with
    no rows has been as it is since the item's first day."""
    timeline = [(day, current if body is None else body) for day, body in found]
    return timeline or [(first, current)]
