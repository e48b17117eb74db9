"""``Store.held_linked``: the linked entity types with at least one id done, whatever the
others' statuses (it looks each type up instead of counting every id)."""

from __future__ import annotations

import random
from pathlib import Path

from tests.test_compact_store import person
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store


def test_a_type_is_held_once_one_of_its_ids_is_done(tmp_path: Path) -> None:
    with Store.create_or_open(tmp_path / "c.db", Plan()) as store:
        assert store.held_linked() == {}
        store.queue_linked("person", [1, 2, 3])
        store.queue_linked("collection", [10, 11])
        store.mark_linked("collection", 10, "failed", "404")
        assert store.held_linked() == {}  # pending and failed ids are not held
        store.save_linked("person", person(2, random.Random(1)))
        assert list(store.held_linked()) == ["people"]
        assert store.linked_counts()["person"] == {"done": 1, "pending": 2}
