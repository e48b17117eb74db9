"""Training the dictionaries, and ``compact``: every body rewritten into the compact form.

A collection trains its dictionaries as it grows (:meth:`Compaction.train_dictionaries`, from
:class:`~tmdb_collector.store.store.Store`). :meth:`Compaction.compact` brings a database that
an earlier release wrote (plain text bodies), or one whose dictionaries are older than its
bodies, into the compact form in place: it trains the dictionaries the collection is due,
rewrites every body (the titles', the linked entities' and the part versions') not compressed
with its kind's newest dictionary, a batch per transaction
(each new frame checked to decode to the stored bytes before it is written), then VACUUMs so
the file gives its freed pages back. A kill at any moment leaves every body readable, in one
form or the other; running it again carries on (rows already compact are skipped).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from tmdb_collector.errors import StoreCorruptError
from tmdb_collector.media.links import DETAILS
from tmdb_collector.store import codec, schema, training
from tmdb_collector.store.database import database_error, database_files, now
from tmdb_collector.store.linked import LinkedStore
from tmdb_collector.store.training import Kinds

BATCH_ROWS = 500  # bodies rewritten per transaction
FREE_SHARE = 0.25  # free pages (of all) above which status advises compact


@dataclass(frozen=True)
class BodyTable:
    """A table of bodies: its key column, the SQL of a row's entity (None: the collection's
    titles) and part (``details`` for the details), its body column."""

    table: str
    key: str
    entity: str | None
    part: str
    column: str


BODY_TABLES = (
    BodyTable("items", "id", None, f"'{DETAILS}'", "details"),
    BodyTable("parts", "rowid", None, "name", "body"),
    BodyTable("linked_parts", "rowid", "entity", "name", "body"),
    BodyTable("part_versions", "rowid", "entity", "part", "body"),  # markers have no body
)

Progress = Callable[[int, int], None]  # (bodies looked at, bodies in all)


@dataclass(frozen=True)
class CompactResult:
    bodies: int  # bodies looked at
    rewritten: int  # bodies rewritten
    dictionaries: int  # dictionaries trained by this run
    size_before: int  # bytes of the database and its WAL, before and after
    size_after: int


def stored_size(path: Path) -> int:
    """Bytes on disk of the database at ``path`` and its WAL."""
    return sum(f.stat().st_size for f in database_files(path)[:2] if f.exists())


class Compaction(LinkedStore):
    """The dictionaries' training and the rewrite of bodies into the compact form."""

    def train_dictionaries(self, kinds: Kinds) -> int:
        """Train a dictionary for each of ``kinds`` on the collection's newest bodies of each
        (kinds with too few bodies wait); returns how many."""
        held = self.held_of(kinds)
        found = training.samples(self._db, self.codec, kinds)  # a kind at a time
        added = self._write(lambda: codec.add_dictionaries(self._db, found, held, now()))
        for dict_id, kind, data in added:
            self.codec.add(dict_id, kind, data)
        self._dictionaries_trained(kinds.entity, held)
        return len(added)

    def _dictionaries_trained(self, entity: str, held: int) -> None:
        """Called after a training of ``entity``, at ``held`` entities (the collector counts
        from there)."""

    def item_count(self) -> int:
        return self._scalar("SELECT COUNT(*) FROM items")

    def held_of(self, kinds: Kinds) -> int:
        """The entities of ``kinds``' entity held: the dictionaries' clock."""
        return self.linked_count(kinds.entity) if kinds.linked else self.item_count()

    def title_kinds(self, parts: Sequence[str]) -> Kinds:
        return Kinds(self.media_type.name, tuple(parts))

    def every_kinds(self) -> list[Kinds]:
        """The kinds of every body the collection holds: the titles' then each linked
        entity's."""
        return [
            self.title_kinds(sorted(self.part_counts())),
            *(self.linked_kinds(entity) for entity in self.linked_entities_held()),
        ]

    # ---- compact ---------------------------------------------------------------------------

    def plain_bodies(self, sample: int = 1_000) -> bool:
        """Whether some bodies are still plain text (written before schema 4), by the first
        and last ``sample`` rows of each table in the order they were written: cheap on any
        size of collection, and where a collection collected into further keeps its old rows."""
        for spec in BODY_TABLES:
            for order in ("ASC", "DESC"):
                found = self._scalar(
                    f"SELECT COUNT(*) FROM (SELECT {spec.column} AS b FROM {spec.table}"
                    f" ORDER BY {spec.key} {order} LIMIT ?) WHERE typeof(b) = 'text'",
                    (sample,),
                )
                if found:
                    return True
        return False

    def compact_advice(self) -> str | None:
        """Why ``compact`` would shrink this database, or None: bodies still plain text, or
        more than :data:`FREE_SHARE` of its pages free (VACUUM gives them back)."""
        if self.plain_bodies():
            return "some bodies are stored uncompressed (written by an earlier release)"
        pages = self._scalar("PRAGMA page_count")
        free = self._scalar("PRAGMA freelist_count")
        if pages and free / pages > FREE_SHARE:
            return f"{free / pages:.0%} of the file is free pages"
        return None

    def compact(self, progress: Progress | None = None, batch: int = BATCH_ROWS) -> CompactResult:
        """Rewrite the database into the compact form in place (see the module's doc)."""
        before = stored_size(self.path)
        added = 0
        for kinds in self.every_kinds():
            trained = codec.trained_at(self._db, kinds.entity)
            if trained == 0 or codec.training_due(self.held_of(kinds), trained):
                added += self.train_dictionaries(kinds)
        total = sum(
            self._scalar(f"SELECT COUNT({spec.column}) FROM {spec.table}") for spec in BODY_TABLES
        )
        done = rewritten = 0
        for spec in BODY_TABLES:
            last: int | None = None
            while True:
                step = partial(self._rewrite_batch, spec, last, batch)
                looked, changed, last = self._write(step)
                if not looked:
                    break
                done, rewritten = done + looked, rewritten + changed
                if progress is not None:
                    progress(done, total)
        try:
            self._vacuum()
        except sqlite3.Error as exc:
            raise database_error(self.path, exc) from None
        return CompactResult(done, rewritten, added, before, stored_size(self.path))

    def _vacuum(self) -> None:
        """VACUUM (atomic: a kill leaves the file as it was), into pages of
        :data:`schema.PAGE_SIZE`, which needs the rollback journal for that while (WAL keeps
        its page size); then back to WAL, its file truncated."""
        if self._scalar("PRAGMA page_size") != schema.PAGE_SIZE:
            self._db.execute("PRAGMA journal_mode = DELETE")
            try:
                self._db.execute(f"PRAGMA page_size = {schema.PAGE_SIZE}")
                self._db.execute("VACUUM")
            finally:
                self._db.execute("PRAGMA journal_mode = WAL")
        else:
            self._db.execute("VACUUM")
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _rewrite_batch(
        self, spec: BodyTable, after: int | None, batch: int
    ) -> tuple[int, int, int | None]:
        """Rewrite the next ``batch`` bodies of ``spec``'s table after key ``after``; returns
        the bodies looked at, those rewritten and the last key."""
        table, key, column = spec.table, spec.key, spec.column
        rows = self._db.execute(
            f"SELECT {key}, {spec.entity or 'NULL'}, {spec.part}, CAST({column} AS BLOB)"
            f" FROM {table} WHERE {key} > ? AND {column} IS NOT NULL ORDER BY {key} LIMIT ?",
            (-1 if after is None else after, batch),
        ).fetchall()
        title, coder = self.media_type.name, self.codec
        updates = []
        for row_key, entity, part, stored in rows:
            kind = codec.kind_of(entity or title, part)
            if coder.dictionary_of(stored) == coder.latest(kind):
                continue
            frame = coder.encode(kind, stored)
            if coder.decode(frame) != coder.decode(stored):
                raise StoreCorruptError(
                    f"a body of {table} ({key} {row_key}) did not survive compression;"
                    " nothing of it was rewritten"
                )
            updates.append((frame, row_key))
        self._db.executemany(f"UPDATE {table} SET {column} = ? WHERE {key} = ?", updates)
        return len(rows), len(updates), (int(rows[-1][0]) if rows else after)
