"""Reading chosen linked entities (``Store.iter_linked_raw`` given ``ids``, what ``sync`` and the
dlt source read of the changed ones): one query for all the ids, not one per entity, and the same
entities as the whole read."""

from __future__ import annotations

import json
from pathlib import Path

from tmdb_collector.fetch.records import ItemRecord
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store

PARTS = ("combined_credits", "external_ids")


def person(n: int, parts: tuple[str, ...] = PARTS) -> ItemRecord:
    bodies = {name: json.dumps({"id": n, "part": name}) for name in parts}
    return ItemRecord(n, json.dumps({"id": n, "name": f"Person {n}"}), bodies)


def test_chosen_linked_entities_are_read_in_one_query(tmp_path: Path) -> None:
    with Store.create_or_open(tmp_path / "c.db", Plan(linked=("people",))) as store:
        store.queue_linked("person", range(1, 31))
        for n in range(1, 30):  # 30 is queued, never fetched
            store.save_linked("person", person(n, PARTS[:1] if n == 7 else PARTS))
        store.save_linked("collection", person(3))  # another entity's id 3
        chosen = {*range(2, 24), 30, 999}  # 24 ids: 7 lacks a part, 30 and 999 are not held
        whole = [row for row in store.iter_linked_raw("person", PARTS) if row[0] in chosen]
        reads: list[str] = []
        store._db.set_trace_callback(reads.append)
        try:
            got = list(store.iter_linked_raw("person", PARTS, ids=chosen))
            only = list(store.iter_linked_raw("person", PARTS, PARTS[1:], ids=chosen))
        finally:
            store._db.set_trace_callback(None)
    assert got == whole
    assert [row[0] for row in got] == [n for n in range(2, 24) if n != 7]
    assert only == [(n, details, bodies[1:]) for n, details, bodies in whole]
    assert sum("linked_parts" in sql for sql in reads) == 2  # 24 ids, one read each call
