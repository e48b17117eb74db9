"""The image manifest: what ``tmdb-collector images`` downloaded, in the collection's database.

One row per (entity, id, kind, size, file path): the title (or person, collection...) that
names the file, the kind and size, the bytes and the SHA-256 of the file written to
``<out>/<size><file_path>``, or ``status`` ``not_found`` when the CDN answered 404 (recorded, so
a rerun does not ask again). Other tools read the table ``image_files`` directly (README).

The table is made by the first ``images`` run (``CREATE TABLE IF NOT EXISTS``): a database
that never downloaded an image is unchanged, and every earlier release still opens it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tmdb_collector.store.database import Database, now

IMAGE_TABLE = "image_files"
DONE, NOT_FOUND = "done", "not_found"
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {IMAGE_TABLE} (
    entity TEXT NOT NULL,
    item_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    size TEXT NOT NULL,
    file_path TEXT NOT NULL,
    status TEXT NOT NULL,
    bytes INTEGER,
    sha256 TEXT,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (entity, item_id, kind, size, file_path)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS {IMAGE_TABLE}_file ON {IMAGE_TABLE} (size, file_path);
"""


@dataclass(frozen=True, slots=True)
class ImageRow:
    """One manifest row; ``size_bytes`` and ``sha256`` are None for a file not found."""

    entity: str
    item_id: int
    kind: str
    size: str
    file_path: str
    status: str
    size_bytes: int | None
    sha256: str | None


@dataclass(frozen=True, slots=True)
class KnownFile:
    """What the manifest says of one file (any row naming it)."""

    status: str
    size_bytes: int | None
    sha256: str | None


class ImageManifest(Database):
    def prepare_image_manifest(self) -> None:
        """Make the manifest's table when it is missing (one transaction)."""

        def create() -> None:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)

        self._write(create)

    def _has_image_table(self) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (IMAGE_TABLE,)
        ).fetchone()
        return row is not None

    def image_recorded(self, row: ImageRow) -> bool:
        """Whether the manifest has this very row (same owner, kind, size and file)."""
        found = self._db.execute(
            f"SELECT 1 FROM {IMAGE_TABLE} WHERE entity = ? AND item_id = ? AND kind = ?"
            " AND size = ? AND file_path = ? AND status = ?",
            (row.entity, row.item_id, row.kind, row.size, row.file_path, row.status),
        ).fetchone()
        return found is not None

    def known_file(self, size: str, file_path: str) -> KnownFile | None:
        """The manifest's word on one file, from any row naming it; a 404 wins (it is not
        asked for again)."""
        found = self._db.execute(
            f"SELECT status, bytes, sha256 FROM {IMAGE_TABLE} WHERE size = ? AND file_path = ?"
            " ORDER BY status = ? DESC LIMIT 1",
            (size, file_path, NOT_FOUND),
        ).fetchone()
        return None if found is None else KnownFile(str(found[0]), found[1], found[2])

    def record_images(self, rows: Iterable[ImageRow]) -> None:
        """Add (or replace) manifest rows, in one transaction."""
        stamp = now()
        values = [
            (
                r.entity,
                r.item_id,
                r.kind,
                r.size,
                r.file_path,
                r.status,
                r.size_bytes,
                r.sha256,
                stamp,
            )
            for r in rows
        ]

        def insert() -> None:
            self._db.executemany(
                f"INSERT OR REPLACE INTO {IMAGE_TABLE} (entity, item_id, kind, size, file_path,"
                f" status, bytes, sha256, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )

        if values:
            self._write(insert)

    def image_counts(self) -> dict[str, dict[str, int]]:
        """Per kind: the distinct files held, their bytes, and the files not found."""
        if not self._has_image_table():
            return {}
        counts: dict[str, dict[str, int]] = {}
        rows = self._db.execute(
            f"SELECT kind, status, COUNT(*), COALESCE(SUM(bytes), 0) FROM (SELECT DISTINCT"
            f" kind, size, file_path, status, bytes FROM {IMAGE_TABLE}) GROUP BY kind, status"
        )
        for kind, status, files, size_bytes in rows:
            entry = counts.setdefault(str(kind), {"held": 0, "bytes": 0, "not_found": 0})
            if status == DONE:
                entry["held"] += int(files)
                entry["bytes"] += int(size_bytes)
            else:
                entry["not_found"] += int(files)
        return counts
