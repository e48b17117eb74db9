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

import json
import logging
import os
import pickle
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Sequence
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


# The codec's training limits, as the collector's process has them, sent to the worker (it
# imports the module afresh: a limit changed at run time, as tests do, holds there too).
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
    """A training of every kind of a collection, running in a worker process: ``python -m``
    this module, which imports only what a training needs (a multiprocessing child would
    import the collector's whole CLI again), and hands the dictionaries back in a file."""

    def __init__(self, path: Path, entity: str, parts: Sequence[str], last_id: int, held: int):
        self.last_id, self.held = last_id, held
        handle, name = tempfile.mkstemp(prefix="tmdb-collector-training-")
        os.close(handle)
        self._out = Path(name)
        limits = {name: getattr(codec, name) for name in LIMITS}
        request = json.dumps([str(path), entity, list(parts), last_id, limits])
        self._process = subprocess.Popen(
            [sys.executable, "-m", __name__, request, str(self._out)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def done(self) -> bool:
        return self._process.poll() is not None

    def result(self) -> Trained | None:
        """The dictionaries, once trained (waits); None if the training failed (the collector
        tries again when the collection has grown as much again)."""
        try:
            code = self._process.wait()
            if code != 0:
                log.warning("training the dictionaries failed (exit %s); trying again later", code)
                return None
            trained: Trained = pickle.loads(self._out.read_bytes())  # our own file
            return trained
        finally:
            self._out.unlink(missing_ok=True)


def main(argv: Sequence[str]) -> None:
    """The worker: ``REQUEST OUT``, the request as JSON; the dictionaries pickled to OUT."""
    path, entity, parts, last_id, limits = json.loads(argv[0])
    trained = train_kinds(path, entity, parts, last_id, limits)
    Path(argv[1]).write_bytes(pickle.dumps(trained))


if __name__ == "__main__":
    main(sys.argv[1:])
