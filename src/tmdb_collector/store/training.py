"""Training the dictionaries off the collector's path: in a worker process.

A training reads each kind's newest bodies and trains a dictionary on them: a second or two of
CPU and a transient of tens of MiB (zstd's cover tables). Collecting, the store starts it in a
worker process (:class:`Training`), which reads the bodies through its own read-only
connection (WAL lets it read while the collector writes) and sends back only the
dictionaries; the collector carries on writing with the dictionaries it has, and switches to
the new ones once they are stored (:meth:`~tmdb_collector.store.store.Store.finish_training`).
``compact`` trains in its own process, as it does nothing else meanwhile.

The worker never outlives the collector: it holds the read end of a pipe whose only writer is
the collector, and exits as soon as that pipe closes, which the system does when the
collector exits, however it exits (a SIGKILL too). It writes the dictionaries to its stdout,
a pipe the collector drains: no file is left behind.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tmdb_collector.media.links import DETAILS
from tmdb_collector.store import codec
from tmdb_collector.store.codec import Trained

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kinds:
    """The kinds of one entity a training covers: its details and each of ``parts``.
    ``linked``: the entity's bodies are in ``linked_parts`` (a linked entity), else in
    ``items`` and ``parts`` (the collection's titles)."""

    entity: str
    parts: tuple[str, ...]
    linked: bool = False

    def sources(self) -> Iterator[tuple[str, str]]:
        """``(kind, part)`` of the details, then of each part."""
        for part in (DETAILS, *self.parts):
            yield codec.kind_of(self.entity, part), part


def newest_bodies(
    db: sqlite3.Connection, coder: codec.Codec, kinds: Kinds, part: str
) -> list[bytes]:
    """The newest bodies of an entity's ``part`` (:data:`DETAILS`: its details),
    :data:`codec.SAMPLES` or :data:`codec.SAMPLE_BYTES` at most, decoded."""
    if kinds.linked:
        rows = db.execute(
            "SELECT body FROM linked_parts WHERE entity = ? AND name = ? ORDER BY rowid DESC"
            " LIMIT ?",
            (kinds.entity, part, codec.SAMPLES),
        )
    elif part == DETAILS:
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


def samples(
    db: sqlite3.Connection, coder: codec.Codec, kinds: Kinds
) -> Iterator[tuple[str, list[bytes]]]:
    """``(kind, newest bodies)`` of each of ``kinds``, one kind's bodies in memory at a time."""
    for kind, part in kinds.sources():
        yield kind, newest_bodies(db, coder, kinds, part)


# The codec's training limits, as the collector's process has them, sent to the worker (it
# imports the module afresh: a limit changed at run time, as tests do, holds there too).
LIMITS = ("SAMPLES", "SAMPLE_BYTES", "MIN_SAMPLES")


def train_kinds(path: str, kinds: Kinds, last_id: int, limits: dict[str, int]) -> Trained:
    """A dictionary for each of ``kinds`` of the database at ``path``, numbered from
    ``last_id + 1`` (kinds too small to train are left out). Runs in the worker."""
    for name, value in limits.items():
        setattr(codec, name, value)
    db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        return codec.train_kinds(samples(db, codec.load(db), kinds), last_id)
    finally:
        db.close()


def worker_command(request: str) -> list[str]:
    """The worker's command line for ``request`` (JSON)."""
    return [sys.executable, "-m", __name__, request]


class Training:
    """A training of ``kinds`` of a collection, running in a worker process: ``python -m``
    this module, which imports only what a training needs (a multiprocessing child would
    import the collector's whole CLI again), and hands the dictionaries back on its stdout."""

    def __init__(self, path: Path, kinds: Kinds, last_id: int, held: int) -> None:
        self.kinds, self.last_id, self.held = kinds, last_id, held
        limits = {name: getattr(codec, name) for name in LIMITS}
        request = json.dumps(
            [str(path), kinds.entity, list(kinds.parts), kinds.linked, last_id, limits]
        )
        self._process = subprocess.Popen(
            worker_command(request),
            stdin=subprocess.PIPE,  # its lifeline: closed when this process ends
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._output = b""
        # drained as the worker writes, so that it never blocks on a full pipe
        self._reader = threading.Thread(target=self._drain, name="training", daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        out = self._process.stdout
        if out is not None:
            with out:
                self._output = out.read()

    def done(self) -> bool:
        return self._process.poll() is not None

    def result(self) -> Trained | None:
        """The dictionaries, once trained (waits); None if the training failed (the collector
        tries again when the collection has grown as much again)."""
        code = self._process.wait()
        self._reader.join()
        self._close_pipes()
        if code != 0:
            log.warning("training the dictionaries failed (exit %s); trying again later", code)
            return None
        try:
            trained: Trained = pickle.loads(self._output)  # our own worker's
        except (pickle.UnpicklingError, EOFError, ValueError):
            log.warning("training the dictionaries gave nothing readable; trying again later")
            return None
        return trained

    def cancel(self) -> None:
        """Stop the worker (its lifeline closes) and let its work go."""
        self._close_pipes()
        self._process.kill()
        self._process.wait()
        self._reader.join()

    def _close_pipes(self) -> None:
        stdin = self._process.stdin
        if stdin is not None and not stdin.closed:
            stdin.close()


def _exit_when_closed(lifeline: int) -> None:
    """In the worker: wait for the collector's end of the ``lifeline`` pipe (a file
    descriptor, read raw: no buffer's lock held at the worker's own exit) to close, then
    exit."""
    while os.read(lifeline, 4096):
        pass
    os._exit(1)  # the collector is gone (or gave up on this training): so is the worker


def main(argv: Sequence[str]) -> None:
    """The worker: ``REQUEST``, as JSON; the dictionaries pickled to stdout."""
    threading.Thread(target=_exit_when_closed, args=(sys.stdin.fileno(),), daemon=True).start()
    path, entity, parts, linked, last_id, limits = json.loads(argv[0])
    trained = train_kinds(path, Kinds(entity, tuple(parts), linked), last_id, limits)
    sys.stdout.buffer.write(pickle.dumps(trained))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
