"""The sync's statements on a thread of their own, so that the next batches' rows are read
from the collection and built while the server takes the last ones (a first load's COPYs, a
later sync's deletes and COPYs) instead of after.

Work runs in the order given, one piece at a time, on one thread: the connection is never
used by two threads at once, and the thread that hands work over does not touch the
connection until :meth:`Sender.drain` has returned. At most ``ahead`` pieces wait (each holds a
batch's COPY text), so memory stays bounded however far the readers could run ahead.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

AHEAD = 3  # pieces of work handed over and not yet done, at most
_T = TypeVar("_T")


class Sender:
    def __init__(self, pool: ThreadPoolExecutor, ahead: int) -> None:
        self._pool = pool
        self._ahead = ahead
        self._pending: deque[tuple[Future[Any], Callable[[Any], None]]] = deque()
        self._failed = threading.Event()  # once a piece fails, those after it do not run

    def _unless_failed(self, work: Callable[[], _T]) -> _T:
        if self._failed.is_set():
            raise _Skipped
        try:
            return work()
        except BaseException:
            self._failed.set()
            raise

    def submit(self, work: Callable[[], _T], done: Callable[[_T], None] | None = None) -> None:
        """Queue ``work``; ``done(result)`` is called on the caller's thread once it is done
        (here, when too many wait, or in :meth:`drain`). A failure is raised there too."""
        self._pending.append((self._pool.submit(self._unless_failed, work), done or _ignore))
        while len(self._pending) > self._ahead:
            self._finish_one()

    def drain(self) -> None:
        """Wait for every piece handed over (raising the first failure)."""
        while self._pending:
            self._finish_one()

    def _finish_one(self) -> None:
        future, done = self._pending.popleft()
        done(future.result())

    def _abandon(self) -> None:
        for future, _done in self._pending:
            future.cancel()
        self._pending.clear()


@contextmanager
def sending(ahead: int = AHEAD) -> Iterator[Sender]:
    """A sender for the block; everything handed over is done (or abandoned, when the block
    raises: what runs finishes, the rest is dropped) before the block's end returns."""
    with ThreadPoolExecutor(1, thread_name_prefix="sync-send") as pool:
        sender = Sender(pool, ahead)
        try:
            yield sender
            sender.drain()
        finally:
            sender._abandon()


class _Skipped(Exception):
    """A piece of work not run because one before it failed (that failure is raised first)."""


def _ignore(_result: object) -> None:
    return None
