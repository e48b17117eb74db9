"""What a warehouse sync (``tmdb-collector sync``) reads from the store: a fingerprint of each
item an export holds, and the provenance of a chosen few (their stored rows and history are the
exports' own reads, given those ids: :func:`.items.among`).

An item's fingerprint changes whenever anything the table export writes for it can: a save
(full or ``--refresh-parts``) or a status change stamps ``ids.updated_at``; a refetch moves
``fetched_at``; a newly harvested page adds provenance rows; a refetch or a prune changes its
part versions. A linked entity's changes with its save or status (``linked_ids``). The sync
keeps the fingerprints it wrote beside the rows, so comparing them finds what changed; it
reads the changed linked entities with :meth:`.linked.LinkedStore.iter_linked_raw` (given
their ids).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from tmdb_collector.media.links import DETAILS
from tmdb_collector.store import change_log
from tmdb_collector.store.items import ItemReads, among


class SyncReads(ItemReads):
    def item_fingerprints(
        self,
        parts: Sequence[str],
        *,
        include_removed: bool = False,
        ids: Collection[int] | None = None,
    ) -> dict[int, str]:
        """Each stored item an export may write rows of (of ``ids`` only, if given), by id: a
        text that changes whenever its exported rows can. That is every item a read yields
        whatever its parts (the history tables hold those lacking one of ``parts`` too); how
        many of ``parts`` it has is part of the text."""
        entity = self.media_type.name
        held = self._parts_held(parts) if parts else "0"
        query = (
            "SELECT i.id, s.updated_at || '|' || COALESCE(i.fetched_at, '')"
            " || '|' || (SELECT COUNT(*) FROM provenance p WHERE p.item_id = i.id)"
            " || '|' || (SELECT COUNT(*) FROM part_versions v"
            f"   WHERE v.entity = ? AND v.item_id = i.id) || '|' || {held}"
            f" {self._exported((), include_removed)}"
        )
        return self._marks(query, "i.id", (entity, *parts), ids)

    def _marks(
        self, query: str, id_column: str, params: tuple[Any, ...], ids: Collection[int] | None
    ) -> dict[int, str]:
        """(id, fingerprint) rows of ``query``, or of those of ``ids``."""
        only, chosen = among(id_column, ids)
        rows = self._db.execute(query + only, (*params, *chosen))
        return {int(item_id): str(mark) for item_id, mark in rows}

    def track_changes(self) -> bool:
        """Keep :mod:`.change_log` from now on (made if missing); returns whether it was
        already kept (so that it holds every write since it was made)."""
        if change_log.tracking(self._db):
            return True
        self._write(lambda: change_log.track(self._db, self.media_type.name))
        return False

    def change_mark(self) -> int:
        """The number of the last write :mod:`.change_log` stamped (0: none yet)."""
        return change_log.mark(self._db)

    def changed_since(self, entity: str, mark: int) -> set[int]:
        """The ids of the ``entity`` units written after ``mark``."""
        return change_log.changed_since(self._db, entity, mark)

    def provenance_of(self, ids: Iterable[int]) -> list[tuple[int, str, int | None, str, int, int]]:
        """The provenance rows of the items ``ids``, as :meth:`iter_provenance` orders them."""
        only, chosen = among("item_id", list(ids))
        return self._db.execute(
            "SELECT item_id, stage, genre, query_key, page, position FROM provenance"
            f" WHERE TRUE{only} ORDER BY item_id, stage, query_key, page",
            chosen,
        ).fetchall()

    def linked_fingerprints(
        self, entity: str, parts: Sequence[str], ids: Collection[int] | None = None
    ) -> dict[int, str]:
        """Each held ``entity`` (of ``ids`` only, if given) that has every one of ``parts``
        (what :meth:`iter_linked` yields), by id: a text that changes with its save or
        status."""
        names = (DETAILS, *parts)
        marks = ",".join("?" for _ in names)
        query = (
            "SELECT l.id, l.updated_at || '|' || l.fetched_at FROM linked_ids l"
            " WHERE l.entity = ? AND l.fetched_at IS NOT NULL AND (SELECT COUNT(*)"
            "  FROM linked_parts p WHERE p.entity = l.entity AND p.item_id = l.id"
            f"  AND p.name IN ({marks})) = ?"
        )
        return self._marks(query, "l.id", (entity, *names, len(names)), ids)
