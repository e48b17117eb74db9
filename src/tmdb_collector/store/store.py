"""The checkpoint store: one SQLite file in WAL mode holds the plan, the harvest and the items.

Every unit of work is committed together with its checkpoint in one transaction: a harvested
page with its ids and provenance, an item with its parts and its status. Re-running a command
therefore resumes exactly where the last one stopped, whether it was paused, killed or lost
power. Opening, validating, migrating and locking the file is :mod:`.database`'s work; the
tables are in :mod:`.schema`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tmdb_collector.errors import PlanMismatchError
from tmdb_collector.fetch.records import ItemRecord
from tmdb_collector.media.base import MAX_PAGE
from tmdb_collector.media.links import DETAILS
from tmdb_collector.plan.plan import HarvestQuery, PageCount
from tmdb_collector.store import codec, meta_keys, versions
from tmdb_collector.store.catalogue import Catalogue
from tmdb_collector.store.compaction import Compaction
from tmdb_collector.store.database import APP_NAME, database_error, now
from tmdb_collector.store.id_status import IdStatus
from tmdb_collector.store.images import ImageManifest
from tmdb_collector.store.items import ItemRow, RawItemRow
from tmdb_collector.store.linked import LinkedStore
from tmdb_collector.store.listings import Listings
from tmdb_collector.store.schema import SCHEMA_VERSION
from tmdb_collector.store.sync_reads import SyncReads
from tmdb_collector.store.training import Training
from tmdb_collector.store.version_reads import VersionReads

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueryState:
    query: HarvestQuery
    parent: str | None
    total_pages: int | None
    total_results: int | None
    split: bool

    def pages_wanted(self) -> int:
        """Pages this query still needs in all: known once page 1 has answered."""
        if self.total_pages is None:
            return self.query.pages_estimate()
        return min(self.query.wanted_pages(self.total_pages), MAX_PAGE)


@dataclass(frozen=True)
class StatusCounts:
    ids: int
    done: int
    pending: int
    not_found: int
    failed: int
    pages_done: int
    pages_failed: int
    removed: int = 0


class Store(Listings, Catalogue, Compaction, VersionReads, LinkedStore, SyncReads, ImageManifest):
    """The collection's reads and writes: the harvest (queries, pages, ids, provenance) and the
    items with their parts (read for export by :class:`.items.ItemReads`)."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        super().__init__(path, connection)
        self._next_seen = 1
        # Items held, and held when the dictionaries were last trained (read at first save).
        self._held: int | None = None
        self._trained_at = 0
        self._training: Training | None = None  # running in a worker process
        self._keep: bool | None = None  # whether saves keep part versions (read at first save)

    def lock(self) -> None:
        super().lock()
        if self.meta(meta_keys.APP) == APP_NAME:
            self._next_seen = self._scalar("SELECT COALESCE(MAX(seen_order), 0) + 1 FROM ids")

    # ---- harvest ---------------------------------------------------------------------------

    def add_query(self, query: HarvestQuery, parent: str | None = None) -> None:
        self._write(lambda: self._insert_query(query, parent))

    def _insert_query(self, query: HarvestQuery, parent: str | None) -> None:
        """A new query; a plan's query again takes the plan's page count, which
        ``--force-plan`` may have changed (a query's key leaves the count out)."""
        if parent is None:
            self._check_split_pages(query)
        again = "DO UPDATE SET max_pages = excluded.max_pages" if parent is None else "DO NOTHING"
        self._db.execute(
            "INSERT INTO queries (key, stage, genre, path, params, max_pages,"
            " keep_language, parent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            f" ON CONFLICT (key) {again}",
            (
                query.key,
                query.stage,
                query.genre,
                query.path,
                json.dumps(dict(query.params), sort_keys=True),
                str(query.max_pages),
                query.keep_language,
                parent,
            ),
        )

    def _check_split_pages(self, query: HarvestQuery) -> None:
        """A query split by date (to reach past page 500) pages its halves, not itself: a new
        page count for it (``--force-plan``) has no meaning there, so it is refused."""
        row = self._db.execute(
            "SELECT max_pages, split FROM queries WHERE key = ?", (query.key,)
        ).fetchone()
        if row is not None and row[1] and row[0] != str(query.max_pages):
            raise PlanMismatchError(
                f"{query.key} was split by date to reach past page 500, so its page count"
                f" cannot change ({row[0]} -> {query.max_pages}); use a new --db"
            )

    def split_query(self, key: str, children: Iterable[HarvestQuery]) -> None:
        """Replace a query that has more than 500 pages by narrower ones, atomically."""

        def split() -> None:
            for child in children:
                self._insert_query(child, key)
            self._db.execute("UPDATE queries SET split = 1 WHERE key = ?", (key,))

        self._write(split)

    def queries(self) -> list[QueryState]:
        rows = self._db.execute(
            "SELECT stage, path, params, max_pages, genre, keep_language, parent, total_pages,"
            " total_results, split FROM queries ORDER BY rowid"
        ).fetchall()
        media = self.media_type
        states = []
        for stage, path, params, max_pages, genre, keep, parent, pages, results, split in rows:
            count: PageCount = "all" if max_pages == "all" else int(max_pages)
            query = HarvestQuery(
                stage, path, json.loads(params), count, media.date_field, genre, keep
            )
            states.append(QueryState(query, parent, pages, results, bool(split)))
        return states

    def pages_done(self, key: str) -> set[int]:
        rows = self._db.execute(
            "SELECT page FROM pages WHERE query_key = ? AND status = 'done'", (key,)
        )
        return {row[0] for row in rows}

    def pages_done_counts(self) -> dict[str, int]:
        """Pages done per query key (see store/harvest_progress.py for what they add up to)."""
        rows = self._db.execute(
            "SELECT query_key, COUNT(*) FROM pages WHERE status = 'done' GROUP BY query_key"
        )
        return dict(rows.fetchall())

    def save_page(
        self,
        query: HarvestQuery,
        page: int,
        item_ids: list[int],
        total_pages: int,
        total_results: int,
        listed: Sequence[int] | None = None,
    ) -> list[int]:
        """Record a harvested page, its ids and their provenance. Returns the ids never seen.

        ``listed`` is every id the page listed, kept ones or not (default: ``item_ids``)."""
        new_ids: list[int] = []
        every = json.dumps(list(item_ids if listed is None else listed))

        def save() -> None:
            new_ids.clear()
            self._db.execute(
                "INSERT OR REPLACE INTO pages (query_key, page, status, results, listed)"
                " VALUES (?, ?, 'done', ?, ?)",
                (query.key, page, len(item_ids), every),
            )
            self._db.execute(
                "UPDATE queries SET total_pages = ?, total_results = ? WHERE key = ?",
                (total_pages, total_results, query.key),
            )
            for position, item_id in enumerate(item_ids):
                self._db.execute(
                    "INSERT OR IGNORE INTO provenance VALUES (?, ?, ?, ?, ?, ?)",
                    (item_id, query.stage, query.genre, query.key, page, position),
                )
                if self._insert_id(item_id):
                    new_ids.append(item_id)

        self._write(save)
        return new_ids

    def add_catalogue_ids(
        self,
        entries: Iterable[tuple[int, int]],
        source: str,
        batch: int = 20_000,
        *,
        complete: bool = True,
    ) -> int:
        """Queue ``(line, id)`` entries of a daily export, in batches; returns how many were new.

        Each batch is one transaction and inserts are idempotent, so an interrupted load is
        simply loaded again. ``ids_loaded`` is recorded with the last batch when ``complete``
        (a caller feeding the daily file in several calls passes False until the last one).
        """
        added = 0
        chunk: list[tuple[int, int]] = []

        def flush(final: bool) -> None:
            nonlocal added
            for line, item_id in chunk:
                self._db.execute(
                    "INSERT OR IGNORE INTO provenance VALUES (?, 'daily_export', NULL, ?, 0, ?)",
                    (item_id, source, line),
                )
                added += self._insert_id(item_id)
            if final:
                self._set_meta(meta_keys.IDS_LOADED, source)

        for entry in entries:
            chunk.append(entry)
            if len(chunk) >= batch:
                self._write(lambda: flush(False))
                chunk.clear()
        self._write(lambda: flush(complete))
        return added

    def _insert_id(self, item_id: int) -> bool:
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO ids (id, status, seen_order, updated_at)"
            " VALUES (?, 'pending', ?, ?)",
            (item_id, self._next_seen, now()),
        )
        if cursor.rowcount:
            self._next_seen += 1
            return True
        return False

    def fail_page(self, query: HarvestQuery, page: int, reason: str) -> None:
        self._write(
            lambda: self._db.execute(
                "INSERT OR REPLACE INTO pages (query_key, page, status, error)"
                " VALUES (?, ?, 'failed', ?)",
                (query.key, page, reason),
            )
        )

    # ---- items -----------------------------------------------------------------------------

    def ids_with_status(self, *statuses: IdStatus, limit: int = -1) -> list[int]:
        marks = ",".join("?" for _ in statuses)
        rows = self._db.execute(
            f"SELECT id FROM ids WHERE status IN ({marks}) ORDER BY seen_order LIMIT ?",
            (*statuses, limit),
        )
        return [row[0] for row in rows]

    def pending_after(self, seen_order: int, limit: int) -> list[tuple[int, int]]:
        """``(seen_order, id)`` of pending ids after ``seen_order``, in harvest order."""
        rows = self._db.execute(
            "SELECT seen_order, id FROM ids WHERE status = 'pending' AND seen_order > ?"
            " ORDER BY seen_order LIMIT ?",
            (seen_order, limit),
        )
        return [(int(a), int(b)) for a, b in rows]

    def save_item(self, record: ItemRecord, *, partial: bool = False) -> None:
        """Store an item with its parts (replacing every part of an earlier fetch, so one
        item's bodies always come from one response) and mark its id done; the earlier
        bodies that changed are kept as versions (:mod:`.versions`) unless the collection
        turned them off. ``partial`` (``update --refresh-parts``) replaces only the record's
        parts, and its details unless empty (a standalone part's request has none)."""
        fetched = record.fetched_at.isoformat() if record.fetched_at else now()
        entity, encode = self.media_type.name, self.codec.encode
        details = encode(codec.kind_of(entity, "details"), record.details)
        bodies = [
            (record.id, name, encode(codec.kind_of(entity, name), body))
            for name, body in record.parts.items()
        ]
        keep = self.meta(meta_keys.VERSIONS) != "off" if self._keep is None else self._keep
        self._keep = keep

        def save() -> None:
            if keep:
                self._keep_versions(record, entity, fetched)
            if not partial:
                self._db.execute("DELETE FROM parts WHERE item_id = ?", (record.id,))
            if record.details or not partial:
                self._db.execute(
                    "INSERT OR REPLACE INTO items (id, details, fetched_at) VALUES (?, ?, ?)",
                    (record.id, details, fetched),
                )
            self._db.executemany(
                "INSERT OR REPLACE INTO parts (item_id, name, body) VALUES (?, ?, ?)", bodies
            )
            self._set_status(record.id, "done", None)

        self._write(save)
        self._one_more_held()

    def _keep_versions(self, record: ItemRecord, entity: str, fetched: str) -> None:
        """Inside save_item's transaction: the versions its new bodies make."""
        new = {name: body.encode() for name, body in record.parts.items()}
        if record.details:
            new[DETAILS] = record.details.encode()
        versions.record(
            self._db, self.codec, entity, record.id, fetched[:10], new, self._previous(record.id)
        )

    def holds(self, item_id: int) -> bool:
        """Whether the item has been collected (its details are stored)."""
        return bool(self._scalar("SELECT COUNT(*) FROM items WHERE id = ?", (item_id,)))

    def start_refresh(self, parts: str) -> int:
        """Queue every held item for ``update --refresh-parts parts`` (unless a run of the same
        parts is unfinished: it resumes); returns the items the refresh covers."""

        def start() -> int:
            if self.meta(meta_keys.REFRESH_PARTS) != parts:
                self._db.execute(
                    "UPDATE ids SET status = 'pending', error = NULL, updated_at = ?"
                    " WHERE status IN ('done', 'failed') AND id IN (SELECT id FROM items)",
                    (now(),),
                )
                self._set_meta(meta_keys.REFRESH_PARTS, parts)
            return self._scalar("SELECT COUNT(*) FROM items")

        return self._write(start)

    def end_refresh(self) -> None:
        self._write(
            lambda: self._db.execute("DELETE FROM meta WHERE key = ?", (meta_keys.REFRESH_PARTS,))
        )

    def set_versions(self, keep: bool) -> None:
        """Turn part versions on or off for this collection (``tmdb-collector versions``)."""
        self.set_meta(meta_keys.VERSIONS, "on" if keep else "off")
        self._keep = keep

    def prune_versions(self, days: int, today: dt.date) -> int:
        """Drop the past versions replaced more than ``days`` days before ``today``."""
        return self._write(lambda: versions.prune(self._db, today - dt.timedelta(days=days)))

    def _previous(self, item_id: int) -> versions.Previous | None:
        row = self._db.execute(
            "SELECT details, fetched_at FROM items WHERE id = ?", (item_id,)
        ).fetchone()
        if row is None:
            return None
        bodies = dict(
            self._db.execute("SELECT name, body FROM parts WHERE item_id = ?", (item_id,))
        )
        bodies[DETAILS] = row[0]
        return versions.Previous(bodies, versions.day_of(row[1]))

    # ---- dictionaries ----------------------------------------------------------------------

    def _one_more_held(self) -> None:
        """Count a saved item; when the collection has grown enough (codec.training_due),
        train the dictionaries in a worker process, and switch to them once trained."""
        if self._held is None:
            self._held = self.item_count()
            self._trained_at = codec.trained_at(self._db)
        else:
            self._held += 1
        if self._training is not None and self._training.done():
            self.finish_training()
        if self._training is None and codec.training_due(self._held, self._trained_at):
            entity, parts = self.media_type.name, self.plan().parts
            self._training = Training(self.path, entity, parts, codec.last_id(self._db), self._held)

    def finish_training(self) -> None:
        """Wait for the training in the worker, if any, and store its dictionaries: the
        bodies saved from now on are compressed with them."""
        training, self._training = self._training, None
        if training is None:
            return
        trained = training.result()
        if trained is not None and codec.last_id(self._db) == training.last_id:
            added = self._write(
                lambda: codec.store_dictionaries(self._db, trained, training.held, now())
            )
            for dict_id, kind, data in added:
                self.codec.add(dict_id, kind, data)
        self._trained_at = training.held  # failed or not, next due when grown as much again

    def close(self) -> None:
        try:
            self.finish_training()
        except Exception as exc:  # dictionaries are an optimisation: closing goes on
            log.warning("the dictionaries trained last were not stored (%s)", exc)
        finally:
            super().close()

    def _dictionaries_trained(self, held: int) -> None:
        self._held = self._trained_at = held

    def mark(self, item_id: int, status: IdStatus, reason: str | None = None) -> None:
        self._write(lambda: self._set_status(item_id, status, reason))

    def requeue(self, item_ids: Iterable[int]) -> int:
        """Mark ids pending again; stored bodies stay until a new fetch replaces them."""
        count = 0

        def requeue() -> None:
            nonlocal count
            for item_id in item_ids:
                count += self._db.execute(
                    "UPDATE ids SET status = 'pending', error = NULL, updated_at = ? WHERE id = ?",
                    (now(), item_id),
                ).rowcount

        self._write(requeue)
        return count

    def _set_status(self, item_id: int, status: IdStatus, reason: str | None) -> None:
        self._db.execute(
            "UPDATE ids SET status = ?, error = ?, attempts = attempts + 1, updated_at = ?"
            " WHERE id = ?",
            (status, reason, now(), item_id),
        )

    def failures(self, limit: int = 50) -> list[tuple[int, str, str]]:
        rows = self._db.execute(
            "SELECT id, status, COALESCE(error, '') FROM ids WHERE status IN"
            " ('failed', 'not_found') ORDER BY seen_order LIMIT ?",
            (limit,),
        )
        return [(int(a), str(b), str(c)) for a, b, c in rows]

    def page_failures(self, limit: int = 50) -> list[tuple[str, int, str]]:
        rows = self._db.execute(
            "SELECT query_key, page, COALESCE(error, '') FROM pages WHERE status = 'failed'"
            " ORDER BY query_key, page LIMIT ?",
            (limit,),
        )
        return [(str(a), int(b), str(c)) for a, b, c in rows]

    def counts(self) -> StatusCounts:
        by_status = dict(
            self._db.execute("SELECT status, COUNT(*) FROM ids GROUP BY status").fetchall()
        )
        pages = dict(
            self._db.execute("SELECT status, COUNT(*) FROM pages GROUP BY status").fetchall()
        )
        return StatusCounts(
            ids=sum(by_status.values()),
            done=by_status.get("done", 0),
            pending=by_status.get("pending", 0),
            not_found=by_status.get("not_found", 0),
            failed=by_status.get("failed", 0),
            pages_done=pages.get("done", 0),
            pages_failed=pages.get("failed", 0),
            removed=by_status.get("removed", 0),
        )


__all__ = [
    "SCHEMA_VERSION",
    "ItemRow",
    "QueryState",
    "RawItemRow",
    "StatusCounts",
    "Store",
    "database_error",
]
