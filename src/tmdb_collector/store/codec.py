"""The stored bodies' codec: zstd with dictionaries trained on the collection's own bodies.

Every body a table stores (an item's details, each part, and any later body table: linked
entities, history) goes through :class:`Codec`. A body is stored as one standard zstd frame
(level :data:`LEVEL`, no checksum) whose header names the dictionary it was compressed with:
the ``dictionaries`` table's id, 0 for none. A dictionary is trained per *kind*, the entity and
the part (``movie:details``, ``movie:credits``, ``tv:seasons``, ``person:details``), on that
kind's stored bodies once :data:`FIRST_TRAINING` entities of its type are held (the titles, and
each linked entity type, counted on their own; a refetch adds none), and again each time they
have grown :data:`GROWTH` times; older dictionaries stay, so every frame stays readable, and a
new table of bodies only adds kinds: nothing is recompressed.

Bodies written before schema 4 are plain text. A frame starts with zstd's magic number, which
no JSON text can start with (``(`` and then a byte that is not valid UTF-8), so a read tells
the two apart by their first four bytes, and a table may hold both. Decoding gives back the
exact bytes that were stored: what TMDB sent is what the exports write.

Decoding is safe on any thread (each thread keeps its own decompressors); encoding and
training belong to the one thread that writes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence

import zstandard

MAGIC = b"\x28\xb5\x2f\xfd"  # the first four bytes of every zstd frame
LEVEL = 6  # docs/benchmarks.md: 42% less CPU than 9 for 5% more bytes
DICTIONARY_BYTES = 112_640  # at most: zstd's own default dictionary size (110 KiB)
DICTIONARY_SHARE = 20  # a dictionary is at most 1/20 of the bytes it is trained on...
DICTIONARY_MIN = 4_096  # ...and at least this (docs/benchmarks.md: no worse, and smaller)
FIRST_TRAINING = 200  # items held before a kind's first dictionary is trained
GROWTH = 4  # a kind is trained again each time the items held have grown this many times
SAMPLES = 2_000  # bodies a dictionary is trained on, at most...
SAMPLE_BYTES = 4 << 20  # ...and bytes: a training's memory stays small (docs/benchmarks.md)
MIN_SAMPLES = 50  # bodies of a kind needed to train it at all
# zstd's cover parameters, fixed: its search for them took 4 times the CPU for a dictionary
# no better on the simulator's bodies (5,166 against 5,180 bytes a movie, docs/benchmarks.md)
TRAIN_K, TRAIN_D = 1024, 8

Stored = str | bytes  # what a body column holds: plain text (schema 1-3) or a frame
StoredRow = tuple[int, bytes, tuple[bytes, ...]]  # an item's id, details and parts' bodies
Trained = list[tuple[int, str, int, bytes]]  # (dictionary id, kind, bodies trained on, data)


def stored_length(stored: bytes) -> int:
    """The length of the bytes a stored body decodes to (a frame's header says it)."""
    if stored[:4] == MAGIC:
        size = zstandard.frame_content_size(stored)
        if size >= 0:
            return int(size)
    return len(stored)


def kind_of(entity: str, part: str) -> str:
    """The dictionary kind of an entity's part (``details`` for the entity's own body)."""
    return f"{entity}:{part}"


class Codec:
    """Compress and decompress bodies with the collection's dictionaries."""

    def __init__(self, dictionaries: Iterable[tuple[int, str, bytes]] = ()) -> None:
        self._data: dict[int, bytes] = {}
        self._latest: dict[str, int] = {}
        self._compressors: dict[int, zstandard.ZstdCompressor] = {}
        self._local = threading.local()
        for dict_id, kind, data in dictionaries:
            self.add(dict_id, kind, data)

    def add(self, dict_id: int, kind: str, data: bytes) -> None:
        """A dictionary of ``kind``; the newest (highest id) of a kind compresses."""
        self._data[dict_id] = data
        older = self._latest.get(kind, 0)
        if dict_id > older:
            self._latest[kind] = dict_id
            self._compressors.pop(older, None)  # only the newest compresses

    def latest(self, kind: str) -> int:
        """The id of the dictionary that compresses ``kind`` now (0: none yet)."""
        return self._latest.get(kind, 0)

    def encode(self, kind: str, body: Stored) -> bytes:
        """``body`` (text, or already a frame: decoded first) as a frame with the newest
        dictionary of ``kind``."""
        raw = body.encode() if isinstance(body, str) else self.decode(body)
        return self._compressor(self.latest(kind)).compress(raw)

    def decode(self, stored: Stored) -> bytes:
        """The bytes that were stored, from a frame or from plain text."""
        if isinstance(stored, str):
            return stored.encode()
        if stored[:4] != MAGIC:
            return stored
        dict_id = zstandard.get_frame_parameters(stored).dict_id
        return self._decompressor(dict_id).decompress(stored)

    def decode_text(self, stored: Stored) -> str:
        return stored if isinstance(stored, str) else self.decode(stored).decode()

    def decode_rows(self, rows: Sequence[StoredRow]) -> list[StoredRow]:
        """Rows of ``(id, details, (body, ...))`` with every body decoded to its bytes."""
        decode = self.decode
        return [(key, decode(first), tuple(map(decode, rest))) for key, first, rest in rows]

    def dictionary_of(self, stored: Stored) -> int | None:
        """The dictionary a stored body was compressed with (0: none), None for plain text."""
        if isinstance(stored, str) or stored[:4] != MAGIC:
            return None
        return int(zstandard.get_frame_parameters(stored).dict_id)

    def _compressor(self, dict_id: int) -> zstandard.ZstdCompressor:
        compressor = self._compressors.get(dict_id)
        if compressor is None:
            dictionary = self._dictionary(dict_id)
            if dictionary is not None:  # digested once, not at every body
                dictionary.precompute_compress(level=LEVEL)
            compressor = zstandard.ZstdCompressor(
                level=LEVEL, dict_data=dictionary, write_checksum=False
            )
            self._compressors[dict_id] = compressor
        return compressor

    def _decompressor(self, dict_id: int) -> zstandard.ZstdDecompressor:
        mine: dict[int, zstandard.ZstdDecompressor] | None = getattr(self._local, "d", None)
        if mine is None:
            mine = self._local.d = {}
        decompressor = mine.get(dict_id)
        if decompressor is None:
            decompressor = zstandard.ZstdDecompressor(dict_data=self._dictionary(dict_id))
            mine[dict_id] = decompressor
        return decompressor

    def _dictionary(self, dict_id: int) -> zstandard.ZstdCompressionDict | None:
        if dict_id == 0:
            return None
        data = self._data.get(dict_id)
        if data is None:
            raise KeyError(f"no dictionary {dict_id} in this database")
        return zstandard.ZstdCompressionDict(data)


def train(samples: Sequence[bytes], dict_id: int) -> bytes | None:
    """A dictionary trained on ``samples`` with id ``dict_id``, or None when they are too few
    or too alike for zstd to train one."""
    if len(samples) < MIN_SAMPLES:
        return None
    size = min(DICTIONARY_BYTES, max(DICTIONARY_MIN, sum(map(len, samples)) // DICTIONARY_SHARE))
    try:
        trained = zstandard.train_dictionary(
            size, list(samples), dict_id=dict_id, level=LEVEL, k=TRAIN_K, d=TRAIN_D
        )
    except zstandard.ZstdError:
        return None
    return trained.as_bytes()


def training_due(held: int, trained_at: int) -> bool:
    """Whether a collection of ``held`` items trains its kinds again, their newest
    dictionaries having been trained at ``trained_at`` items (0: never)."""
    if trained_at == 0:
        return held >= FIRST_TRAINING
    return held >= trained_at * GROWTH


# ---- the dictionaries table ------------------------------------------------------------------


def load(db: sqlite3.Connection) -> Codec:
    """The codec of a database (of schema 4 or later)."""
    return Codec(db.execute("SELECT id, kind, data FROM dictionaries ORDER BY id"))


def trained_at(db: sqlite3.Connection, entity: str) -> int:
    """The entities of ``entity`` held when its newest dictionaries were trained (0: none
    yet). Each entity (the titles, each linked type) grows, and trains, on its own clock."""
    row = db.execute(
        "SELECT MAX(held) FROM dictionaries WHERE kind >= ? AND kind < ?",
        (kind_of(entity, ""), kind_of(entity, "\uffff")),
    ).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def train_kinds(samples: Iterable[tuple[str, Sequence[bytes]]], last_id: int) -> Trained:
    """A dictionary per ``(kind, bodies)``, numbered from ``last_id + 1``; kinds too small to
    train are left out."""
    trained: Trained = []
    for kind, bodies in samples:
        data = train(bodies, last_id + len(trained) + 1)
        if data is not None:
            trained.append((last_id + len(trained) + 1, kind, len(bodies), data))
    return trained


def last_id(db: sqlite3.Connection) -> int:
    """The highest dictionary id of the database (0: none)."""
    row = db.execute("SELECT COALESCE(MAX(id), 0) FROM dictionaries").fetchone()
    return int(row[0])


def store_dictionaries(
    db: sqlite3.Connection, trained: Trained, held: int, created_at: str
) -> list[tuple[int, str, bytes]]:
    """Store dictionaries trained at ``held`` items, inside the caller's transaction; returns
    them, for :meth:`Codec.add` once that transaction has committed (a body compressed with a
    dictionary that was rolled back could not be read)."""
    db.executemany(
        "INSERT INTO dictionaries (id, kind, samples, held, created_at, data)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            (dict_id, kind, samples, held, created_at, data)
            for dict_id, kind, samples, data in trained
        ],
    )
    return [(dict_id, kind, data) for dict_id, kind, _, data in trained]


def add_dictionaries(
    db: sqlite3.Connection,
    samples: Iterable[tuple[str, Sequence[bytes]]],
    held: int,
    created_at: str,
) -> list[tuple[int, str, bytes]]:
    """Train a dictionary per ``(kind, bodies)`` and store it (:func:`store_dictionaries`)."""
    return store_dictionaries(db, train_kinds(samples, last_id(db)), held, created_at)
