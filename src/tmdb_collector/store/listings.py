"""What each harvested page listed, kept or not: the raw material of the harvest's consistency.

Popularity-sorted lists are re-ranked while a harvest pages through them, so an id can be
listed on two pages of one query and another can fall between two pages unseen. Each done page
keeps every id it listed (``pages.listed``, JSON), before any language filter; these reads count
them, and :meth:`Listings.reharvest` queues a query's pages again to pick up what was missed.
The sums per stage are in :mod:`.progress`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tmdb_collector.store import meta_keys
from tmdb_collector.store.database import Database


@dataclass(frozen=True)
class QueryListing:
    listed: int  # distinct ids the query's done pages listed
    twice: int  # of them, ids listed on two pages or more
    unrecorded: int  # done pages stored before pages kept what they listed


class Listings(Database):
    def listings(self) -> dict[str, QueryListing]:
        """Per query key, over its done pages."""
        rows = self._db.execute(
            "SELECT query_key, COUNT(*), SUM(n > 1) FROM (SELECT p.query_key, j.value, COUNT(*) n"
            " FROM pages p, json_each(p.listed) j WHERE p.status = 'done'"
            " GROUP BY p.query_key, j.value) GROUP BY query_key"
        )
        seen = {str(key): (int(listed), int(twice)) for key, listed, twice in rows}
        unrecorded = dict(
            self._db.execute(
                "SELECT query_key, COUNT(*) FROM pages WHERE status = 'done' AND listed IS NULL"
                " GROUP BY query_key"
            ).fetchall()
        )
        return {
            key: QueryListing(*seen.get(key, (0, 0)), unrecorded.get(key, 0))
            for key in seen.keys() | unrecorded.keys()
        }

    def reharvest(self, stages: Sequence[str]) -> int:
        """Mark the done pages of these stages' queries (a query split by date: its halves) to
        be fetched again, as status ``stale`` so that a paused reharvest resumes, and remember
        where the ids harvested so far end. Returns how many pages were marked."""
        marks = ",".join("?" for _ in stages)

        def mark() -> int:
            last = self._scalar("SELECT COALESCE(MAX(seen_order), 0) FROM ids")
            self._set_meta(meta_keys.REHARVEST_AFTER, str(last))
            return self._db.execute(
                "UPDATE pages SET status = 'stale' WHERE status = 'done' AND query_key IN"
                f" (SELECT key FROM queries WHERE split = 0 AND stage IN ({marks}))",
                tuple(stages),
            ).rowcount

        return self._write(mark)

    def ids_since_reharvest(self) -> int | None:
        """Ids first harvested since the last :meth:`reharvest` began (None: never run)."""
        after = self.meta(meta_keys.REHARVEST_AFTER)
        if after is None:
            return None
        return self._scalar("SELECT COUNT(*) FROM ids WHERE seen_order > ?", (int(after),))
