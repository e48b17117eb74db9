"""The dictionaries' training worker (store/training.py) never outlives the collector that
started it, leaves no file behind, and closing the store does not wait for it."""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.support.store import queue_ids
from tests.test_compact_store import v3_rows
from tmdb_collector.store import codec, training
from tmdb_collector.store import store as store_module
from tmdb_collector.store.store import Store

GUARD_S = 20  # a guard only: the worker, blocked on the database, would give up after 30 s

# The collector's stand-in: starts a training of the titles' details, says the worker's pid,
# then waits to be killed.
COLLECTOR = """
import sys
from pathlib import Path
from tmdb_collector.store.training import Kinds, Training
job = Training(Path(sys.argv[1]), Kinds("movie", ()), 0, 1)
print(job._process.pid, flush=True)
sys.stdin.read()
"""


def exited(pid: int, timeout: float) -> bool:
    """Whether process ``pid`` ends within ``timeout`` (waits on its exit, no polling)."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        ready, _, _ = select.select([handle], [], [], timeout)
        return bool(ready)
    finally:
        os.close(handle)


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="waits on a pidfd (Linux)")
def test_the_worker_dies_with_a_killed_collector_and_leaves_no_file(tmp_path: Path) -> None:
    plan, records = v3_rows("v3_movies")
    db = tmp_path / "c.db"
    with Store.create_or_open(db, plan) as store:
        queue_ids(store, [record.id for record in records])
        for record in records:
            store.save_item(record)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    # the database held exclusively: the worker waits on it, so it is running when killed
    lock = sqlite3.connect(db, isolation_level=None)
    lock.execute("PRAGMA locking_mode = EXCLUSIVE")
    lock.execute("BEGIN EXCLUSIVE")
    collector = subprocess.Popen(
        [sys.executable, "-c", COLLECTOR, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "TMPDIR": str(scratch)},
        text=True,
    )
    try:
        assert collector.stdout is not None
        worker = int(collector.stdout.readline())
        assert not exited(worker, 0)  # running, held by the lock
        collector.send_signal(signal.SIGKILL)
        collector.wait()
        assert exited(worker, GUARD_S)  # its lifeline closed with the collector
    finally:
        lock.close()
        collector.kill()
        collector.wait()
        for pipe in (collector.stdin, collector.stdout):
            if pipe is not None:
                pipe.close()
    assert list(scratch.iterdir()) == []


def test_closing_the_store_stops_a_running_training_instead_of_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that would never finish on its own (it waits for its lifeline to close): the
    store's close ends it and returns; nothing is stored."""
    plan, records = v3_rows("v3_movies")
    monkeypatch.setattr(codec, "FIRST_TRAINING", 10)
    endless = "import os\nwhile os.read(0, 4096):\n    pass"
    monkeypatch.setattr(training, "worker_command", lambda _: [sys.executable, "-c", endless])
    started: list[Any] = []

    class Seen(training.Training):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            started.append(self)

    monkeypatch.setattr(store_module, "Training", Seen)
    db = tmp_path / "c.db"
    store = Store.create_or_open(db, plan)
    queue_ids(store, [record.id for record in records])
    for record in records[:12]:
        store.save_item(record)
    assert len(started) == 1
    assert not started[0].done()
    closed, rescued = threading.Event(), threading.Event()

    def rescue() -> None:  # a guard: ends the worker if close waited for it
        if not closed.wait(GUARD_S):
            rescued.set()
            started[0]._process.kill()

    threading.Thread(target=rescue, daemon=True).start()
    store.close()
    closed.set()
    assert not rescued.is_set()
    assert started[0].done()  # ended, not left running
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT COUNT(*) FROM dictionaries").fetchone() == (0,)
