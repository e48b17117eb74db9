"""Where a daily refresh's bytes go in the store, without the simulator (#23's growth target).

``--titles`` synthetic movies (details, ``credits``, ``watch/providers``) are saved through the
store, then ``--days`` refreshes of ``watch/providers`` (``start_refresh``, a partial save of
every title, ``end_refresh``, as ``update --refresh-parts`` does) change the providers of one
title in 200 each day. Printed per day: the database's growth (after a WAL checkpoint), the free
pages, and the pages each table and index gained or lost (dbstat).

    .venv/bin/python scripts/refresh_growth.py --titles 8000 --days 2     # ~20 s
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sqlite3
import sys
import tempfile
from pathlib import Path

from tmdb_collector.fetch.records import ItemRecord
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store

PROVIDERS = "watch/providers"
WORDS = ("film", "star", "city", "love", "war", "night", "day", "king", "girl", "dog")
DAY0 = dt.datetime(2026, 11, 24, tzinfo=dt.UTC)


def providers(item_id: int, version: int) -> str:
    offer = {"provider_id": (item_id + version) % 30, "provider_name": "p"}
    return json.dumps({"id": item_id, "results": {"US": {"flatrate": [offer]}}})


def pages(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        found = dict(con.execute("SELECT name, COUNT(*) FROM dbstat GROUP BY name").fetchall())
        found["free"] = con.execute("PRAGMA freelist_count").fetchone()[0]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--titles", type=int, default=8000)
    parser.add_argument("--days", type=int, default=2)
    args = parser.parse_args()
    words = random.Random(3)

    def text(count: int) -> str:
        return " ".join(words.choice(WORDS) + str(words.randint(0, 999)) for _ in range(count))

    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "refresh.db"
        titles = range(1, args.titles + 1)
        with Store.create_or_open(db, Plan.from_dict({"parts": ["credits", PROVIDERS]})) as store:
            store.add_catalogue_ids(enumerate(titles, 1), source="bench")
            for n in titles:
                details = json.dumps({"id": n, "title": text(3), "overview": text(60)})
                cast = [{"id": words.randint(1, 10**6), "name": text(2)} for _ in range(15)]
                parts = {"credits": json.dumps({"cast": cast}), PROVIDERS: providers(n, 0)}
                store.save_item(ItemRecord(n, details, parts, DAY0))
        for day in range(1, args.days + 1):
            before, size = pages(db), db.stat().st_size
            with Store.open_existing(db) as store:
                store.lock()
                store.start_refresh(PROVIDERS)
                for n in titles:
                    body = providers(n, day if n % 200 == 0 else 0)
                    when = DAY0 + dt.timedelta(days=day)
                    store.save_item(ItemRecord(n, "", {PROVIDERS: body}, when), partial=True)
                store.end_refresh()
            after = pages(db)
            moved = {k: after.get(k, 0) - before.get(k, 0) for k in after.keys() | before}
            where = ", ".join(f"{k} {v:+d}" for k, v in sorted(moved.items()) if v)
            print(f"day {day}: grew {db.stat().st_size - size:,} bytes; pages: {where or 'none'}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
