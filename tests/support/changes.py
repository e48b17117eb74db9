"""Waiting for what a child process writes to disk on the kernel's file events, not a sleep.

``with Changes(folder) as changes: changes.wait(check, process)`` looks at ``check()`` now and
again after each batch of writes in ``folder`` (inotify: a file created, written, closed or
renamed into it), and returns True once it holds, or False once ``process`` has ended first
(its pidfd says so). Only a hang fails the test, after ``timeout`` seconds.

A SQLite database in WAL mode is written through its ``-wal`` file on each commit, so a
predicate over what the database holds is looked at again after each commit.
"""

from __future__ import annotations

import os
import select
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from inotify_simple import INotify, flags

from tests.support.lines import HANG_GUARD

WRITES = flags.CREATE | flags.MODIFY | flags.CLOSE_WRITE | flags.MOVED_TO


class Changes:
    """The writes in one existing folder (not its subfolders), from now on."""

    def __init__(self, folder: Path) -> None:
        self._inotify = INotify()
        try:
            self._inotify.add_watch(folder, WRITES)
        except OSError:
            self._inotify.close()
            raise
        self.folder = folder

    def __enter__(self) -> Changes:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._inotify.close()

    def wait(
        self,
        check: Callable[[], bool],
        process: subprocess.Popen[Any] | None = None,
        timeout: float = HANG_GUARD,
    ) -> bool:
        """True once ``check()`` holds, looked at after each batch of writes in the folder;
        False if ``process`` ends first."""
        ended = None if process is None else os.pidfd_open(process.pid)
        watched = [self._inotify.fileno(), *([] if ended is None else [ended])]
        deadline = time.monotonic() + timeout
        try:
            while not check():
                if process is not None and process.poll() is not None:
                    return False
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"not reached in {timeout} s: writes in {self.folder}")
                ready, _, _ = select.select(watched, [], [], left)
                if self._inotify.fileno() in ready:
                    self._inotify.read(timeout=0)  # this batch, looked at once
            return True
        finally:
            if ended is not None:
                os.close(ended)
