"""Reading the stored items for export, and which parts they have.

An item is its details (``items``) and one ``parts`` row per part; the exports read them in
ascending id with bounded memory. Which items a read yields is one rule,
:func:`left_out_statuses`: items whose id was found deleted never, and those gone from TMDB's
daily export only with ``include_removed``, a parameter of each read (every export,
``Collection.items``/``get``/``len`` and the dashboard's downloads read through these).
Bodies are stored compressed or, written before schema 4, as plain text;
:attr:`ItemReads.codec` gives back the stored bytes of either.
"""

from __future__ import annotations

import json
import sqlite3
from collections import deque
from collections.abc import Callable, Collection, Generator, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from tmdb_collector.store import codec
from tmdb_collector.store.database import Database, now

# One exported item: id, details and the bodies of the asked parts, in the order asked.
ItemRow = tuple[int, str, tuple[str, ...]]
RawItemRow = tuple[int, bytes, tuple[bytes, ...]]
T = TypeVar("T", str, bytes)
Row = tuple[int, T, tuple[T, ...]]
DECODE_BATCH = 64  # items decompressed a batch (json, jsonl and the API's reads)
DECODE_THREADS = 2


def left_out_statuses(*, include_removed: bool) -> tuple[str, ...]:
    """The id statuses whose stored items no read yields: ``not_found`` (deleted on TMDB after
    it was collected) always, ``removed`` (gone from the daily export) unless
    ``include_removed``."""
    return ("not_found",) if include_removed else ("not_found", "removed")


def among(column: str, ids: Collection[int] | None) -> tuple[str, tuple[str, ...]]:
    """SQL `` AND column IN (...)`` that keeps the rows of ``ids`` only (one parameter, a JSON
    list, however many), with its parameters; nothing when ``ids`` is None (every id)."""
    if ids is None:
        return "", ()
    return f" AND {column} IN (SELECT value FROM json_each(?))", (json.dumps(sorted(ids)),)


