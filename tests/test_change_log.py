"""The change log a synced collection keeps (store/change_log.py): every write to a table a
sync's fingerprints are made of stamps its unit, so the next sync reads only those; a
collection never synced has none."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.change_log import TABLE
from tmdb_collector.store.store import Store


def _tables(db: Path) -> set[str]:
    with sqlite3.connect(db) as con:
        return {row[0] for row in con.execute("SELECT name FROM sqlite_master")}


def test_a_collection_never_synced_keeps_no_log(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    with Store.create_or_open(db, Plan()):
        pass
    assert not any(name.startswith(TABLE) for name in _tables(db))


def test_every_write_a_fingerprint_is_made_of_stamps_its_unit(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    with Store.create_or_open(db, Plan()) as store:
        assert store.track_changes() is False  # made now
        assert store.track_changes() is True  # kept since
        start = store.change_mark()
        assert start == 0
    with sqlite3.connect(db) as con:  # each write as any program (or release) would make it
        statements = [
            ("INSERT INTO ids (id, status, seen_order, updated_at) VALUES (1, 'done', 1, 'x')", 1),
            ("INSERT INTO ids (id, status, seen_order, updated_at) VALUES (2, 'done', 2, 'x')", 2),
            ("INSERT INTO items (id, details, fetched_at) VALUES (3, '{}', 'x')", 3),
            ("INSERT INTO parts (item_id, name, body) VALUES (4, 'credits', '{}')", 4),
            ("INSERT INTO provenance VALUES (5, 'popular', NULL, 'q', 1, 1)", 5),
            (
                "INSERT INTO part_versions (entity, item_id, part, fetched_on, body)"
                " VALUES ('movie', 6, 'credits', '2026-11-01', NULL)",
                6,
            ),
        ]
        marks = []
        for statement, unit in statements:
            con.execute(statement)
            con.commit()
            marks.append((unit, con.execute(f"SELECT MAX(seq) FROM {TABLE}").fetchone()[0]))
        con.execute("UPDATE ids SET updated_at = 'y' WHERE id = 1")
        con.execute("DELETE FROM part_versions WHERE item_id = 6")
        con.execute(
            "INSERT INTO linked_ids (entity, id, status, updated_at) VALUES ('person', 9, 'x', 'x')"
        )
        con.commit()
    with Store.open_existing(db) as store:
        assert store.changed_since("movie", start) == {1, 2, 3, 4, 5, 6}
        after_items = dict(marks)[3]
        # 1 and 6 written again since, 4 and 5 after the items' row
        assert store.changed_since("movie", after_items) == {1, 4, 5, 6}
        assert store.changed_since("person", start) == {9}
        assert store.changed_since("movie", store.change_mark()) == set()
        assert [mark for _unit, mark in marks] == sorted({mark for _unit, mark in marks})
