"""Training the dictionaries off the collector's path: in a worker process.

A training reads each kind's newest bodies and trains a dictionary on them: a second or two of
CPU and a transient of tens of MiB (zstd's cover tables). Collecting, the store starts it in a
worker process (:class:`Training`), which reads the bodies through its own read-only
connection (WAL lets it read while the collector writes) and sends back only the
dictionaries; the collector carries on writing with the dictionaries it has, and switches to
the new ones once they are stored (:meth:`~tmdb_collector.store.store.Store.finish_training`).
``compact`` trains in its own process, as it does nothing else meanwhile.
"""

from __future__ import annotations

import logging
import multiprocessing
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tmdb_collector.store import codec
from tmdb_collector.store.codec import Trained

log = logging.getLogger(__name__)


def newest_bodies(db: sqlite3.Connection, coder: codec.Codec, part: str | None) -> list[bytes]:
    """The newest bodies of ``part`` (None: the details), :data:`codec.SAMPLES` or
    :data:`codec.SAMPLE_BYTES` at most, decoded."""
    if part is None:
        rows = db.execute("SELECT details FROM items ORDER BY id DESC LIMIT ?", (codec.SAMPLES,))
    else:
        rows = db.execute(
            "SELECT body FROM parts WHERE name = ? ORDER BY rowid DESC LIMIT ?",
            (part, codec.SAMPLES),
        )
    samples: list[bytes] = []
    held = 0
    for (value,) in rows:
        body = coder.decode(value)
        if samples and held + len(body) > codec.SAMPLE_BYTES:
            break
        samples.append(body)
        held += len(body)
    return samples


# The codec's training limits, as the collector's process has them, sent to the worker (a
# spawned process imports the module afresh: a limit changed at run time, as tests do, holds).
LIMITS = ("SAMPLES", "SAMPLE_BYTES", "MIN_SAMPLES")


def train_kinds(
    path: str, entity: str, parts: Sequence[str], last_id: int, limits: dict[str, int]
) -> Trained:
    """A dictionary for the details and each of ``parts`` of the database at ``path``, numbered
    from ``last_id + 1`` (kinds too small to train are left out). Runs in the worker."""
    for name, value in limits.items():
        setattr(codec, name, value)
    db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        coder = codec.load(db)
        kinds = ((codec.kind_of(entity, part or "details"), part) for part in (None, *parts))
        return codec.train_kinds(
            ((kind, newest_bodies(db, coder, part)) for kind, part in kinds), last_id
        )
    finally:
        db.close()


class Training:
    """A training of every kind of a collection, running in a worker process."""

    def __init__(self, path: Path, entity: str, parts: Sequence[str], last_id: int, held: int):
        self.last_id, self.held = last_id, held
        # spawn: the collector has threads, which a forked child must not inherit
        self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        limits = {name: getattr(codec, name) for name in LIMITS}
        self._future = self._pool.submit(
            train_kinds, str(path), entity, tuple(parts), last_id, limits
        )

    def done(self) -> bool:
        return self._future.done()

    def result(self) -> Trained | None:
        """The dictionaries, once trained (waits); None if the training failed (the collector
        tries again when the collection has grown as much again)."""
        try:
            return self._future.result()
        except Exception as exc:  # a training is an optimisation: collecting carries on
            log.warning("training the dictionaries failed (%s); trying again later", exc)
            return None
        finally:
            self._pool.shutdown()
