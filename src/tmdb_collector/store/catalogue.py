"""The store against TMDB's id catalogue (its latest daily ID export): ids new in it, and ids
gone from it.

``/movie/changes`` never lists a new id, nor a deleted one; only the catalogue shows both.
:meth:`Catalogue.sync_catalogue` compares the catalogue's ids, staged in a temporary table
(bounded memory for a million ids), with the store's: every id the store holds that the
catalogue no longer lists becomes ``removed`` (our dataset exports leave such items out by
default), a removed id that is listed again is queued again, and, when asked, the ids the
catalogue lists (and the plan's filters keep) that the store has never seen are queued.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tmdb_collector.errors import UsageError
from tmdb_collector.store.database import Database, now
from tmdb_collector.store.id_status import LIVE, sql_list

VANISHED = "no longer in TMDB's daily ID export"


@dataclass(frozen=True)
class CatalogueSync:
    added: int  # ids new in the catalogue, queued
    removed: int  # ids the store held that the catalogue no longer lists
    restored: int  # ids marked removed earlier that the catalogue lists again, queued again


class Catalogue(Database):
    _next_seen: int  # the next id's harvest order (kept by Store)

    def stage_catalogue(self, entries: Iterable[tuple[int, int, bool]], *, first: bool) -> None:
        """Add ``(line, id, kept)`` catalogue entries to the comparison (``first``: start over)."""

        def stage() -> None:
            if first:
                self._db.execute(
                    "CREATE TEMP TABLE IF NOT EXISTS catalogue_ids"
                    " (id INTEGER PRIMARY KEY, line INTEGER NOT NULL, kept INTEGER NOT NULL)"
                )
                self._db.execute("DELETE FROM temp.catalogue_ids")
            self._db.executemany(
                "INSERT OR IGNORE INTO temp.catalogue_ids VALUES (?, ?, ?)",
                ((item_id, line, kept) for line, item_id, kept in entries),
            )

        self._write(stage)

    def sync_catalogue(self, source: str, *, add_new: bool) -> CatalogueSync:
        """Apply the staged catalogue to the ids, in one transaction."""

        def apply() -> CatalogueSync:
            live = f"status IN {sql_list(LIVE)}"
            held = self._scalar(f"SELECT COUNT(*) FROM ids WHERE {live}")
            gone = self._scalar(
                f"SELECT COUNT(*) FROM ids WHERE {live}"
                " AND id NOT IN (SELECT id FROM temp.catalogue_ids)"
            )
            if held and gone * 2 > held:
                self._db.execute("DELETE FROM temp.catalogue_ids")
                raise UsageError(
                    f"{source} lists too few of this collection's ids: it would mark {gone:,}"
                    f" of {held:,} removed; a daily export lists every id, so this one looks"
                    " incomplete (nothing was changed)"
                )
            stamp = now()
            restored = self._db.execute(
                "UPDATE ids SET status = 'pending', error = NULL, updated_at = ?"
                " WHERE status = 'removed' AND id IN (SELECT id FROM temp.catalogue_ids)",
                (stamp,),
            ).rowcount
            removed = self._db.execute(
                "UPDATE ids SET status = 'removed', error = ?, updated_at = ?"
                f" WHERE {live}"
                " AND id NOT IN (SELECT id FROM temp.catalogue_ids)",
                (VANISHED, stamp),
            ).rowcount
            added = self._add_new(source, stamp) if add_new else 0
            self._db.execute("DELETE FROM temp.catalogue_ids")
            return CatalogueSync(added, removed, restored)

        return self._write(apply)

    def _add_new(self, source: str, stamp: str) -> int:
        new = (
            "SELECT e.id, e.line FROM temp.catalogue_ids e"
            " WHERE e.kept AND e.id NOT IN (SELECT id FROM ids)"
        )
        self._db.execute(
            "INSERT OR IGNORE INTO provenance SELECT n.id, 'daily_export', NULL, ?, 0, n.line"
            f" FROM ({new}) n",
            (source,),
        )
        added = self._db.execute(
            "INSERT INTO ids (id, status, seen_order, updated_at)"
            " SELECT n.id, 'pending', ? + ROW_NUMBER() OVER (ORDER BY n.line) - 1, ?"
            f" FROM ({new}) n",
            (self._next_seen, stamp),
        ).rowcount
        self._next_seen += added
        return added
