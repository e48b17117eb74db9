"""The database's tables, and the migration of older databases to them.

Schema 2 keeps a part as data, not as a column: ``items`` holds each item's details and
``parts`` one row per (item, part). Adding a part, or a media type, needs no schema change.
The media type is the meta value ``media`` (schema-1 databases were all movies).

Schema 3 adds ``pages.listed``: every id a page listed, before any language filter, so the
harvest's consistency (ids on two pages, ids missed) can be counted (:mod:`.consistency`).

Schema 4 stores every body compressed (:mod:`.codec`): ``dictionaries`` holds the zstd
dictionaries trained on the collection's bodies, each row's id named in the header of every
frame compressed with it. Bodies written before stay plain text in the same columns (SQLite
keeps each value's own type) and read as before; ``tmdb-collector compact`` rewrites them.
Schema 4 also keeps ``part_versions`` (:mod:`.versions`): the earlier bodies of every part a
refetch changed, by entity and day.
Schema 4 also holds the entities the titles link to (``linked_ids``, ``linked_parts``:
:mod:`.linked`).

Schema 1 (release 0.1) had a ``movies`` table with one column per part. :func:`migrate` moves
such a database to schema 2 in one transaction, DDL included: SQLite's DDL is transactional, so
a kill at any moment leaves either the old schema (the next open migrates again) or the new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from tmdb_collector.media import LEGACY_MEDIA
from tmdb_collector.store import meta_keys, versions

SCHEMA_VERSION = "4"
KNOWN_VERSIONS = ("1", "2", "3", SCHEMA_VERSION)
# Pages of 16 KiB: compressed bodies are small rows, and on 4 KiB pages an eighth of the parts
# table was left unused; 16 KiB pages made the file 7% smaller (docs/benchmarks.md). Set when a
# database is created, and by `compact` (its VACUUM) on an older one.
PAGE_SIZE = 16_384
V1_PARTS = ("credits", "keywords", "recommendations")  # schema 1's part columns
V1_TABLE = "movies"  # schema 1's one table of bodies (schema 2 on: items, and parts)

# One row per part, with a rowid: measured against WITHOUT ROWID on 20,000 movies of the
# simulator's bodies (docs/benchmarks.md), it inserts faster and the file is smaller, since
# bodies are large (several KB) and WITHOUT ROWID suits small rows.
_HARVEST = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE queries (
    key TEXT PRIMARY KEY,
    stage TEXT NOT NULL,
    genre INTEGER,
    path TEXT NOT NULL,
    params TEXT NOT NULL,
    max_pages TEXT NOT NULL,
    keep_language TEXT,
    parent TEXT,
    total_pages INTEGER,
    total_results INTEGER,
    split INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE pages (
    query_key TEXT NOT NULL,
    page INTEGER NOT NULL,
    status TEXT NOT NULL,
    results INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    listed TEXT,
    PRIMARY KEY (query_key, page)
) WITHOUT ROWID;
CREATE TABLE ids (
    id INTEGER PRIMARY KEY,
    status TEXT NOT NULL,
    seen_order INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX ids_status ON ids (status, seen_order);
CREATE TABLE provenance (
    item_id INTEGER NOT NULL,
    stage TEXT NOT NULL,
    genre INTEGER,
    query_key TEXT NOT NULL,
    page INTEGER NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (item_id, query_key, page)
) WITHOUT ROWID;
"""
_ITEMS = """
CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    details TEXT NOT NULL,
    fetched_at TEXT
);
CREATE TABLE parts (
    item_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (item_id, name)
);
"""
# A dictionary per kind (entity and part, codec.kind_of), trained on ``samples`` bodies when
# the collection held ``held`` items; every row is kept, so every frame stays readable.
_DICTIONARIES = """
CREATE TABLE dictionaries (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    samples INTEGER NOT NULL,
    held INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    data BLOB NOT NULL
);
"""


# The linked entities (`collect --linked`: people, collections, companies, networks), keyed by
# entity type and id beside the titles' ids/items/parts: a status per entity (fetched once,
# ``fetched_at`` once held) and one body row per part, its details under the name
# ``details``, through the codec (kinds ``entity:part``). Three objects, as an empty table
# costs a page of every database.
_LINKED = """
CREATE TABLE linked_ids (
    entity TEXT NOT NULL,
    id INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    updated_at TEXT NOT NULL,
    fetched_at TEXT,
    PRIMARY KEY (entity, id)
) WITHOUT ROWID;
CREATE TABLE linked_parts (
    entity TEXT NOT NULL,
    item_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (entity, item_id, name)
);
"""


def _run(db: sqlite3.Connection, script: str) -> None:
    """Each statement on its own (``executescript`` would commit the open transaction)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def create(db: sqlite3.Connection) -> None:
    """Every table of the current schema; the caller's transaction holds it."""
    _run(db, _HARVEST)
    _run(db, _ITEMS)
    _run(db, _DICTIONARIES)
    _run(db, versions.TABLE)
    _run(db, _LINKED)


def _v1_to_v2(db: sqlite3.Connection) -> None:
    _run(db, _ITEMS)
    db.execute(
        "INSERT INTO items (id, details, fetched_at)"
        f" SELECT id, details, fetched_at FROM {V1_TABLE}"
    )
    for name in V1_PARTS:
        db.execute(
            f"INSERT INTO parts (item_id, name, body) SELECT id, ?, {name} FROM {V1_TABLE}",
            (name,),
        )
    db.execute(f"DROP TABLE {V1_TABLE}")
    db.execute("ALTER TABLE provenance RENAME COLUMN movie_id TO item_id")
    db.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (meta_keys.MEDIA, LEGACY_MEDIA)
    )


def _v2_to_v3(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE pages ADD COLUMN listed TEXT")


def _v3_to_v4(db: sqlite3.Connection) -> None:
    _run(db, _DICTIONARIES)
    _run(db, versions.TABLE)
    _run(db, _LINKED)


MIGRATIONS: dict[str, tuple[str, Callable[[sqlite3.Connection], None]]] = {
    "1": ("2", _v1_to_v2),
    "2": ("3", _v2_to_v3),
    "3": ("4", _v3_to_v4),
}


def migrate(db: sqlite3.Connection, version: str) -> None:
    """Bring a database at ``version`` to :data:`SCHEMA_VERSION`, inside the caller's
    transaction (the version is written with the last step)."""
    while version != SCHEMA_VERSION:
        version, step = MIGRATIONS[version]
        step(db)
        db.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            (meta_keys.SCHEMA_VERSION, version),
        )
