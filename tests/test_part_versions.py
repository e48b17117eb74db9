"""Part versions (#23) in the store: a refetch keeps the earlier body of each changed part,
compressed, with the day it was first fetched; an unchanged part adds nothing; the versions
can be turned off and pruned, and read back as each part's timeline."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_helpers import one_line_error, run_cli
from tests.support.store import queue_ids
from tests.test_migration import v3_copy
from tmdb_collector.fetch.records import ItemRecord
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store import codec
from tmdb_collector.store.store import Store

PLAN = Plan(parts=("keywords", "watch/providers"))


def record(day: int, keywords: str, providers: str, title: str = "A") -> ItemRecord:
    when = dt.datetime(2026, 12, day, 10, tzinfo=dt.UTC)
    details = f'{{"id":7,"title":"{title}"}}'
    return ItemRecord(7, details, {"keywords": keywords, "watch/providers": providers}, when)


def rows(db: Path) -> list[tuple[str, str, bool]]:
    with sqlite3.connect(db) as connection:
        found = connection.execute(
            "SELECT part, fetched_on, body IS NOT NULL FROM part_versions"
            " WHERE entity = 'movie' AND item_id = 7 ORDER BY part, fetched_on"
        ).fetchall()
    return [(str(a), str(b), bool(c)) for a, b, c in found]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.create_or_open(tmp_path / "v.db", PLAN)
    queue_ids(opened, [7])
    yield opened
    opened.close()  # closing twice is harmless


def test_only_changed_parts_keep_their_earlier_body(store: Store) -> None:
    store.save_item(record(1, '{"k":1}', '{"r":1}'))
    assert rows(store.path) == [("details", "2026-12-01", False)]  # the first day, no body
    store.save_item(record(2, '{"k":1}', '{"r":1}'))  # nothing changed: nothing added
    assert rows(store.path) == [("details", "2026-12-01", False)]
    store.save_item(record(5, '{"k":1}', '{"r":2}'))
    assert rows(store.path) == [
        ("details", "2026-12-01", False),
        ("watch/providers", "2026-12-01", True),  # the body first fetched on the 1st
        ("watch/providers", "2026-12-05", False),  # the current one, since the 5th
    ]
    store.save_item(record(5, '{"k":1}', '{"r":3}'))  # the same day: the newer body alone
    store.save_item(record(9, '{"k":2}', '{"r":3}', title="B"))
    timeline = dict(
        (part, [(day, store.codec.decode(body)) for day, body in versions])
        for part, versions in (
            (p, next(store.part_timelines(p))[2]) for p in ("keywords", "watch/providers")
        )
    )
    assert timeline == {
        "keywords": [("2026-12-01", b'{"k":1}'), ("2026-12-09", b'{"k":2}')],
        "watch/providers": [("2026-12-01", b'{"r":1}'), ("2026-12-05", b'{"r":3}')],
    }
    with sqlite3.connect(store.path) as connection:
        bodies = [
            row[0]
            for row in connection.execute("SELECT body FROM part_versions WHERE body IS NOT NULL")
        ]
    assert all(body[:4] == codec.MAGIC for body in bodies)  # compressed through the codec
    assert store.history_span() == (dt.date(2026, 12, 1), dt.date(2026, 12, 9))


def test_versions_off_keeps_nothing_and_prune_drops_old_ones(store: Store) -> None:
    store.save_item(record(1, '{"k":1}', '{"r":1}'))
    store.save_item(record(3, '{"k":1}', '{"r":2}'))
    store.save_item(record(20, '{"k":1}', '{"r":3}'))
    kept = [row for row in rows(store.path) if row[2]]
    assert [row[1] for row in kept] == ["2026-12-01", "2026-12-03"]
    # replaced on the 3rd and the 20th: 10 days before the 25th drops the first only
    assert store.prune_versions(10, dt.date(2026, 12, 25)) == 1
    assert [row[1] for row in rows(store.path) if row[2]] == ["2026-12-03"]
    store.set_versions(False)
    before = rows(store.path)
    store.save_item(record(21, '{"k":9}', '{"r":9}'))
    assert rows(store.path) == before


def test_a_schema_3_database_migrates_with_the_versions_table(tmp_path: Path) -> None:
    db = v3_copy("v3_movies", tmp_path)
    with Store.open_existing(db) as store:
        store.lock()
        (item_id,) = store.ids_with_status("done", limit=1)
        old = store.item_row(item_id, ["keywords"])
        assert old is not None
        fetched = dt.datetime(2027, 1, 2, tzinfo=dt.UTC)
        parts = dict(zip(["keywords"], old[2], strict=True))
        store.save_item(
            ItemRecord(item_id, old[1], {"keywords": '{"id":1,"keywords":[]}'}, fetched),
            partial=True,
        )
        with sqlite3.connect(db) as connection:
            (body,) = connection.execute(
                "SELECT body FROM part_versions WHERE item_id = ? AND body IS NOT NULL",
                (item_id,),
            ).fetchone()
        # the plain-text body an older release stored is kept compressed
        assert body[:4] == codec.MAGIC
        assert store.codec.decode(body) == parts["keywords"].encode()


def test_the_versions_command_turns_them_off_and_prunes(store: Store) -> None:
    store.save_item(record(1, '{"k":1}', '{"r":1}'))
    store.save_item(record(3, '{"k":1}', '{"r":2}'))
    db = store.path
    store.close()
    result = run_cli(["versions", "--db", str(db), "--off", "--prune-older-than", "0"])
    assert result.returncode == 0, result.stderr
    assert "not kept" in result.stdout
    assert "1 past versions older than 0 days dropped" in result.stdout
    with Store.open_existing(db) as again:
        again.lock()
        again.save_item(record(4, '{"k":5}', '{"r":5}'))
    assert not [row for row in rows(db) if row[2]]
    both = run_cli(["versions", "--db", str(db), "--off", "--on"])
    assert both.returncode == 2
    assert one_line_error(both) == "error: --on and --off cannot be used together"
    neither = run_cli(["versions", "--db", str(db)])  # did nothing, silently, with exit 0
    assert neither.returncode == 2
    assert one_line_error(neither) == "error: give --off, --on or --prune-older-than DAYS"