class ItemReads(Database):
    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        super().__init__(path, connection)
        self._codec: codec.Codec | None = None

    @property
    def codec(self) -> codec.Codec:
        """The codec of this database's bodies (its dictionaries, loaded once)."""
        if self._codec is None:
            self._codec = codec.load(self._db)
        return self._codec

    def part_counts(self) -> dict[str, int]:
        """How many items have each part, by part name."""
        rows = self._db.execute("SELECT name, COUNT(*) FROM parts GROUP BY name")
        return {str(name): int(count) for name, count in rows}

    @staticmethod
    def _parts_held(parts: Sequence[str]) -> str:
        """SQL for how many of ``parts`` (bound in order) item ``i`` has."""
        marks = ",".join("?" for _ in parts)
        return f"(SELECT COUNT(*) FROM parts p WHERE p.item_id = i.id AND p.name IN ({marks}))"

    @classmethod
    def _exported(cls, parts: Sequence[str], include_removed: bool) -> str:
        """SQL ``FROM ... WHERE`` of the stored items ``i`` a read of ``parts`` (bound in
        order) yields: not left out (:func:`left_out_statuses`), with every one of ``parts``."""
        statuses = ", ".join(f"'{s}'" for s in left_out_statuses(include_removed=include_removed))
        having = f" AND {cls._parts_held(parts)} = {len(parts)}" if parts else ""
        return f"FROM items i JOIN ids s ON s.id = i.id WHERE s.status NOT IN ({statuses}){having}"

    def _lacking(self, parts: Sequence[str]) -> str:
        """SQL for the ids of collected items that lack one of ``parts`` (bound in order)."""
        return (
            "SELECT i.id FROM items i JOIN ids s ON s.id = i.id WHERE s.status = 'done' AND"
            f" {self._parts_held(parts)} < {len(parts)}"
        )

    def count_lacking(self, parts: Sequence[str]) -> int:
        """Collected items that lack at least one of ``parts``."""
        if not parts:
            return 0
        return self._scalar(f"SELECT COUNT(*) FROM ({self._lacking(parts)})", tuple(parts))

    def requeue_lacking(self, parts: Sequence[str]) -> int:
        """Queue again every collected item that lacks one of ``parts``; returns how many."""
        if not parts:
            return 0
        return self._write(
            lambda: (
                self._db.execute(
                    "UPDATE ids SET status = 'pending', error = NULL, updated_at = ?"
                    f" WHERE id IN ({self._lacking(parts)})",
                    (now(), *parts),
                ).rowcount
            )
        )

    def any_exported(self, parts: Sequence[str], *, include_removed: bool = False) -> bool:
        """Whether a read of ``parts`` yields at least one item (see :meth:`_items`)."""
        query = f"SELECT EXISTS (SELECT 1 {self._exported(parts, include_removed)})"
        return bool(self._scalar(query, tuple(parts)))

    def count_exported(self, parts: Sequence[str], *, include_removed: bool = False) -> int:
        """How many items a read of ``parts`` yields (see :meth:`_items`)."""
        query = f"SELECT COUNT(*) {self._exported(parts, include_removed)}"
        return self._scalar(query, tuple(parts))

    def iter_items(
        self, parts: Sequence[str], *, include_removed: bool = False
    ) -> Iterator[ItemRow]:
        """Stored items that have every one of ``parts``: see :meth:`iter_stored_items`."""
        return self._decoded(parts, include_removed, self.codec.decode_text)

    def _decoded(
        self, parts: Sequence[str], include_removed: bool, decode: Callable[[bytes], T]
    ) -> Iterator[Row[T]]:
        """:meth:`iter_stored_items` with every body decoded by ``decode``, a batch at a time
        on :data:`DECODE_THREADS` threads (zstd works without the GIL) while this one reads
        ahead, at most ``DECODE_THREADS + 1`` batches in hand."""

        def decoded(batch: list[RawItemRow]) -> list[Row[T]]:
            return [(key, decode(first), tuple(map(decode, rest))) for key, first, rest in batch]

        ahead: deque[Future[list[Row[T]]]] = deque()
        rows = self.iter_stored_items(parts, include_removed=include_removed)
        with ThreadPoolExecutor(DECODE_THREADS, thread_name_prefix="decode") as pool:
            try:
                while batch := list(islice(rows, DECODE_BATCH)):
                    ahead.append(pool.submit(decoded, batch))
                    if len(ahead) > DECODE_THREADS:
                        yield from ahead.popleft().result()
                while ahead:
                    yield from ahead.popleft().result()
            finally:
                for future in ahead:
                    future.cancel()
                rows.close()

    def iter_stored_items(
        self,
        parts: Sequence[str],
        *,
        include_removed: bool = False,
        bodies: Sequence[str] | None = None,
        ids: Collection[int] | None = None,
    ) -> Generator[RawItemRow]:
        """Stored items that have every one of ``parts``, by ascending id, each with its
        details and those parts' bodies in the order asked (only those of ``bodies``, a
        subset of ``parts`` in their order, when given), as stored (frames or plain text as
        bytes: :attr:`codec` decodes them, on any thread); items whose id was later found
        deleted are left out, and so are those gone from the daily export unless
        ``include_removed`` (:func:`left_out_statuses`); of ``ids`` only, if given (a few
        items' read: see :func:`among`). Two cursors walked in step (both by id): bounded
        memory, and much faster than one join per part."""
        text = "CAST({} AS BLOB)"
        checked = () if bodies is None else tuple(parts)  # held, checked here, not read
        read = tuple(parts) if bodies is None else tuple(bodies)
        only_items, chosen = among("i.id", ids)
        items = self._db.execute(
            f"SELECT i.id, {text.format('i.details')} {self._exported(checked, include_removed)}"
            f"{only_items} ORDER BY i.id",
            (*checked, *chosen),
        )
        if not read:
            for item_id, details in items:
                yield item_id, details, ()
            return
        marks = ",".join("?" for _ in read)
        only_bodies, _ = among("item_id", ids)
        found_bodies = self._db.execute(
            f"SELECT item_id, name, {text.format('body')} FROM parts WHERE name IN ({marks})"
            f"{only_bodies} ORDER BY item_id, name",
            (*read, *chosen),
        )
        pending = next(found_bodies, None)
        for item_id, details in items:
            found: dict[str, Any] = {}
            while pending is not None and pending[0] <= item_id:
                if pending[0] == item_id:
                    found[pending[1]] = pending[2]
                pending = next(found_bodies, None)
            if len(found) == len(read):
                yield item_id, details, tuple(found[name] for name in read)

    def item_row(
        self, item_id: int, parts: Sequence[str], *, include_removed: bool = False
    ) -> ItemRow | None:
        """One item as :meth:`iter_items` yields it, or None if that read leaves it out (not
        stored, found deleted, removed without ``include_removed``, or lacking one of
        ``parts``)."""
        row = self._db.execute(
            f"SELECT i.id, i.details {self._exported(parts, include_removed)} AND i.id = ?",
            (*parts, item_id),
        ).fetchone()
        if row is None:
            return None
        marks = ",".join("?" for _ in parts)
        found = dict(
            self._db.execute(
                f"SELECT name, body FROM parts WHERE item_id = ? AND name IN ({marks})",
                (item_id, *parts),
            ).fetchall()
        )
        decode = self.codec.decode_text
        return int(row[0]), decode(row[1]), tuple(decode(found[name]) for name in parts)

    def iter_provenance(self) -> Iterator[tuple[int, str, int | None, str, int, int]]:
        return self._db.execute(
            "SELECT item_id, stage, genre, query_key, page, position FROM provenance"
            " ORDER BY item_id, stage, query_key, page"
        )

    def fetched_at(self) -> Iterator[tuple[int, str | None]]:
        return self._db.execute("SELECT id, fetched_at FROM items ORDER BY id")

    def last_fetched_at(self) -> str | None:
        """When the newest stored movie was fetched (the server's clock), or None."""
        row = self._db.execute("SELECT MAX(fetched_at) FROM items").fetchone()
        return None if row is None or row[0] is None else str(row[0])
