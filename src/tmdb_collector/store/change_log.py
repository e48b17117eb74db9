"""Which units (titles, linked entities) were written since a point: what lets a warehouse sync
read only those instead of every unit's fingerprint.

Once a collection has been synced, :func:`track` has given it ``sync_changes`` (one row per
unit: its entity and id, and the number of its last write) and triggers on every table a
fingerprint (:mod:`.sync_reads`) is made of: any insert, update or delete there stamps the
unit with the next number, in the writer's own transaction, whichever release or program
writes. :func:`mark` is the last number given, :func:`changed_since` the units stamped after
one. A database that never synced has neither, and costs its writes nothing.

The numbers grow in commit order (a writer takes the largest under SQLite's write lock), so
a unit written after a sync read the mark is always found by the next one.
"""

from __future__ import annotations

import sqlite3

TABLE = "sync_changes"
# table -> (its entity, its unit's id column); None: the collection's media type
_SOURCES: dict[str, tuple[str | None, str]] = {
    "ids": (None, "id"),
    "items": (None, "id"),
    "parts": (None, "item_id"),
    "provenance": (None, "item_id"),
    "part_versions": ("entity", "item_id"),
    "linked_ids": ("entity", "id"),
    "linked_parts": ("entity", "item_id"),
}
_EVENTS = {"INSERT": "NEW", "UPDATE": "NEW", "DELETE": "OLD"}


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _statements(media: str) -> list[str]:
    found = [
        f"CREATE TABLE IF NOT EXISTS {TABLE} (entity TEXT NOT NULL, id INTEGER NOT NULL,"
        " seq INTEGER NOT NULL, PRIMARY KEY (entity, id)) WITHOUT ROWID",
        f"CREATE INDEX IF NOT EXISTS {TABLE}_seq ON {TABLE} (seq)",
    ]
    for table, (entity, id_column) in _SOURCES.items():
        for event, row in _EVENTS.items():
            who = _literal(media) if entity is None else f"{row}.{entity}"
            found.append(
                f"CREATE TRIGGER IF NOT EXISTS {TABLE}_{table}_{event.lower()} AFTER {event}"
                f" ON {table} BEGIN INSERT INTO {TABLE} (entity, id, seq) VALUES ({who},"
                f" {row}.{id_column}, (SELECT IFNULL(MAX(seq), 0) + 1 FROM {TABLE}))"
                " ON CONFLICT (entity, id) DO UPDATE SET seq = excluded.seq; END"
            )
    return found


def _trigger_names() -> list[str]:
    return [f"{TABLE}_{table}_{event.lower()}" for table in _SOURCES for event in _EVENTS]


def tracking(db: sqlite3.Connection) -> bool:
    """Whether the table and every trigger are in place."""
    names = {
        str(row[0])
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')"
            " AND name LIKE ? ESCAPE '\\'",
            (TABLE.replace("_", "\\_") + "%",),
        )
    }
    return TABLE in names and set(_trigger_names()) <= names


def track(db: sqlite3.Connection, media: str) -> None:
    """Make the table and the triggers (those missing); the caller's transaction holds it."""
    for statement in _statements(media):
        db.execute(statement)


def mark(db: sqlite3.Connection) -> int:
    row = db.execute(f"SELECT MAX(seq) FROM {TABLE}").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def changed_since(db: sqlite3.Connection, entity: str, seq: int) -> set[int]:
    """The ``entity`` units stamped after ``seq``."""
    return {
        int(row[0])
        for row in db.execute(f"SELECT id FROM {TABLE} WHERE seq > ? AND entity = ?", (seq, entity))
    }
