"""The compact store (#24): every body stored as a zstd frame, with dictionaries trained on the
collection's own bodies, read back byte for byte; older rows (plain text) read beside them."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import random
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.support.store import queue_ids
from tests.test_migration import FIXTURES, V3_EXPECTED
from tmdb_collector.export.exporter import export
from tmdb_collector.fetch.records import ItemRecord
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store import codec, training
from tmdb_collector.store import store as store_module
from tmdb_collector.store.store import Store

BODIES = [
    '{"id":1,"title":"Amélie","overview":"Ça va \\u00e9 \\"quoted\\" 東京"}',
    "[]",
    '{"results":[],"page":1}',
    "{}",
]


def v3_rows(name: str) -> tuple[Plan, list[ItemRecord]]:
    """The plan and the items of a schema-3 fixture, read as they are stored (plain text)."""
    with sqlite3.connect(":memory:") as scratch:
        scratch.deserialize(gzip.decompress((FIXTURES / f"{name}.db.gz").read_bytes()))
        plan_text = scratch.execute("SELECT value FROM meta WHERE key = 'plan'").fetchone()[0]
        items = scratch.execute("SELECT id, details, fetched_at FROM items ORDER BY id").fetchall()
        parts = scratch.execute("SELECT item_id, name, body FROM parts").fetchall()
    by_item: dict[int, dict[str, str]] = {}
    for item_id, name, body in parts:
        by_item.setdefault(item_id, {})[name] = body
    records = [
        ItemRecord(item_id, details, by_item[item_id], dt.datetime.fromisoformat(fetched))
        for item_id, details, fetched in items
    ]
    return Plan.from_dict(json.loads(plan_text)), records


@pytest.mark.parametrize("dictionary", [False, True])
def test_the_codec_gives_back_the_bytes_it_was_given(dictionary: bool) -> None:
    samples = [f'{{"id":{n},"name":"person {n}","role":"r{n % 7}"}}'.encode() for n in range(400)]
    data = codec.train(samples, 5) if dictionary else None
    coder = codec.Codec([(5, "movie:details", data)] if data else [])
    assert coder.latest("movie:details") == (5 if dictionary else 0)
    for body in BODIES + [s.decode() for s in samples[:3]]:
        frame = coder.encode("movie:details", body)
        assert frame[:4] == codec.MAGIC
        assert coder.dictionary_of(frame) == (5 if dictionary else 0)
        assert coder.decode(frame) == body.encode()
        assert coder.decode_text(frame) == body
        # plain text, as schema 1-3 stored it, reads as it is: as str and as bytes
        assert coder.decode(body) == body.encode() == coder.decode(body.encode())
        assert coder.dictionary_of(body) is None
        # a frame encoded again (a rewrite) decodes to the same bytes
        assert coder.decode(coder.encode("movie:details", frame)) == body.encode()


def test_too_few_bodies_train_no_dictionary() -> None:
    assert codec.train([b'{"a":1}'] * (codec.MIN_SAMPLES - 1), 1) is None


def test_training_comes_at_a_first_size_then_each_time_the_collection_grew() -> None:
    first = codec.FIRST_TRAINING
    assert not codec.training_due(first - 1, 0)
    assert codec.training_due(first, 0)
    assert not codec.training_due(first * codec.GROWTH - 1, first)
    assert codec.training_due(first * codec.GROWTH, first)


def hashes(db: Path, out: Path, stem: str) -> dict[str, str]:
    with Store.open_existing(db) as store:
        for fmt in ("json", "jsonl"):
            export(store, fmt, out / f"{stem}.{fmt}")
    return {
        f"{stem}.{fmt}": hashlib.sha256((out / f"{stem}.{fmt}").read_bytes()).hexdigest()
        for fmt in ("json", "jsonl")
    }


@pytest.mark.parametrize(("name", "stem"), [("v3_movies", "movies"), ("v3_tv", "tv")])
def test_a_collection_stores_frames_trains_dictionaries_and_exports_what_it_was_sent(
    name: str, stem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fixture's bodies saved again by this release: compressed without a dictionary
    before the first training, with the kind's dictionary after, every kind trained, and the
    json and jsonl exports byte-identical to what the schema-3 release wrote."""
    plan, records = v3_rows(name)
    monkeypatch.setattr(codec, "FIRST_TRAINING", len(records))
    monkeypatch.setattr(codec, "MIN_SAMPLES", 3)
    db = tmp_path / "new.db"
    with Store.create_or_open(db, plan) as store:
        queue_ids(store, [record.id for record in records])
        for record in records:  # the last new one starts a training
            store.save_item(record)
        assert store.finish_training() is None  # waits for it, and stores its dictionaries
        for record in records[: len(records) // 2]:
            # a body is written again only when it changed: changed, then back as it was
            altered = {name: f"{body} " for name, body in record.parts.items()}
            store.save_item(ItemRecord(record.id, f"{record.details} ", altered))
            store.save_item(record)
    with sqlite3.connect(db) as connection:
        kinds = {row[0] for row in connection.execute("SELECT kind FROM dictionaries")}
        stored = connection.execute("SELECT details FROM items").fetchall()
        stored += connection.execute("SELECT body FROM parts").fetchall()
    entity = plan.media
    every = {codec.kind_of(entity, part) for part in ("details", *plan.parts)}
    # zstd trains no dictionary on a handful of tiny bodies (the 8 series' external ids)
    assert codec.kind_of(entity, "details") in kinds <= every
    assert len(kinds) >= len(every) // 2
    coder = codec.Codec()
    ids = [coder.dictionary_of(value) for (value,) in stored]
    assert None not in ids  # every body is a frame
    assert 0 in ids
    assert max(i for i in ids if i is not None) > 0
    expected = V3_EXPECTED[name]
    assert hashes(db, tmp_path, stem) == {
        key: expected[key] for key in (f"{stem}.json", f"{stem}.jsonl")
    }


def test_plain_and_compressed_rows_read_side_by_side(tmp_path: Path) -> None:
    """A schema-3 database migrated to schema 4 and collected into further: its old rows stay
    plain text, the new ones are frames, and both export."""
    plan, records = v3_rows("v3_movies")
    db = tmp_path / "mixed.db"
    db.write_bytes(gzip.decompress((FIXTURES / "v3_movies.db.gz").read_bytes()))
    changed = ItemRecord(
        records[0].id, records[0].details.replace('"id":', '"id" :', 1), records[0].parts
    )
    with Store.create_or_open(db, plan) as store:
        store.save_item(changed)
        row = store.item_row(changed.id, plan.parts)
        other = store.item_row(records[1].id, plan.parts)
    assert row is not None
    assert row[1] == changed.details
    assert other is not None
    assert other[1] == records[1].details
    with sqlite3.connect(db) as connection:
        types = dict(
            connection.execute(
                "SELECT id, typeof(details) FROM items WHERE id IN (?, ?)",
                (changed.id, records[1].id),
            ).fetchall()
        )
    assert types == {changed.id: "blob", records[1].id: "text"}


def test_the_collector_writes_on_while_a_training_runs_and_switches_when_it_is_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A due training runs in a worker (store/training.py): saves go on with the dictionaries
    there are (none yet) until it is done, and the next save after it stores the new ones,
    which every body saved from then on is compressed with."""
    plan, records = v3_rows("v3_movies")
    monkeypatch.setattr(codec, "FIRST_TRAINING", 20)
    monkeypatch.setattr(codec, "MIN_SAMPLES", 3)
    release = threading.Event()
    started: list[Any] = []

    class HeldTraining(training.Training):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            started.append(self)

        def done(self) -> bool:
            return release.is_set() and super().done()

    monkeypatch.setattr(store_module, "Training", HeldTraining)
    db = tmp_path / "new.db"
    with Store.create_or_open(db, plan) as store:
        queue_ids(store, [record.id for record in records])
        for record in records[:25]:  # due at the 20th: started, held back
            store.save_item(record)
        assert len(started) == 1
        assert store.codec.latest("movie:details") == 0
        release.set()
        started[0]._process.wait()  # waits for the worker itself, no sleeping
        store.save_item(records[25])  # finds it done: stores and switches
        dictionary = store.codec.latest("movie:details")
        assert dictionary > 0
        store.save_item(records[26])
        frames = dict(store._db.execute("SELECT id, details FROM items").fetchall())
    coder = codec.Codec()
    assert {coder.dictionary_of(frames[record.id]) for record in records[:26]} == {0}
    assert coder.dictionary_of(frames[records[26].id]) == dictionary


def person(n: int, words: random.Random) -> ItemRecord:
    """A person's record with the default parts, of varied text (zstd trains on it)."""

    def text(count: int) -> str:
        return " ".join(words.choice(WORDS) + str(words.randint(0, 99)) for _ in range(count))

    details = json.dumps({"id": n, "name": text(2), "biography": text(120), "known_for": "Acting"})
    credits = {
        "cast": [{"id": n * 10 + k, "title": text(3), "character": text(2)} for k in range(8)]
    }
    parts = {"combined_credits": json.dumps(credits), "external_ids": json.dumps({"imdb": text(1)})}
    return ItemRecord(n, details, parts)


WORDS = ("film", "actor", "born", "city", "award", "role", "series", "director", "stage", "voice")


def test_linked_bodies_get_dictionaries_of_their_own_and_compact_rewrites_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """People's bodies train kinds of their own (``person:details``...) on the people's
    clock, not the titles'; the bodies saved before the training are rewritten by compact
    with them, and read back the same."""
    plan, records = v3_rows("v3_movies")
    monkeypatch.setattr(codec, "FIRST_TRAINING", 40)
    monkeypatch.setattr(codec, "MIN_SAMPLES", 3)
    words = random.Random(5)
    people = [person(n, words) for n in range(1, 61)]
    db = tmp_path / "people.db"
    with Store.create_or_open(db, plan) as store:
        queue_ids(store, [record.id for record in records[:5]])
        for record in records[:5]:  # titles far from their first training
            store.save_item(record)
        store.queue_linked("person", [p.id for p in people])
        for one in people[:40]:  # the 40th starts the people's training
            store.save_linked("person", one)
        store.finish_training()
        trained = store.codec.latest("person:details")
        assert trained > 0
        assert store.codec.latest("person:combined_credits") > 0
        assert store.codec.latest("movie:details") == 0  # the titles' clock is their own
        for one in people[40:]:
            store.save_linked("person", one)
        before = list(store.iter_linked("person", ("combined_credits", "external_ids")))
    with sqlite3.connect(db) as con:
        assert codec.trained_at(con, "person") == 40
        assert codec.trained_at(con, "movie") == 0
        frames = dict(
            con.execute("SELECT item_id, body FROM linked_parts WHERE name = 'details'").fetchall()
        )
    coder = codec.Codec()
    assert {coder.dictionary_of(frames[n]) for n in range(1, 41)} == {0}
    assert {coder.dictionary_of(frames[n]) for n in range(41, 61)} == {trained}
    with Store.open_existing(db) as store:
        result = store.compact()
        assert result.rewritten >= 40 * 3  # the people's 40 first bodies of each kind
        after = list(store.iter_linked("person", ("combined_credits", "external_ids")))
    assert after == before
    with sqlite3.connect(db) as con:
        latest = dict(con.execute("SELECT kind, MAX(id) FROM dictionaries GROUP BY kind"))
        rows = con.execute("SELECT entity, name, body FROM linked_parts").fetchall()
    for entity, name, body in rows:
        assert coder.dictionary_of(body) == latest.get(codec.kind_of(entity, name), 0)


def test_a_linked_refetch_keeps_the_bodies_it_changed_and_writes_no_unchanged_one(
    tmp_path: Path,
) -> None:
    """A person refetched on a later day: the details that changed are kept as a past version
    under ``person``, the unchanged parts write nothing (their rows stay where they were)."""
    plan, _ = v3_rows("v3_movies")
    first = person(7, random.Random(1))
    day0, day3 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC), dt.datetime(2026, 11, 4, tzinfo=dt.UTC)
    changed = ItemRecord(7, first.details.replace("Acting", "Directing"), first.parts, day3)
    db = tmp_path / "person.db"
    with Store.create_or_open(db, plan) as store:
        store.queue_linked("person", [7])
        store.save_linked("person", ItemRecord(7, first.details, first.parts, day0))
        rowids = store._db.execute("SELECT name, rowid FROM linked_parts").fetchall()
        store.save_linked("person", changed)
        assert store._db.execute("SELECT name, rowid FROM linked_parts").fetchall() == rowids
        rows = store._db.execute(
            "SELECT part, fetched_on, body FROM part_versions WHERE entity = 'person'"
            " ORDER BY part, fetched_on"
        ).fetchall()
        assert [(part, day) for part, day, _ in rows] == [
            ("details", "2026-11-01"),
            ("details", "2026-11-04"),
        ]
        assert store.codec.decode_text(rows[0][2]) == first.details
        assert rows[1][2] is None  # the current body is in linked_parts
        current = list(store.iter_linked("person", ("combined_credits",)))
    assert current == [(7, changed.details, (first.parts["combined_credits"],))]


def test_a_refetch_does_not_bring_the_next_training_nearer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dictionaries' clock counts the items held, not the saves: refetching held items
    (a daily refresh) starts no training, the first new item past the mark does."""
    plan, records = v3_rows("v3_movies")
    monkeypatch.setattr(codec, "FIRST_TRAINING", 10)
    started: list[Any] = []
    monkeypatch.setattr(store_module, "Training", lambda *args: started.append(args))
    with Store.create_or_open(tmp_path / "c.db", plan) as store:
        queue_ids(store, [record.id for record in records])
        for record in records[:9]:
            store.save_item(record)
        for _ in range(3):  # refetched, changed or not
            for record in records[:9]:
                altered = {name: f"{body} " for name, body in record.parts.items()}
                store.save_item(ItemRecord(record.id, record.details, altered))
        assert started == []
        store.save_item(records[9])
        assert len(started) == 1
        store._training = None  # the stand-in trains nothing
