"""The linked entities a collection holds beside its titles (``collect --linked``).

People, collections, companies and networks named by the titles are kept in their own tables
(:mod:`.schema`: ``linked_ids``, and ``linked_parts`` with the details under ``details``),
keyed by entity type and id: an entity is queued once however many titles name it, fetched
once, and saved with its parts and its status in one transaction, so a crash loses nothing
and a rerun goes on. Bodies go through the codec as the titles' do (kind ``entity:part``, with
dictionaries of their own, :mod:`.training`), and a refetch keeps the earlier bodies that
changed as the titles' refetches do (:mod:`.versions`, under the entity's name).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence

from tmdb_collector.fetch.records import ItemRecord
from tmdb_collector.media import MEDIA_TYPES, MediaType
from tmdb_collector.media.links import DETAILS
from tmdb_collector.store import codec, meta_keys, versions
from tmdb_collector.store.database import now
from tmdb_collector.store.id_status import IdStatus
from tmdb_collector.store.items import ItemReads, ItemRow, RawItemRow, among
from tmdb_collector.store.training import Kinds


class LinkedStore(ItemReads):
    def queue_linked(self, entity: str, ids: Iterable[int]) -> int:
        """Queue the ids of ``entity`` never seen before; returns how many were new."""
        stamp = now()
        rows = [(entity, item_id, stamp) for item_id in ids]
        return self._write(
            lambda: (
                self._db.executemany(
                    "INSERT OR IGNORE INTO linked_ids (entity, id, status, updated_at)"
                    " VALUES (?, ?, 'pending', ?)",
                    rows,
                ).rowcount
            )
        )

    def linked_pending(self, entities: Sequence[str], limit: int) -> list[tuple[str, int]]:
        """``(entity, id)`` pending, by entity (in ``entities``' order) and id."""
        pending: list[tuple[str, int]] = []
        for entity in entities:
            rows = self._db.execute(
                "SELECT id FROM linked_ids WHERE entity = ? AND status = 'pending'"
                " ORDER BY id LIMIT ?",
                (entity, limit - len(pending)),
            )
            pending.extend((entity, int(row[0])) for row in rows)
            if len(pending) >= limit:
                break
        return pending

    def save_linked(self, entity: str, record: ItemRecord) -> None:
        """Store an entity's details and parts (dropping those an earlier fetch had and this
        one has not) and mark it done; the earlier bodies that changed are kept as versions
        (:mod:`.versions`) unless the collection turned them off, and an unchanged body is
        not written again."""
        fetched = record.fetched_at.isoformat() if record.fetched_at else now()
        coder = self.codec
        new = {
            name: body.encode() for name, body in ((DETAILS, record.details), *record.parts.items())
        }
        keep = self._keeps_versions()

        def save() -> bool:
            previous = self._previous_linked(entity, record.id)
            changed = versions.changed(coder, new, previous)
            if keep:
                versions.record(self._db, coder, entity, record.id, fetched[:10], changed, previous)
            marks = ",".join("?" for _ in new)
            self._db.execute(
                "DELETE FROM linked_parts WHERE entity = ? AND item_id = ?"
                f" AND name NOT IN ({marks})",
                (entity, record.id, *new),
            )
            self._db.executemany(
                "INSERT INTO linked_parts (entity, item_id, name, body) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (entity, item_id, name) DO UPDATE SET body = excluded.body",
                [
                    (entity, record.id, name, coder.encode(codec.kind_of(entity, name), raw))
                    for name, raw in changed.items()
                ],
            )
            self._set_linked(entity, record.id, "done", None)
            self._db.execute(
                "UPDATE linked_ids SET fetched_at = ? WHERE entity = ? AND id = ?",
                (fetched, entity, record.id),
            )
            return previous is None

        added = self._write(save)
        self._saved(entity, added, lambda: self.linked_kinds(entity))

    def _previous_linked(self, entity: str, item_id: int) -> versions.Previous | None:
        """What the store holds of a linked entity before a refetch (None: never fetched)."""
        row = self._db.execute(
            "SELECT fetched_at FROM linked_ids WHERE entity = ? AND id = ?", (entity, item_id)
        ).fetchone()
        if row is None or row[0] is None:
            return None
        bodies = self._db.execute(
            "SELECT name, body FROM linked_parts WHERE entity = ? AND item_id = ?",
            (entity, item_id),
        )
        return versions.Previous(dict(bodies), versions.day_of(row[0]))

    def _keeps_versions(self) -> bool:
        """Whether saves keep part versions (``tmdb-collector versions``)."""
        return self.meta(meta_keys.VERSIONS) != "off"

    def _saved(self, entity: str, added: bool, kinds: Callable[[], Kinds]) -> None:
        """Called after an ``entity`` (its ``kinds``) is saved, ``added`` if new to the
        collection: the store trains as it grows."""

    def linked_kinds(self, entity: str) -> Kinds:
        """The kinds of a linked entity's bodies: its details and the parts it is fetched
        with."""
        parts = self.linked_parts(MEDIA_TYPES[entity])
        return Kinds(entity, tuple(part for part in parts if part != DETAILS), linked=True)

    def linked_entities_held(self) -> list[str]:
        """The linked entity types with at least one body stored."""
        rows = self._db.execute(
            "SELECT DISTINCT entity FROM linked_ids WHERE fetched_at IS NOT NULL"
        )
        return sorted(str(row[0]) for row in rows)

    def linked_count(self, entity: str) -> int:
        """Entities of ``entity`` held (fetched at least once)."""
        return self._scalar(
            "SELECT COUNT(*) FROM linked_ids WHERE entity = ? AND fetched_at IS NOT NULL",
            (entity,),
        )

    def mark_linked(
        self, entity: str, item_id: int, status: IdStatus, reason: str | None = None
    ) -> None:
        self._write(lambda: self._set_linked(entity, item_id, status, reason))

    def requeue_linked(self, entity: str, ids: Iterable[int]) -> int:
        """Queue held entities again (a refresh); their bodies stay until refetched."""
        rows = [(now(), entity, item_id) for item_id in ids]
        return self._write(
            lambda: (
                self._db.executemany(
                    "UPDATE linked_ids SET status = 'pending', error = NULL, updated_at = ?"
                    " WHERE entity = ? AND id = ?",
                    rows,
                ).rowcount
            )
        )

    def _set_linked(self, entity: str, item_id: int, status: str, reason: str | None) -> None:
        self._db.execute(
            "UPDATE linked_ids SET status = ?, error = ?, attempts = attempts + 1,"
            " updated_at = ? WHERE entity = ? AND id = ?",
            (status, reason, now(), entity, item_id),
        )

    def linked_counts(self) -> dict[str, dict[str, int]]:
        """Per entity type held: how many ids have each status."""
        counts: dict[str, dict[str, int]] = {}
        rows = self._db.execute("SELECT entity, status, COUNT(*) FROM linked_ids GROUP BY 1, 2")
        for entity, status, count in rows:
            counts.setdefault(str(entity), {})[str(status)] = int(count)
        return counts

    def held_linked(self) -> dict[str, MediaType]:
        """The linked entity types the collection holds (at least one fetched), by plural.
        One lookup per type on the key's first column, which stops at the first done id:
        :meth:`linked_counts` counts every id (90 ms with 100,000 people, docs/benchmarks.md)."""
        query = "SELECT EXISTS (SELECT 1 FROM linked_ids WHERE entity = ? AND status = 'done')"
        return {
            media.plural: media
            for media in MEDIA_TYPES.values()
            if self._db.execute(query, (media.name,)).fetchone()[0]
        }

    def linked_parts(self, media: MediaType) -> tuple[str, ...]:
        """The parts an entity's records carry: the plan's (or the type's default ones)."""
        for linked in self.plan().linked_entities:
            if linked.media is media:
                return linked.parts
        return media.default_parts

    def linked_held(self, entity: str) -> list[int]:
        rows = self._db.execute(
            "SELECT id FROM linked_ids WHERE entity = ? AND fetched_at IS NOT NULL ORDER BY id",
            (entity,),
        )
        return [int(row[0]) for row in rows]

    def linked_fetched_at(self, entity: str) -> Iterator[tuple[int, str]]:
        """``(id, fetched_at)`` of every held entity of ``entity`` (the server's clock)."""
        return self._db.execute(
            "SELECT id, fetched_at FROM linked_ids WHERE entity = ? AND fetched_at IS NOT NULL",
            (entity,),
        )

    def linked_fetched_before(self, entity: str, when: str) -> list[int]:
        """Held entities fetched before ``when`` (ISO time): what ``--max-age`` refetches."""
        rows = self._db.execute(
            "SELECT id FROM linked_ids WHERE entity = ? AND fetched_at < ? ORDER BY id",
            (entity, when),
        )
        return [int(row[0]) for row in rows]

    def iter_linked(self, entity: str, parts: Sequence[str]) -> Iterator[ItemRow]:
        """The held entities of ``entity`` that have every one of ``parts``, by id, decoded
        (details, then the parts' bodies in the order asked)."""
        decode = self.codec.decode_text
        for item_id, details, bodies in self.iter_linked_raw(entity, parts):
            yield item_id, decode(details), tuple(map(decode, bodies))

    def iter_linked_raw(
        self,
        entity: str,
        parts: Sequence[str],
        bodies: Sequence[str] | None = None,
        *,
        ids: Collection[int] | None = None,
    ) -> Iterator[RawItemRow]:
        """What :meth:`iter_linked` yields, as stored (a frame, or plain text's bytes): the
        table export decodes them on its build threads. One read in id order. With
        ``bodies``, only those parts' bodies (of the entities that have every one of
        ``parts``); of ``ids`` only, if given (``sync`` and the dlt source read the changed
        ones: :func:`.items.among`)."""
        read = parts if bodies is None else bodies
        names = (DETAILS, *parts)
        marks = ",".join("?" for _ in names)
        only, chosen = among("p.item_id", ids)
        rows = self._db.execute(
            "SELECT p.item_id, p.name, p.body FROM linked_parts p JOIN linked_ids l"
            " ON l.entity = p.entity AND l.id = p.item_id"
            f" WHERE p.entity = ? AND l.fetched_at IS NOT NULL AND p.name IN ({marks}){only}"
            " ORDER BY p.item_id",
            (entity, *names, *chosen),
        )
        for item_id, found in itertools.groupby(rows, key=lambda row: row[0]):
            held = {name: _stored(body) for _, name, body in found}
            if len(held) == len(names):
                yield int(item_id), held[DETAILS], tuple(held[name] for name in read)


def _stored(body: str | bytes) -> bytes:
    """A stored body as bytes (plain text from an earlier release is a ``str``)."""
    return body.encode() if isinstance(body, str) else body
