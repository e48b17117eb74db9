"""Part versions: the earlier bodies of every part (and the details) that a refetch changed.

``part_versions`` holds, per entity (the media type's name), item and part, one row per day
the part's content was first seen:

* a row with a ``body`` is a past version: the body first fetched on ``fetched_on``, current
  until the next row's day;
* a row without a body (a *marker*) says the current body (in ``items``/``parts``) has been
  seen since ``fetched_on``.

A title's first collection writes one marker (its details, on the day fetched), so the day it
entered the collection is the earliest ``fetched_on`` of its rows; a part with no row of its
own has been as it is since then. When a refetch changes a part, its current body (already a
compressed frame, or encoded through the codec when an older release stored plain text) moves
into a past-version row and a marker for the new day is added; an unchanged part writes
nothing, and a change on the same day as the body it replaces keeps only the newer one. Days
are the server's (its ``Date`` header). Everything here runs inside the transaction that saves
the new bodies, so a kill never leaves half a version.

Read back by :class:`.version_reads.VersionReads`.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

from tmdb_collector.media.links import DETAILS
from tmdb_collector.store import codec

TABLE = """
CREATE TABLE part_versions (
    entity TEXT NOT NULL,
    item_id INTEGER NOT NULL,
    part TEXT NOT NULL,
    fetched_on TEXT NOT NULL,
    body BLOB,
    PRIMARY KEY (entity, item_id, part, fetched_on)
)
"""


def day_of(fetched_at: str | None) -> str | None:
    """The ISO day of a stored ``fetched_at`` timestamp."""
    return None if fetched_at is None else fetched_at[:10]


@dataclass(frozen=True)
class Previous:
    """What the store held for an item before a refetch: its bodies and the day fetched."""

    bodies: Mapping[str, codec.Stored]  # part name (DETAILS too) -> stored body
    fetched_on: str | None


def changed(
    coder: codec.Codec, new: Mapping[str, bytes], previous: Previous | None
) -> dict[str, bytes]:
    """The bodies of ``new`` (part -> raw bytes) that differ from what ``previous`` held, or
    that it did not hold: all that a save has to write (an unchanged body writes nothing)."""
    if previous is None:
        return dict(new)
    held = previous.bodies
    return {
        part: raw
        for part, raw in new.items()
        if part not in held or coder.decode(held[part]) != raw
    }


def record(
    db: sqlite3.Connection,
    coder: codec.Codec,
    entity: str,
    item_id: int,
    day: str,
    new: Mapping[str, bytes],
    previous: Previous | None,
) -> int:
    """Record the versions a save on ``day`` makes, ``new`` being the bodies that changed
    (:func:`changed`: part -> raw bytes, DETAILS included), inside the caller's transaction;
    returns the past versions kept."""
    key = (entity, item_id)
    if previous is None:  # first collection
        db.execute(
            "INSERT OR IGNORE INTO part_versions VALUES (?, ?, ?, ?, NULL)", (*key, DETAILS, day)
        )
        return 0
    rows = db.execute(
        "SELECT part, MAX(fetched_on), MIN(fetched_on) FROM part_versions"
        " WHERE entity = ? AND item_id = ? GROUP BY part",
        key,
    ).fetchall()
    since = {str(part): str(last) for part, last, _ in rows}
    first = min((str(row[2]) for row in rows), default=previous.fetched_on or day)
    kept = 0
    for part in new:
        old = previous.bodies.get(part)
        if old is None:  # a part this item did not have
            _marker(db, key, part, day)
            continue
        seen = since.get(part, first)
        if seen >= day:  # the same day (or a clock gone back): the newer body alone
            continue
        frame = old if isinstance(old, bytes) and old[:4] == codec.MAGIC else None
        body = frame or coder.encode(codec.kind_of(entity, part), old)
        db.execute(
            "INSERT OR REPLACE INTO part_versions VALUES (?, ?, ?, ?, ?)", (*key, part, seen, body)
        )
        _marker(db, key, part, day)
        kept += 1
    return kept


def _marker(db: sqlite3.Connection, key: tuple[str, int], part: str, day: str) -> None:
    db.execute("INSERT OR IGNORE INTO part_versions VALUES (?, ?, ?, ?, NULL)", (*key, part, day))


def prune(db: sqlite3.Connection, before: dt.date) -> int:
    """Drop the past versions that stopped being current before ``before`` (their successor
    was first seen earlier); returns how many. Markers stay."""
    cursor = db.execute(
        "DELETE FROM part_versions AS v WHERE body IS NOT NULL AND ("
        " SELECT MIN(w.fetched_on) FROM part_versions w WHERE w.entity = v.entity"
        " AND w.item_id = v.item_id AND w.part = v.part AND w.fetched_on > v.fetched_on) < ?",
        (before.isoformat(),),
    )
    return int(cursor.rowcount)


def span(db: sqlite3.Connection, entity: str) -> tuple[str | None, str | None]:
    """The first and the last day a version of ``entity`` was recorded (None: none was)."""
    row = db.execute(
        "SELECT MIN(fetched_on), MAX(fetched_on) FROM part_versions WHERE entity = ?", (entity,)
    ).fetchone()
    return (None, None) if row is None else (row[0], row[1])


Timeline = list[tuple[str, codec.Stored]]  # (first day seen, stored body), oldest first


def version_on(versions: Timeline, day: str) -> codec.Stored | None:
    """The body current on ``day`` (None: the part was not yet seen then)."""
    found = None
    for since, body in versions:
        if since > day:
            break
        found = body
    return found


def rewind(db: sqlite3.Connection, entity: str, day: str) -> None:
    """Bring a *copy* of a collection back to ``day`` (``export --as-of``), inside the
    caller's transaction: items first fetched after it go, every part (and details) takes its
    version current then, a part first seen after it goes, and no fetch time is after it."""
    first = (
        "COALESCE((SELECT MIN(v.fetched_on) FROM part_versions v WHERE v.entity = ?"
        " AND v.item_id = i.id), substr(i.fetched_at, 1, 10))"
    )
    later = [
        row[0] for row in db.execute(f"SELECT i.id FROM items i WHERE {first} > ?", (entity, day))
    ]
    for table, column in (("items", "id"), ("parts", "item_id"), ("ids", "id")):
        db.executemany(f"DELETE FROM {table} WHERE {column} = ?", ((x,) for x in later))
    then = db.execute(
        "SELECT v.item_id, v.part, v.body FROM part_versions v WHERE v.entity = ?"
        " AND v.body IS NOT NULL AND v.fetched_on = (SELECT MAX(w.fetched_on) FROM"
        " part_versions w WHERE w.entity = v.entity AND w.item_id = v.item_id"
        " AND w.part = v.part AND w.fetched_on <= ?)",
        (entity, day),
    ).fetchall()
    for item_id, part, body in then:
        if part == DETAILS:
            db.execute("UPDATE items SET details = ? WHERE id = ?", (body, item_id))
        else:
            db.execute(
                "UPDATE parts SET body = ? WHERE item_id = ? AND name = ?", (body, item_id, part)
            )
    unseen = db.execute(
        "SELECT item_id, part FROM part_versions WHERE entity = ? AND part != ?"
        " GROUP BY item_id, part HAVING MIN(fetched_on) > ?",
        (entity, DETAILS, day),
    ).fetchall()
    db.executemany("DELETE FROM parts WHERE item_id = ? AND name = ?", unseen)
    end = f"{day}T23:59:59+00:00"
    db.execute("UPDATE items SET fetched_at = ? WHERE fetched_at > ?", (end, end))
